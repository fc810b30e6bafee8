import Foundation
import TestSupport
import Testing
@testable import Trust

@Suite struct UpdaterTests {
    private let now = Fixtures.now
    private func bytes(_ text: String) -> [UInt8] { Fixtures.bytes(text) }

    @Test func refreshesPersistsAndDownloads() async throws {
        var repo = try TUFRepositoryFixture()
        try repo.addTarget("pkgs/zlib.tar", content: bytes("zlib 1.3"))
        try repo.publish(["targets"])
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)
        try await updater.refresh()
        #expect(client.trusted("root.json") == repo.initialRootBytes)
        #expect(client.trusted("timestamp.json") == repo.metadata("timestamp.json"))
        #expect(client.trusted("snapshot.json") == repo.metadata("2.snapshot.json"))
        #expect(client.trusted("targets.json") == repo.metadata("2.targets.json"))
        let info = try #require(try await updater.targetInfo(for: "pkgs/zlib.tar"))
        #expect(info.role == "targets")
        #expect(info.file.length == 8)
        let path = try await updater.downloadTarget(info, to: client.targetDirectory)
        #expect(path == client.targetDirectory + "/pkgs/zlib.tar")
        #expect(FileManager.default.contents(atPath: path) == Data("zlib 1.3".utf8))
        #expect(try await updater.targetInfo(for: "pkgs/none.tar") == nil)
        #expect(repo.store.requestCount(repo.targetURL("pkgs/zlib.tar")) == 1)
        #expect(repo.targetURL("pkgs/zlib.tar").hasSuffix("/pkgs/\(TUFRepositoryFixture.sha256(bytes("zlib 1.3"))).zlib.tar"))
    }

    @Test func aSecondRefreshKeepsValidLocalSnapshotAndTargets() async throws {
        var repo = try TUFRepositoryFixture()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        repo.store.clearRequests()
        try await client.updater(referenceTime: now).refresh()
        #expect(repo.store.requests == [TUFRepositoryFixture.metadataURL("2.root.json"), TUFRepositoryFixture.metadataURL("timestamp.json")])

        // A new timestamp naming the same snapshot: the timestamp is replaced, nothing else fetched.
        try repo.publishTimestamp()
        repo.store.clearRequests()
        try await client.updater(referenceTime: now).refresh()
        #expect(client.trusted("timestamp.json") == repo.metadata("timestamp.json"))
        #expect(repo.store.requests.count == 2)
    }

    @Test func refreshRunsOnceForConcurrentCallers() async throws {
        var repo = try TUFRepositoryFixture()
        try repo.publish(["targets"])
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)
        async let first: Void = updater.refresh()
        async let second: Void = updater.refresh()
        _ = try await (first, second)
        try await updater.refresh()
        #expect(repo.store.requestCount(TUFRepositoryFixture.metadataURL("timestamp.json")) == 1)
    }

    @Test func worksWithoutConsistentSnapshots() async throws {
        var repo = try TUFRepositoryFixture(consistentSnapshot: false)
        try repo.addTarget("a/b/c.txt", content: bytes("plain"))
        try repo.publish(["targets"])
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)
        let info = try #require(try await updater.targetInfo(for: "a/b/c.txt"))
        let path = try await updater.downloadTarget(info, to: client.targetDirectory)
        #expect(FileManager.default.contents(atPath: path) == Data("plain".utf8))
        let requested = Set(repo.store.requests)
        #expect(requested.contains(TUFRepositoryFixture.metadataURL("snapshot.json")))
        #expect(requested.contains(TUFRepositoryFixture.metadataURL("targets.json")))
        #expect(requested.contains(TUFRepositoryFixture.targetBaseURL + "a/b/c.txt"))
    }

    @Test func initializeChecksTheRootAndRefreshNeedsIt() async throws {
        let repo = try TUFRepositoryFixture()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var tampered = try Metadata<Root>(bytes: repo.initialRootBytes)
        tampered.signed.version = 7
        #expect(throws: UpdaterError.unsigned(role: "root", .thresholdNotMet(role: "root", validKeyIDs: [], threshold: 1))) {
            try Updater.initialize(rootBytes: tampered.serialized(), metadataDirectory: directory.path + "/m")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/m"))
        let updater = Updater(
            metadataDirectory: directory.path + "/m", metadataBaseURL: TUFRepositoryFixture.metadataBaseURL,
            targetBaseURL: nil, fetcher: repo.fetcher())
        await #expect(throws: UpdaterError.notInitialized(metadataDirectory: directory.path + "/m")) { try await updater.refresh() }
    }

    // MARK: root rotation

    @Test func followsARootRotationChain() async throws {
        var repo = try TUFRepositoryFixture()
        try repo.publish(["targets"])
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        for _ in 0..<3 {
            try repo.replaceKeys(of: "root", with: [SigningKey.generate(), SigningKey.generate()], threshold: 2)
            try repo.publishRoot()
        }
        try repo.replaceKeys(of: "targets", with: [SigningKey.generate()])
        try repo.publishRoot()
        try repo.publish(["targets"])
        try await client.updater(referenceTime: now).refresh()
        #expect(client.trusted("root.json") == repo.rootHistory.last)
        #expect(try Metadata<Root>(bytes: client.trusted("root.json") ?? []).signed.version == 5)
        #expect(client.trusted("targets.json") == repo.metadata("\(repo.targets["targets"]!.version).targets.json"))
        let roots = repo.store.requests.filter { $0.hasSuffix(".root.json") }
        #expect(roots == (2...6).map { TUFRepositoryFixture.metadataURL("\($0).root.json") })
    }

    @Test func acceptsAnExpiredIntermediateRoot() async throws {
        var repo = try TUFRepositoryFixture()
        try repo.publish(["targets"])
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        repo.root.expires = TUFRepositoryFixture.past
        try repo.publishRoot()
        repo.root.expires = TUFRepositoryFixture.expires
        try repo.publishRoot()
        try await client.updater(referenceTime: now).refresh()
        #expect(client.trusted("root.json") == repo.rootHistory[2])
    }

    @Test func retriesAFailedRefreshFromTheFilesOnDisk() async throws {
        var repo = try TUFRepositoryFixture()
        try repo.publish(["targets"])
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        let good = repo.metadata("timestamp.json")
        repo.putMetadata("timestamp.json", nil)
        let updater = client.updater(referenceTime: now)
        await #expect(throws: UpdaterError.fetch(role: "timestamp", .notFound(url: TUFRepositoryFixture.metadataURL("timestamp.json")))) {
            try await updater.refresh()
        }
        repo.putMetadata("timestamp.json", good)
        try await updater.refresh()
        #expect(client.trusted("timestamp.json") == good)
    }

    @Test func boundsTheRotationsOfOneRefresh() async throws {
        var repo = try TUFRepositoryFixture()
        try repo.publish(["targets"])
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        for _ in 0..<4 { try repo.publishRoot() }  // up to v5, same keys
        var configuration = UpdaterConfiguration()
        configuration.maxRootRotations = 2
        try await client.updater(configuration: configuration, referenceTime: now).refresh()
        #expect(try Metadata<Root>(bytes: client.trusted("root.json") ?? []).signed.version == 3)
        #expect(repo.store.requestCount(TUFRepositoryFixture.metadataURL("4.root.json")) == 0)
        try await client.updater(configuration: configuration, referenceTime: now).refresh()
        #expect(try Metadata<Root>(bytes: client.trusted("root.json") ?? []).signed.version == 5)
    }

    @Test func recoversFromAFastForwardAttackWhenTheTimestampKeyRotates() async throws {
        var repo = try TUFRepositoryFixture()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        // The compromised timestamp key signs a timestamp with a huge version; the client takes it.
        let honest = repo.timestamp
        repo.timestamp.version = 1_000_000
        try repo.publishTimestamp()
        try await client.updater(referenceTime: now).refresh()
        #expect(try Metadata<Timestamp>(bytes: client.trusted("timestamp.json") ?? []).signed.version == 1_000_001)
        // Honest timestamps are now refused as rollbacks ...
        repo.timestamp = honest
        try repo.publishTimestamp()
        await Fixtures.expectRefused(client, .rollback(role: "timestamp", file: "timestamp.json", trusted: 1_000_001, new: honest.version + 1)) {
            try await client.updater(referenceTime: now).refresh()
        }
        // ... until root rotates the timestamp key: the client forgets the old timestamp.
        try repo.replaceKeys(of: "timestamp", with: [SigningKey.generate()])
        try repo.publishRoot()
        try repo.publishTimestamp()
        try await client.updater(referenceTime: now).refresh()
        #expect(client.trusted("timestamp.json") == repo.metadata("timestamp.json"))
        #expect(client.trusted("root.json") == repo.rootHistory.last)
    }

    @Test func removesTimestampAndSnapshotWhenTheirKeysRotate() async throws {
        var repo = try TUFRepositoryFixture()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        try repo.replaceKeys(of: "snapshot", with: [SigningKey.generate()])
        try repo.publishRoot()
        // The repository has not re-signed yet: the root is kept, the old timestamp and snapshot
        // are forgotten, the timestamp (same key) is verified and stored again, and the refresh
        // fails on the old snapshot's signature.
        let updater = client.updater(referenceTime: now)
        await #expect(throws: UpdaterError.self) { try await updater.refresh() }
        #expect(client.trusted("root.json") == repo.rootHistory.last)
        #expect(client.trusted("snapshot.json") == nil)
        #expect(client.trusted("timestamp.json") == repo.metadata("timestamp.json"))
        try repo.publish()
        try await client.updater(referenceTime: now).refresh()
        #expect(client.trusted("snapshot.json") == repo.metadata("\(repo.snapshot.version).snapshot.json"))
    }

    // MARK: delegations

    private func role(_ name: String, _ patterns: [String], terminating: Bool = false, key: SigningKey) throws -> DelegatedRole {
        try DelegatedRole(name: name, keyIDs: [key.keyID], threshold: 1, terminating: terminating, paths: .paths(patterns))
    }

    @Test func searchesDelegationsPreOrderWithTerminatingRoles() async throws {
        var repo = try TUFRepositoryFixture()
        let key = SigningKey.generate()
        try repo.delegate(role("first", ["pkgs/*"], key: key), signers: [key])
        try repo.delegate(role("nested", ["pkgs/*.tar"], key: key), from: "first", signers: [key])
        try repo.delegate(role("second", ["pkgs/*"], key: key), signers: [key])
        try repo.delegate(role("stop", ["stop/*"], terminating: true, key: key), signers: [key])
        try repo.delegate(role("after-stop", ["stop/*"], key: key), signers: [key])
        try repo.addTarget("pkgs/a.tar", content: bytes("nested a"), role: "nested")
        try repo.addTarget("pkgs/a.tar", content: bytes("second a"), role: "second")
        try repo.addTarget("pkgs/b.zip", content: bytes("second b"), role: "second")
        try repo.addTarget("stop/x", content: bytes("after x"), role: "after-stop")
        try repo.publish()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)

        let a = try #require(try await updater.targetInfo(for: "pkgs/a.tar"))
        #expect(a.role == "nested")  // pre-order: first → nested before second
        #expect(a.file.length == 8)
        #expect(try await updater.targetInfo(for: "pkgs/b.zip")?.role == "second")  // backtracks past first
        #expect(try await updater.targetInfo(for: "stop/x") == nil)  // 'stop' is terminating
        #expect(repo.store.requestCount(TUFRepositoryFixture.metadataURL("1.after-stop.json")) == 0)
        #expect(client.trusted("nested.json") == repo.metadata("1.nested.json"))
        #expect(client.trusted("stop.json") == repo.metadata("1.stop.json"))

        // A new updater finds everything in the local files: only root and timestamp fetched.
        repo.store.clearRequests()
        #expect(try await client.updater(referenceTime: now).targetInfo(for: "pkgs/b.zip")?.role == "second")
        #expect(repo.store.requests.count == 2)
    }

    @Test func findsTargetsInSuccinctHashBins() async throws {
        var repo = try TUFRepositoryFixture()
        let key = SigningKey.generate()
        let bins = try repo.delegateHashBins(prefix: "bins", bitLength: 4, signers: [key])
        let paths = (0..<20).map { "pkgs/package-\($0).tar" }
        for path in paths { try repo.addTarget(path, content: bytes("content of \(path)"), role: bins.roleName(for: path)) }
        try repo.publish()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)
        for path in paths {
            let info = try #require(try await updater.targetInfo(for: path))
            #expect(info.role == bins.roleName(for: path))
            let file = try await updater.downloadTarget(info, to: client.targetDirectory)
            #expect(FileManager.default.contents(atPath: file) == Data("content of \(path)".utf8))
        }
        // An unlisted path: only its own bin is fetched.
        repo.store.clearRequests()
        #expect(try await updater.targetInfo(for: "pkgs/unknown.tar") == nil)
        #expect(repo.store.requests.count <= 1)
        #expect(bins.roleNames.count == 16)
    }

    /// Targets roles are written without a sync (their trust comes from the synced snapshot):
    /// a copy a crash left torn, empty or missing is refused on the next load and fetched again.
    @Test func aTargetsRoleTornOrLostInACrashIsFetchedAgain() async throws {
        var repo = try TUFRepositoryFixture()
        let bins = try repo.delegateHashBins(prefix: "bins", bitLength: 2, signers: [SigningKey.generate()])
        let paths = (0..<8).map { "pkgs/package-\($0).tar" }
        for path in paths { try repo.addTarget(path, content: bytes("content of \(path)"), role: bins.roleName(for: path)) }
        try repo.publish()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        let first = client.updater(referenceTime: now)
        for path in paths { #expect(try await first.targetInfo(for: path) != nil) }
        let torn = bins.roleName(for: paths[0]), lost = bins.roleName(for: paths.first { bins.roleName(for: $0) != torn }!)
        let tornFile = "\(client.metadataDirectory)/\(torn).json", lostFile = "\(client.metadataDirectory)/\(lost).json"
        let targetsFile = "\(client.metadataDirectory)/targets.json"
        let intact = (targets: client.trusted("targets.json"), torn: client.trusted("\(torn).json"))
        for file in [targetsFile, tornFile] {
            let whole = try #require(FileManager.default.contents(atPath: file))
            try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: file))
        }
        try FileManager.default.removeItem(atPath: lostFile)

        repo.store.clearRequests()
        let second = client.updater(referenceTime: now)
        for path in paths { #expect(try await second.targetInfo(for: path)?.role == bins.roleName(for: path)) }
        #expect(client.trusted("targets.json") == intact.targets)
        #expect(client.trusted("\(torn).json") == intact.torn)
        #expect(FileManager.default.fileExists(atPath: lostFile))
        let fetched = Set(repo.store.requests.map { String($0.split(separator: "/").last!) })
        #expect(fetched.contains { $0.hasSuffix(".targets.json") || $0 == "targets.json" })
        #expect(fetched.contains { $0.hasSuffix("\(torn).json") } && fetched.contains { $0.hasSuffix("\(lost).json") })
    }

    @Test func stopsAfterTheVisitLimit() async throws {
        var repo = try TUFRepositoryFixture()
        let key = SigningKey.generate()
        var parent = "targets"
        for index in 1...5 {
            try repo.delegate(role("level\(index)", ["*"], key: key), from: parent, signers: [key])
            parent = "level\(index)"
        }
        try repo.addTarget("deep", content: bytes("deep"), role: "level5")
        try repo.publish()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        var configuration = UpdaterConfiguration()
        configuration.maxDelegations = 3
        #expect(try await client.updater(configuration: configuration, referenceTime: now).targetInfo(for: "deep") == nil)
        // As python-tuf: while at most maxDelegations roles were visited, visit one more
        // (targets + level1...level3).
        #expect(repo.store.requestCount(TUFRepositoryFixture.metadataURL("1.level3.json")) == 1)
        #expect(repo.store.requestCount(TUFRepositoryFixture.metadataURL("1.level4.json")) == 0)
        #expect(try await client.updater(referenceTime: now).targetInfo(for: "deep")?.role == "level5")
    }

    @Test func encodesRoleNamesInURLsAndFileNames() async throws {
        var repo = try TUFRepositoryFixture()
        let key = SigningKey.generate()
        try repo.delegate(role("team/a b", ["x/*"], key: key), signers: [key])
        try repo.addTarget("x/y", content: bytes("y"), role: "team/a b")
        try repo.publish()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        #expect(try await client.updater(referenceTime: now).targetInfo(for: "x/y")?.role == "team/a b")
        #expect(repo.store.requestCount(TUFRepositoryFixture.metadataURL("1.team%2Fa%20b.json")) == 1)
        #expect(client.trusted("team%2Fa%20b.json") == repo.metadata("1.team%2Fa%20b.json"))
    }

    @Test func refusesADelegatedRoleSignedByTheWrongKeyOrMissingFromSnapshot() async throws {
        var repo = try TUFRepositoryFixture()
        let key = SigningKey.generate(), other = SigningKey.generate()
        try repo.delegate(role("signed-wrong", ["a/*"], key: key), signers: [other])
        try repo.delegate(role("unlisted", ["b/*"], key: key), signers: [key])
        try repo.publish()
        repo.snapshot.meta["unlisted.json"] = nil
        try repo.publishSnapshot()
        try repo.publishTimestamp()
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        try await client.updater(referenceTime: now).refresh()
        await Fixtures.expectRefused(client, .unsigned(role: "signed-wrong", .thresholdNotMet(role: "signed-wrong", validKeyIDs: [], threshold: 1))) {
            _ = try await client.updater(referenceTime: now).targetInfo(for: "a/x")
        }
        await Fixtures.expectRefused(client, .missingMeta(role: "unlisted", file: "unlisted.json")) {
            _ = try await client.updater(referenceTime: now).targetInfo(for: "b/x")
        }
    }
}
