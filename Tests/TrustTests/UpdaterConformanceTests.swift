import Foundation
import TestSupport
import Testing
@testable import Trust

/// The cases of the tuf-conformance suite (github.com/theupdateframework/tuf-conformance) that
/// `Updater` once failed, rebuilt on the in-memory repository fixture: what the client must keep
/// when a refresh fails part-way. Each role is written as soon as it is verified (root §5.3.8,
/// timestamp §5.4.5, snapshot §5.5.7, targets §5.6.6); the refused one is not. Each test checks
/// the whole metadata directory, as the suite's `trusted_roles()` does.
@Suite struct UpdaterConformanceTests {
    private typealias Repo = TUFRepositoryFixture
    private let now = Fixtures.now

    private func refresh(_ client: TUFClientHarness) async throws {
        try await client.updater(referenceTime: now).refresh()
    }

    /// The metadata directory's files (name → bytes).
    private func files(_ client: TUFClientHarness) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for (name, entry) in client.state.metadata.entries {
            if case let .file(bytes) = entry { files[name] = bytes }
        }
        return files
    }

    /// Root v2 and every other role v2 are published; `role`'s metadata lost its only signer.
    @Test(arguments: ["snapshot", "targets"])
    func keepsTheRolesVerifiedBeforeAnUnsignedOne(role: String) async throws {
        var repo = try Repo()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        repo.keys[role] = []
        try repo.publishRoot()
        try repo.publish(["targets"])
        var expected = ["root.json": repo.metadata("2.root.json")!, "timestamp.json": repo.metadata("timestamp.json")!]
        if role == "targets" { expected["snapshot.json"] = repo.metadata("2.snapshot.json")! }
        await Fixtures.expectRefused(
            client, "\(role) without signatures", persisted: expected,
            matching: {
                if case .unsigned(role, .thresholdNotMet(role, [], 1)) = $0 { true } else { false }
            }
        ) {
            try await refresh(client)
        }
        #expect(files(client) == expected)
    }

    /// `2.<role>.json` holds a validly signed version 3 (timestamp and snapshot meta carry
    /// versions only, so only the version check can catch it).
    @Test(arguments: ["snapshot", "targets"])
    func keepsTheRolesVerifiedBeforeAVersionThatDiffersFromItsURL(role: String) async throws {
        var repo = try Repo()
        repo.recordLengthsAndHashes = false
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        try repo.publishRoot()
        try repo.publish(["targets"])
        if role == "snapshot" {
            var snapshot = repo.snapshot
            snapshot.version = 3
            repo.putMetadata("2.snapshot.json", try repo.signedBytes(snapshot, by: repo.keys["snapshot"]!))
        } else {
            var targets = repo.targets["targets"]!
            targets.version = 3
            repo.putMetadata("2.targets.json", try repo.signedBytes(targets, by: repo.keys["targets"]!))
        }
        var expected = ["root.json": repo.metadata("2.root.json")!, "timestamp.json": repo.metadata("timestamp.json")!]
        if role == "targets" { expected["snapshot.json"] = repo.metadata("2.snapshot.json")! }
        await Fixtures.expectRefused(client, .versionMismatch(role: role, expected: 2, got: 3), persisted: expected) {
            try await refresh(client)
        }
        #expect(files(client) == expected)
    }

    @Test func keepsTheSnapshotWhenTargetsDoesNotMatchItsHash() async throws {
        var repo = try Repo()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        try repo.publish(["targets"])
        try await refresh(client)
        try repo.publishTargets("targets")  // v3
        let zeros = String(repeating: "0", count: 64)
        let meta = try #require(repo.snapshot.meta["targets.json"])
        repo.snapshot.meta["targets.json"] = try MetaFile(version: 3, length: meta.length, hashes: ["sha256": zeros])
        try repo.publishSnapshot()
        try repo.publishTimestamp()
        let actual = try #require(repo.metadata("3.targets.json").map(Repo.sha256))
        await Fixtures.expectRefused(
            client, .hashMismatch(name: "targets.json", algorithm: "sha256", expected: zeros, got: actual),
            persisted: [
                "timestamp.json": repo.metadata("timestamp.json")!,
                "snapshot.json": repo.metadata("3.snapshot.json")!
            ]
        ) {
            try await refresh(client)
        }
        #expect(files(client)["targets.json"] == repo.metadata("2.targets.json"))
    }

    @Test func keepsTheTimestampWhenTheSnapshotDoesNotMatchItsHash() async throws {
        var repo = try Repo()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        try repo.publish()
        try await refresh(client)
        try repo.publishSnapshot()  // v3
        let zeros = String(repeating: "0", count: 64)
        repo.timestamp.snapshotMeta = try MetaFile(version: 3, length: repo.timestamp.snapshotMeta.length, hashes: ["sha256": zeros])
        try repo.publishTimestamp()
        let actual = try #require(repo.metadata("3.snapshot.json").map(Repo.sha256))
        await Fixtures.expectRefused(
            client, .hashMismatch(name: "snapshot.json", algorithm: "sha256", expected: zeros, got: actual),
            persisted: ["timestamp.json": repo.metadata("timestamp.json")!]
        ) {
            try await refresh(client)
        }
        #expect(files(client)["snapshot.json"] == repo.metadata("2.snapshot.json"))
    }

    @Test func keepsTheTimestampWhenItsSnapshotIsMissing() async throws {
        var repo = try Repo(consistentSnapshot: true)
        repo.recordLengthsAndHashes = false
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        try await refresh(client)
        repo.timestamp.snapshotMeta = try MetaFile(version: 2)
        try repo.publishTimestamp()
        repo.store.clearRequests()
        await Fixtures.expectRefused(
            client, .fetch(role: "snapshot", .notFound(url: Repo.metadataURL("2.snapshot.json"))),
            persisted: ["timestamp.json": repo.metadata("timestamp.json")!]
        ) {
            try await refresh(client)
        }
        #expect(repo.store.requests.last == Repo.metadataURL("2.snapshot.json"))
        #expect(files(client).keys.sorted() == ["root.json", "snapshot.json", "targets.json", "timestamp.json"])
    }

    @Test func keepsTimestampAndSnapshotWhenTheirTargetsIsMissing() async throws {
        var repo = try Repo()
        repo.recordLengthsAndHashes = false
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        try await refresh(client)
        repo.snapshot.meta["targets.json"] = try MetaFile(version: 2)
        try repo.publishSnapshot()
        try repo.publishTimestamp()
        await Fixtures.expectRefused(
            client, .fetch(role: "targets", .notFound(url: Repo.metadataURL("2.targets.json"))),
            persisted: [
                "timestamp.json": repo.metadata("timestamp.json")!,
                "snapshot.json": repo.metadata("2.snapshot.json")!
            ]
        ) {
            try await refresh(client)
        }
        #expect(files(client)["targets.json"] == repo.metadata("1.targets.json"))
    }

    /// §5.3.8 before §5.3.10: the newest root is written, then found expired; nothing after it loads.
    @Test func writesTheNewestRootEvenWhenItTurnsOutExpired() async throws {
        var repo = try Repo()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        try await refresh(client)
        try repo.publishRoot()  // v2
        try await refresh(client)
        repo.root.expires = Repo.past
        try repo.publishRoot()  // v3, expired
        try repo.publish(["targets"])
        await Fixtures.expectRefused(
            client, .expired(role: "root", expires: Repo.past, referenceTime: Fixtures.nowExpiry),
            persisted: ["root.json": repo.metadata("3.root.json")!]
        ) {
            try await refresh(client)
        }
        let timestamp = try Metadata<Timestamp>(bytes: try #require(files(client)["timestamp.json"]))
        #expect(timestamp.signed.version == 1)
    }

    @Test func keepsTheTimestampWhenTheNewSnapshotIsExpired() async throws {
        var repo = try Repo()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        try await refresh(client)
        repo.snapshot.expires = Repo.past
        try repo.publishSnapshot()
        try repo.publishTimestamp()
        await Fixtures.expectRefused(
            client, .expired(role: "snapshot", expires: Repo.past, referenceTime: Fixtures.nowExpiry),
            persisted: ["timestamp.json": repo.metadata("timestamp.json")!]
        ) {
            try await refresh(client)
        }
    }

    @Test func keepsTimestampAndSnapshotWhenTheNewTargetsIsExpired() async throws {
        var repo = try Repo()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        try await refresh(client)
        repo.targets["targets"]!.expires = Repo.past
        try repo.publish(["targets"])
        await Fixtures.expectRefused(
            client, .expired(role: "targets", expires: Repo.past, referenceTime: Fixtures.nowExpiry),
            persisted: [
                "timestamp.json": repo.metadata("timestamp.json")!,
                "snapshot.json": repo.metadata("2.snapshot.json")!
            ]
        ) {
            try await refresh(client)
        }
    }

    /// The snapshot's one valid signature appears twice: the file is refused, not the duplicate ignored.
    @Test func refusesASnapshotWithTwoSignaturesByOneKeyID() async throws {
        var repo = try Repo()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        var metadata = try Metadata<Snapshot>(bytes: try #require(repo.metadata("1.snapshot.json")))
        metadata.signatures.append(metadata.signatures[0])
        repo.putMetadata("1.snapshot.json", metadata.serialized())
        repo.recordLengthsAndHashes = false
        repo.timestamp.snapshotMeta = try MetaFile(version: 1)
        try repo.publishTimestamp()
        await Fixtures.expectRefused(
            client, "a snapshot with a repeated key id",
            persisted: ["timestamp.json": repo.metadata("timestamp.json")!],
            matching: {
                if case .malformed("snapshot", .invalidValue("snapshot.signatures[1]", "keyid", _, _)) = $0 { true } else { false }
            }
        ) {
            try await refresh(client)
        }
        #expect(files(client)["snapshot.json"] == nil)
    }

    /// S3-style stores answer 403 for a missing object: `<N+1>.root.json` → 403 ends the chain
    /// as 404 does. A 403 for anything else is a failure.
    @Test func aForbiddenNextRootEndsTheRootChain() async throws {
        var repo = try Repo()
        try repo.publishRoot()  // v2
        try repo.publish(["targets"])
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        let updater = Updater(
            metadataDirectory: client.metadataDirectory, metadataBaseURL: Repo.metadataBaseURL,
            targetBaseURL: Repo.targetBaseURL, fetcher: ForbiddenWhenMissing(store: repo.store), referenceTime: now)
        try await updater.refresh()
        #expect(files(client)["root.json"] == repo.metadata("2.root.json"))
        #expect(files(client)["targets.json"] == repo.metadata("2.targets.json"))
        #expect(repo.store.requests.contains(Repo.metadataURL("3.root.json")))

        repo.putMetadata("timestamp.json", nil)
        let again = Updater(
            metadataDirectory: client.metadataDirectory, metadataBaseURL: Repo.metadataBaseURL,
            targetBaseURL: Repo.targetBaseURL, fetcher: ForbiddenWhenMissing(store: repo.store), referenceTime: now)
        await Fixtures.expectRefused(client, .fetch(role: "timestamp", .forbidden(url: Repo.metadataURL("timestamp.json")))) {
            try await again.refresh()
        }
    }
}

/// A fetcher over the fixture's store that answers a missing file as an S3 bucket does: 403.
private struct ForbiddenWhenMissing: RemoteFetcher {
    let store: RemoteStore

    func fetch(_ url: String, maxLength: Int64) async throws -> [UInt8] {
        do { return try await InMemoryFetcher(store: store).fetch(url, maxLength: maxLength) } catch FetchError.notFound(let url) {
            throw FetchError.forbidden(url: url)
        }
    }

    func download(_ url: String, to destination: String, maxLength: Int64) async throws -> Int64 {
        do { return try await InMemoryFetcher(store: store).download(url, to: destination, maxLength: maxLength) } catch FetchError.notFound(let url) {
            throw FetchError.forbidden(url: url)
        }
    }
}
