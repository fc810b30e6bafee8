import Foundation
import TestSupport
import Testing
@testable import Trust

/// The pure state machine, driven directly with a fixture's bytes.
@Suite struct TrustedMetadataSetTests {
    private typealias Repo = TUFRepositoryFixture
    private let now = Fixtures.nowExpiry

    private func loaded(_ repo: Repo) throws -> TrustedMetadataSet {
        var set = try TrustedMetadataSet(rootBytes: repo.initialRootBytes, referenceTime: now)
        try set.updateTimestamp(try #require(repo.metadata("timestamp.json")))
        try set.updateSnapshot(try #require(repo.metadata("\(repo.snapshot.version).snapshot.json")))
        try set.updateTargets(try #require(repo.metadata("\(repo.targets["targets"]!.version).targets.json")))
        return set
    }

    @Test func loadsTheTopLevelRolesInOrder() throws {
        var repo = try Repo()
        try repo.addTarget("a", content: [1])
        try repo.publish()
        let set = try loaded(repo)
        #expect(set.timestamp?.version == 2)
        #expect(set.snapshot?.version == 2)
        #expect(set.targets?.targets["a"]?.length == 1)
        #expect(set.contains(role: "targets", delegator: "root"))
        #expect(!set.contains(role: "targets", delegator: "targets"))
    }

    @Test func refusesUpdatesOutOfOrder() throws {
        let repo = try Repo()
        var set = try TrustedMetadataSet(rootBytes: repo.initialRootBytes, referenceTime: now)
        let snapshot = try #require(repo.metadata("1.snapshot.json"))
        #expect(throws: UpdaterError.outOfOrder("cannot update snapshot before timestamp")) { try set.updateSnapshot(snapshot) }
        #expect(throws: UpdaterError.outOfOrder("cannot load targets before snapshot")) {
            try set.updateTargets(try #require(repo.metadata("1.targets.json")))
        }
        try set.updateTimestamp(try #require(repo.metadata("timestamp.json")))
        #expect(throws: UpdaterError.outOfOrder("cannot update root after timestamp")) { try set.updateRoot(repo.initialRootBytes) }
    }

    @Test func keepsAnExpiredTimestampAsIntermediateForRollbackChecks() throws {
        var repo = try Repo()
        repo.timestamp.version = 10
        repo.timestamp.expires = Repo.past
        try repo.publishTimestamp()
        let expired = try #require(repo.metadata("timestamp.json"))
        var set = try TrustedMetadataSet(rootBytes: repo.initialRootBytes, referenceTime: now)
        #expect(throws: UpdaterError.expired(role: "timestamp", expires: Repo.past, referenceTime: now)) { try set.updateTimestamp(expired) }
        #expect(set.timestamp?.version == 11)  // publishTimestamp bumps the version
        // An older (valid) timestamp is a rollback against the intermediate one.
        repo.timestamp.version = 5
        repo.timestamp.expires = Repo.expires
        try repo.publishTimestamp()
        #expect(throws: UpdaterError.rollback(role: "timestamp", file: "timestamp.json", trusted: 11, new: 6)) {
            try set.updateTimestamp(try #require(repo.metadata("timestamp.json")))
        }
        // The same version is no error and keeps the trusted one; snapshot then sees it expired.
        #expect(try set.updateTimestamp(expired) == .sameVersion)
        #expect(throws: UpdaterError.expired(role: "timestamp", expires: Repo.past, referenceTime: now)) {
            try set.updateSnapshot(try #require(repo.metadata("1.snapshot.json")))
        }
    }

    @Test func keepsAMismatchedSnapshotAsIntermediate() throws {
        var repo = try Repo()
        let first = try #require(repo.metadata("1.snapshot.json"))
        try repo.publish(["targets"])
        var set = try TrustedMetadataSet(rootBytes: repo.initialRootBytes, referenceTime: now)
        try set.updateTimestamp(try #require(repo.metadata("timestamp.json")))
        // The local copy (trusted: no hash check) of version 1 while the timestamp names 2.
        #expect(throws: UpdaterError.versionMismatch(role: "snapshot", expected: 2, got: 1)) { try set.updateSnapshot(first, trusted: true) }
        #expect(set.snapshot?.version == 1)
        try set.updateSnapshot(try #require(repo.metadata("2.snapshot.json")))
        #expect(set.snapshot?.version == 2)
        try set.updateTargets(try #require(repo.metadata("2.targets.json")))
    }

    @Test func verifiesDelegatedRolesAgainstTheirDelegator() throws {
        var repo = try Repo()
        let key = SigningKey.generate()
        try repo.delegate(DelegatedRole(name: "d", keyIDs: [key.keyID], threshold: 1, terminating: false, paths: .paths(["*"])), signers: [key])
        try repo.publish()
        var set = try loaded(repo)
        let bytes = try #require(repo.metadata("1.d.json"))
        #expect(throws: UpdaterError.outOfOrder("cannot load d before its delegator other")) {
            try set.updateDelegatedTargets(bytes, role: "d", delegator: "other")
        }
        #expect(throws: UpdaterError.outOfOrder("root delegates only 'targets', not 'd'")) {
            try set.updateDelegatedTargets(bytes, role: "d", delegator: "root")
        }
        try set.updateDelegatedTargets(bytes, role: "d", delegator: "targets")
        #expect(set.contains(role: "d", delegator: "targets"))
        #expect(set.targetsRoles["d"]?.version == 1)
    }
}
