import Foundation
import Publisher
import Testing
import TestSupport
import Trust

@Suite struct RepositoryKeysTests {
    @Test func rotatingRootKeysSignsWithOldAndNew() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("rotate", keys: keys)
        let newRoot = [SigningKey.generate(), SigningKey.generate(), SigningKey.generate()]
        let report = try repository.rotateRoot(oldRootKeys: keys.root, newRootKeys: newRoot, newThreshold: 2)
        #expect(report.rootVersion == 2 && report.resigned.isEmpty)
        try Fixtures.verify(directory)
        let root = try Metadata<Root>(bytes: try Data(contentsOf: directory.appendingPathComponent("metadata/2.root.json")))
        #expect(root.signed.roles["root"]?.threshold == 2)
        #expect(Set(root.signed.roles["root"]!.keyIDs) == Set(newRoot.map(\.keyID)))
        #expect(root.signed.keys[keys.root[0].keyID] == nil, "a retired root key stays listed")
        #expect(Set(root.signatures.map(\.keyID)) == Set((keys.root + newRoot).map(\.keyID)))
        // A second rotation needs the new keys as the old ones.
        #expect(throws: PublisherError.self) { try repository.rotateRoot(oldRootKeys: keys.root, newRootKeys: newRoot) }
        try repository.rotateRoot(oldRootKeys: Array(newRoot.prefix(2)), newRootKeys: newRoot)
        try Fixtures.verify(directory)
        #expect(try repository.load().root.signed.version == 3)
    }

    @Test func rotationBelowTheOldThresholdWritesNothing() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("below", keys: keys)
        do {
            try repository.rotateRoot(oldRootKeys: [keys.root[0]], newRootKeys: [SigningKey.generate()])
            Issue.record("one of two root keys rotated the root")
        } catch {
            #expect(String(describing: error).contains("role root needs signatures from 2"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("metadata/2.root.json").path))
    }

    @Test(arguments: ["targets", "snapshot", "timestamp"])
    func replacingARoleKeyResignsTheRoleAndWhatFollows(_ role: String) throws {
        var keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("role-\(role)", keys: keys)
        try repository.publish(try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib])), signers: keys.online)
        let fresh = SigningKey.generate()
        let report = try repository.rotateRoot(
            oldRootKeys: keys.root, newRootKeys: keys.root,
            targetsKey: role == "targets" ? fresh : nil, snapshotKey: role == "snapshot" ? fresh : nil,
            timestampKey: role == "timestamp" ? fresh : nil, otherKeys: [keys.targets, keys.snapshot, keys.timestamp])
        let expected = ["targets": ["targets", "snapshot", "timestamp"], "snapshot": ["snapshot", "timestamp"], "timestamp": ["timestamp"]]
        #expect(report.resigned == expected[role])
        let targets = try Fixtures.verify(directory)
        #expect(targets.targets.count == 1)
        let state = try repository.load()
        #expect(state.root.signed.roles[role]?.keyIDs == [fresh.keyID])
        #expect(state.timestamp.signed.version == 3)
        // The old key is out, the new one signs from now on.
        switch role {
        case "targets": keys.targets = fresh
        case "snapshot": keys.snapshot = fresh
        default: keys.timestamp = fresh
        }
        try repository.publish(try Repository.inspect(try Fixtures.tarballs([Fixtures.xz])), signers: keys.online)
        #expect(try Fixtures.verify(directory).targets.count == 2)
    }

    @Test func refreshTimestampOnlyWhenExpiring() throws {
        let keys = Fixtures.Keys()
        let directory = try Fixtures.temporaryDirectory("refresh")
        let store = RepositoryStore(location: directory.path, synchronize: false)
        try Repository(store: store, now: Fixtures.now).initialize(
            rootKeys: keys.root, rootThreshold: 2, targetsKey: keys.targets,
            snapshotKey: keys.snapshot, timestampKey: keys.timestamp)
        let later = Repository(store: store, now: Expiry(secondsSince1970: Fixtures.now.secondsSince1970 + 3600))
        let timestampOnly = Signers([keys.timestamp])
        let idle = try later.refreshTimestamp(signers: timestampOnly, ifExpiringWithin: 6 * 3600)
        #expect(!idle.refreshed && idle.version == 1)
        let done = try later.refreshTimestamp(signers: timestampOnly, ifExpiringWithin: 24 * 3600)
        #expect(done.refreshed && done.version == 2)
        #expect(done.expires.description == "2026-01-02T01:00:00Z")
        try Fixtures.verify(directory)
        // Six days on, a refresh warns that the snapshot expires first.
        let sixDays = Repository(
            store: store, expiries: try RoleExpiries(overrides: ["timestamp=2d"]),
            now: Expiry(secondsSince1970: Fixtures.now.secondsSince1970 + 6 * 86400))
        #expect(try sixDays.refreshTimestamp(signers: timestampOnly).expiringSoon == ["snapshot"])
        #expect(throws: PublisherError.self) { try later.refreshTimestamp(signers: Signers([keys.snapshot])) }
    }
}
