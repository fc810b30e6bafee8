import AlienModel
import Foundation
import TestSupport
import Testing
@testable import Trust

/// Small metadata builders shared by the Trust tests.
enum Fixtures {
    static let expires = Expiry(secondsSince1970: 1_893_456_000)  // 2030-01-01T00:00:00Z

    static func root(_ keys: [SigningKey], threshold: Int = 1) throws -> Root {
        var table: [String: Key] = [:]
        for key in keys { table[key.keyID] = key.key }
        let ids = keys.map(\.keyID)
        var roles: [String: RoleKeys] = [:]
        for name in Root.topLevelRoles { roles[name] = try RoleKeys(keyIDs: ids, threshold: threshold) }
        return try Root(version: 1, expires: expires, keys: table, roles: roles)
    }
}

extension Fixtures {
    /// A fixed update start: 2023-11-14T22:13:20Z (before the fixtures' 2030 expiry, after `past`).
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let nowExpiry = Expiry(secondsSince1970: 1_700_000_000)

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Runs `body`, expecting it to throw an `UpdaterError` that `matches`, and checks the
    /// client's directories afterwards: the metadata files named in `persisted` hold exactly
    /// those bytes (metadata verified before the refusal is kept, as the workflow says); every
    /// other metadata file and the target directory are byte-for-byte unchanged.
    static func expectRefused(
        _ client: TUFClientHarness, _ what: Comment, persisted: [String: [UInt8]] = [:],
        sourceLocation: SourceLocation = #_sourceLocation,
        matching matches: (UpdaterError) -> Bool, _ body: () async throws -> Void
    ) async {
        let before = client.state
        do {
            try await body()
            Issue.record("\(what): expected a refusal, but the update succeeded", sourceLocation: sourceLocation)
        } catch let error as UpdaterError {
            #expect(matches(error), "\(what): unexpected error: \(error)", sourceLocation: sourceLocation)
            #expect(!error.description.isEmpty, sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(what): not an UpdaterError: \(error)", sourceLocation: sourceLocation)
        }
        let after = client.state
        var expected = before.metadata.entries
        for (name, bytes) in persisted { expected[name] = .file(bytes) }
        let differing = Set(expected.keys).union(after.metadata.entries.keys).filter { expected[$0] != after.metadata.entries[$0] }
        #expect(
            differing.isEmpty, "\(what): metadata files not as expected: \(differing.sorted()) (expected changes: \(persisted.keys.sorted()))",
            sourceLocation: sourceLocation)
        #expect(
            after.targets == before.targets, "\(what): target directory changed: \(before.targets) → \(after.targets)",
            sourceLocation: sourceLocation)
    }

    /// `expectRefused` for one exact error.
    static func expectRefused(
        _ client: TUFClientHarness, _ expected: UpdaterError, persisted: [String: [UInt8]] = [:],
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async {
        await expectRefused(
            client, "\(expected)", persisted: persisted, sourceLocation: sourceLocation,
            matching: { $0 == expected }, body)
    }

    /// A repository with two top-level targets, published, and a client that refreshed from it
    /// and downloaded one target (so both client directories have content).
    static func refreshedClient(_ repo: inout TUFRepositoryFixture) async throws -> TUFClientHarness {
        try repo.addTarget("pkgs/zlib.tar", content: bytes("zlib 1.3"))
        try repo.addTarget("pkgs/root.tar", content: bytes("ROOT v6-32"))
        try repo.publish(["targets"])
        let client = try TUFClientHarness(repo)
        let updater = client.updater(referenceTime: now)
        let info = try #require(try await updater.targetInfo(for: "pkgs/zlib.tar"))
        _ = try await updater.downloadTarget(info, to: client.targetDirectory)
        return client
    }

    /// `signed` with its `spec_version` replaced, signed by `signer` (the role types refuse to
    /// hold a spec version other than 1.x, so the JSON is built by hand).
    static func metadata(_ signed: JSONValue, specVersion: String, signer: SigningKey) throws -> [UInt8] {
        guard case var .object(fields) = signed else { return [] }
        fields["spec_version"] = .string(specVersion)
        let body = JSONValue.object(fields)
        let signature = try signer.sign(body.canonicalBytes)
        return JSONValue.object([
            "signed": body,
            "signatures": .array([.object(["keyid": .string(signature.keyID), "sig": .string(signature.sig)])])
        ]).compactJSONBytes
    }
}
