import Foundation
import TestSupport
import Testing
@testable import Trust

/// The attacks of the TUF specification against the §5 workflow. Each test brings a client up
/// to date, lets the "attacker" change the remote, and checks the refusal and the client's
/// directories: the refused file and everything after it unchanged, the roles verified before
/// it stored (named in `persisted:`), the target directory byte-for-byte unchanged.
@Suite struct UpdaterAttackTests {
    private let now = Fixtures.now
    private typealias Repo = TUFRepositoryFixture

    private func refresh(_ client: TUFClientHarness, _ configuration: UpdaterConfiguration = .init()) async throws {
        try await client.updater(configuration: configuration, referenceTime: now).refresh()
    }

    private func targets(_ client: TUFClientHarness, _ path: String = "pkgs/root.tar") async throws {
        let updater = client.updater(referenceTime: now)
        let info = try #require(try await updater.targetInfo(for: path))
        _ = try await updater.downloadTarget(info, to: client.targetDirectory)
    }

    // MARK: rollback

    @Test func refusesATimestampRollback() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let old = repo.metadata("timestamp.json")
        try repo.publishTimestamp()
        try await refresh(client)
        repo.putMetadata("timestamp.json", old)
        await Fixtures.expectRefused(client, .rollback(role: "timestamp", file: "timestamp.json", trusted: 3, new: 2)) {
            try await refresh(client)
        }
    }

    @Test func refusesASnapshotVersionRollbackInTimestamp() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        repo.timestamp.snapshotMeta = try MetaFile(version: 1)
        try repo.publishTimestamp()
        await Fixtures.expectRefused(client, .rollback(role: "timestamp", file: "snapshot.json", trusted: 2, new: 1)) {
            try await refresh(client)
        }
    }

    @Test func refusesATargetsVersionRollbackInSnapshot() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        repo.snapshot.meta["targets.json"] = try MetaFile(version: 1)
        try repo.publishSnapshot()
        try repo.publishTimestamp()
        await Fixtures.expectRefused(
            client, .rollback(role: "snapshot", file: "targets.json", trusted: 2, new: 1), persisted: ["timestamp.json": repo.metadata("timestamp.json")!]
        ) {
            try await refresh(client)
        }
    }

    @Test func refusesASnapshotThatDropsAnEntry() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        repo.snapshot.meta["targets.json"] = nil
        try repo.publishSnapshot()
        try repo.publishTimestamp()
        await Fixtures.expectRefused(
            client, .metaRemoved(role: "snapshot", file: "targets.json"), persisted: ["timestamp.json": repo.metadata("timestamp.json")!]
        ) {
            try await refresh(client)
        }
    }

    @Test func refusesARolledBackSnapshotFile() async throws {
        var repo = try Repo()
        repo.recordLengthsAndHashes = false
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let old = repo.metadata("2.snapshot.json")
        try repo.publishSnapshot()
        try repo.publishTimestamp()
        repo.putMetadata("3.snapshot.json", old)  // version 2 served for version 3
        await Fixtures.expectRefused(
            client, .versionMismatch(role: "snapshot", expected: 3, got: 2), persisted: ["timestamp.json": repo.metadata("timestamp.json")!]
        ) {
            try await refresh(client)
        }
    }

    @Test func refusesARolledBackTargetsFile() async throws {
        var repo = try Repo()
        repo.recordLengthsAndHashes = false
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let old = repo.metadata("2.targets.json")
        try repo.publish(["targets"])
        repo.putMetadata("3.targets.json", old)
        await Fixtures.expectRefused(
            client, .versionMismatch(role: "targets", expected: 3, got: 2),
            persisted: ["timestamp.json": repo.metadata("timestamp.json")!, "snapshot.json": repo.metadata("3.snapshot.json")!]
        ) {
            try await refresh(client)
        }
    }

    // MARK: freeze

    @Test func refusesAnExpiredTimestamp() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        repo.timestamp.expires = Repo.past
        try repo.publishTimestamp()
        await Fixtures.expectRefused(client, .expired(role: "timestamp", expires: Repo.past, referenceTime: Fixtures.nowExpiry)) {
            try await refresh(client)
        }
    }

    @Test func refusesAnExpiredSnapshot() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
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

    @Test func refusesExpiredTargets() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        repo.targets["targets"]!.expires = Repo.past
        try repo.publish(["targets"])
        await Fixtures.expectRefused(
            client, .expired(role: "targets", expires: Repo.past, referenceTime: Fixtures.nowExpiry),
            persisted: ["timestamp.json": repo.metadata("timestamp.json")!, "snapshot.json": repo.metadata("3.snapshot.json")!]
        ) {
            try await refresh(client)
        }
    }

    @Test func refusesAnExpiredRoot() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        // The trusted root itself expired (the clock is past 2030) ...
        let later = Date(timeIntervalSince1970: 1_900_000_000)
        await Fixtures.expectRefused(client, .expired(role: "root", expires: Repo.expires, referenceTime: Expiry(secondsSince1970: 1_900_000_000))) {
            try await client.updater(referenceTime: later).refresh()
        }
        // ... or the newest root is expired: it is written once verified (§5.3.8), then refused
        // as the final root (§5.3.10); nothing after it is loaded.
        repo.root.expires = Repo.past
        try repo.publishRoot()
        await Fixtures.expectRefused(
            client, .expired(role: "root", expires: Repo.past, referenceTime: Fixtures.nowExpiry),
            persisted: ["root.json": repo.metadata("2.root.json")!]
        ) {
            try await refresh(client)
        }
    }

    // MARK: mix-and-match, wrong lengths and hashes, endless data

    @Test func refusesASnapshotThatDoesNotMatchTheTimestampHashes() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        try repo.publishSnapshot()
        try repo.publishTimestamp()
        // Another validly signed snapshot with the same version and length but other content.
        var other = repo.snapshot
        other.expires = Expiry(secondsSince1970: Repo.expires.secondsSince1970 - 1)
        let otherBytes = try repo.signedBytes(other, by: repo.keys["snapshot"]!)
        repo.putMetadata("3.snapshot.json", otherBytes)
        let expected = try #require(repo.timestamp.snapshotMeta.hashes?["sha256"])
        await Fixtures.expectRefused(
            client, "mix-and-match snapshot", persisted: ["timestamp.json": repo.metadata("timestamp.json")!],
            matching: {
                $0 == .hashMismatch(name: "snapshot.json", algorithm: "sha256", expected: expected, got: Repo.sha256(otherBytes))
            }
        ) { try await refresh(client) }
    }

    @Test func refusesTargetsMetadataWithAnotherHash() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        try repo.publish(["targets"])
        var other = repo.targets["targets"]!
        other.targets["pkgs/zlib.tar"]?.length = 9  // same byte count in JSON, other content
        let otherBytes = try repo.signedBytes(other, by: repo.keys["targets"]!)
        repo.putMetadata("3.targets.json", otherBytes)
        let expected = try #require(repo.snapshot.meta["targets.json"]?.hashes?["sha256"])
        await Fixtures.expectRefused(
            client, .hashMismatch(name: "targets.json", algorithm: "sha256", expected: expected, got: Repo.sha256(otherBytes)),
            persisted: ["timestamp.json": repo.metadata("timestamp.json")!, "snapshot.json": repo.metadata("3.snapshot.json")!]
        ) {
            try await refresh(client)
        }
    }

    @Test func refusesMetadataLargerThanAllowed() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        repo.putMetadata("timestamp.json", [UInt8](repeating: 0x20, count: 20_000))
        await Fixtures.expectRefused(client, .fetch(role: "timestamp", .tooLarge(url: Repo.metadataURL("timestamp.json"), limit: 16_384))) {
            try await refresh(client)
        }
        // Snapshot without a recorded length: limited by snapshotMaxLength.
        repo.recordLengthsAndHashes = false
        try repo.publishSnapshot()
        try repo.publishTimestamp()
        var configuration = UpdaterConfiguration()
        configuration.snapshotMaxLength = 100
        await Fixtures.expectRefused(
            client, .fetch(role: "snapshot", .tooLarge(url: Repo.metadataURL("3.snapshot.json"), limit: 100)),
            persisted: ["timestamp.json": repo.metadata("timestamp.json")!]
        ) {
            try await refresh(client, configuration)
        }
        // Targets with a recorded length: limited by it.
        repo.recordLengthsAndHashes = true
        try repo.publish(["targets"])
        let length = try #require(repo.snapshot.meta["targets.json"]?.length)
        repo.putMetadata("3.targets.json", (repo.metadata("3.targets.json") ?? []) + [UInt8](repeating: 0x20, count: 10))
        await Fixtures.expectRefused(
            client, .fetch(role: "targets", .tooLarge(url: Repo.metadataURL("3.targets.json"), limit: length)),
            persisted: ["timestamp.json": repo.metadata("timestamp.json")!, "snapshot.json": repo.metadata("4.snapshot.json")!]
        ) {
            try await refresh(client)
        }
    }

    // MARK: signatures

    /// A client trusting a root whose timestamp role needs 2 of 2 keys.
    private func twoKeyTimestamp() async throws -> (TUFRepositoryFixture, TUFClientHarness, [SigningKey]) {
        var repo = try Repo()
        let keys = [SigningKey.generate(), SigningKey.generate()]
        try repo.replaceKeys(of: "timestamp", with: keys, threshold: 2)
        try repo.publishRoot()
        let client = try await Fixtures.refreshedClient(&repo)
        return (repo, client, keys)
    }

    @Test func refusesSignaturesBelowTheThreshold() async throws {
        var (repo, client, keys) = try await twoKeyTimestamp()
        defer { client.remove() }
        repo.timestamp.version += 1
        repo.putMetadata("timestamp.json", try repo.signedBytes(repo.timestamp, by: [keys[0]]))
        await Fixtures.expectRefused(client, .unsigned(role: "timestamp", .thresholdNotMet(role: "timestamp", validKeyIDs: [keys[0].keyID], threshold: 2))) {
            try await refresh(client)
        }
    }

    /// Two signatures by one key id: the file is refused as malformed (the specification: key
    /// ids in `signatures` are unique), not merely counted once.
    @Test func refusesATimestampWithTwoSignaturesByOneKey() async throws {
        var (repo, client, keys) = try await twoKeyTimestamp()
        defer { client.remove() }
        repo.timestamp.version += 1
        var metadata = Metadata(signed: repo.timestamp)
        let signature = try metadata.sign(with: keys[0])
        metadata.signatures.append(signature)
        metadata.signatures.append(Signature(keyID: keys[0].keyID, sig: signature.sig))
        repo.putMetadata("timestamp.json", metadata.serialized())
        let duplicate = TrustError.invalidValue(
            context: "timestamp.signatures[1]", field: "keyid",
            expected: "a key id no other signature has", got: "'\(keys[0].keyID)' again")
        await Fixtures.expectRefused(client, .malformed(role: "timestamp", duplicate)) {
            try await refresh(client)
        }
    }

    @Test func refusesARevokedKeyAfterRotation() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let revoked = repo.keys["timestamp"]!
        try repo.replaceKeys(of: "timestamp", with: [SigningKey.generate()])
        try repo.publishRoot()
        try repo.publishTimestamp()
        try await refresh(client)
        #expect(client.trusted("root.json") == repo.rootHistory.last)
        repo.timestamp.version += 1
        repo.putMetadata("timestamp.json", try repo.signedBytes(repo.timestamp, by: revoked))
        await Fixtures.expectRefused(client, .unsigned(role: "timestamp", .thresholdNotMet(role: "timestamp", validKeyIDs: [], threshold: 1))) {
            try await refresh(client)
        }
    }

    @Test func refusesARootNotSignedByTheOldAndTheNewKeys() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let old = repo.keys["root"]!, new = [SigningKey.generate()]
        try repo.replaceKeys(of: "root", with: new)
        var next = repo.root
        next.version = 2
        repo.putMetadata("2.root.json", try repo.signedBytes(next, by: new))  // new keys only
        await Fixtures.expectRefused(client, .unsigned(role: "root", .thresholdNotMet(role: "root", validKeyIDs: [], threshold: 1))) {
            try await refresh(client)
        }
        repo.putMetadata("2.root.json", try repo.signedBytes(next, by: old))  // old keys only
        await Fixtures.expectRefused(client, .unsigned(role: "root", .thresholdNotMet(role: "root", validKeyIDs: [], threshold: 1))) {
            try await refresh(client)
        }
    }

    @Test func refusesARootVersionJump() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        var next = repo.root
        next.version = 3
        repo.putMetadata("2.root.json", try repo.signedBytes(next, by: repo.keys["root"]!))
        await Fixtures.expectRefused(client, .rootVersion(expected: 2, got: 3)) { try await refresh(client) }
    }

    // MARK: malformed metadata

    @Test func refusesMalformedJSON() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        repo.putMetadata("timestamp.json", Fixtures.bytes(#"{"signed": {"_type": "timestamp", "#))
        await Fixtures.expectRefused(
            client, "malformed JSON",
            matching: {
                if case .malformed(role: "timestamp", .json) = $0 { true } else { false }
            }
        ) { try await refresh(client) }
        repo.putMetadata("timestamp.json", Fixtures.bytes(#"{"signed": {"_type": "snapshot"}, "signatures": []}"#))
        await Fixtures.expectRefused(client, .malformed(role: "timestamp", .wrongRoleType(expected: "timestamp", got: "snapshot"))) {
            try await refresh(client)
        }
    }

    @Test func refusesAnotherSpecVersion() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        repo.timestamp.version += 1
        let bytes = try Fixtures.metadata(repo.timestamp.json, specVersion: "2.0", signer: repo.keys["timestamp"]![0])
        repo.putMetadata("timestamp.json", bytes)
        await Fixtures.expectRefused(
            client,
            .malformed(
                role: "timestamp",
                .invalidValue(
                    context: "timestamp.signed", field: "spec_version",
                    expected: "a version 1.x or 1.x.y", got: "'2.0'"))
        ) {
            try await refresh(client)
        }
    }

    @Test func refusedUpdatesLeaveTargetsUntouchedToo() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        repo.timestamp.expires = Repo.past
        try repo.publishTimestamp()
        await Fixtures.expectRefused(client, .expired(role: "timestamp", expires: Repo.past, referenceTime: Fixtures.nowExpiry)) {
            try await targets(client)
        }
    }
}
