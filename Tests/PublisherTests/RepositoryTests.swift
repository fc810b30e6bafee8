import AlienModel
import Foundation
import Publisher
import TestSupport
import Testing
import Transport
import Trust

@Suite struct RepositoryTests {
    @Test func initWritesVersionOneOfEveryRole() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("init", keys: keys)
        let targets = try Fixtures.verify(directory)
        #expect(targets.targets.isEmpty)
        let state = try repository.load()
        #expect(state.root.signed.roles["root"]?.threshold == 2)
        #expect(Set(state.root.signed.roles["root"]!.keyIDs) == Set(keys.root.map(\.keyID)))
        #expect(state.root.signed.roles["timestamp"]?.keyIDs == [keys.timestamp.keyID])
        #expect(
            [
                state.root.signed.version, state.targets.signed.version, state.snapshot.signed.version,
                state.timestamp.signed.version
            ] == [1, 1, 1, 1])
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("metadata").path).sorted()
        #expect(names == ["1.root.json", "1.snapshot.json", "1.targets.json", "root.json", "timestamp.json"])
    }

    @Test func initUsesTheExpiriesAsked() throws {
        let directory = try Fixtures.temporaryDirectory("expiries")
        let keys = Fixtures.Keys()
        let repository = Repository(
            store: RepositoryStore(location: directory.path, synchronize: false),
            expiries: try RoleExpiries(overrides: ["timestamp=12h", "root=2030-01-01"]), now: Fixtures.now)
        let state = try repository.initialize(
            rootKeys: [keys.root[0]], rootThreshold: 1, targetsKey: keys.targets,
            snapshotKey: keys.snapshot, timestampKey: keys.timestamp)
        #expect(state.timestamp.signed.expires.description == "2026-01-01T12:00:00Z")
        #expect(state.snapshot.signed.expires.description == "2026-01-08T00:00:00Z")
        #expect(state.targets.signed.expires.description == "2026-04-01T00:00:00Z")
        #expect(state.root.signed.expires.description == "2030-01-01T00:00:00Z")
    }

    @Test func initRefusesAnExistingRepositoryAndBadThresholds() throws {
        let keys = Fixtures.Keys()
        let (repository, _) = try Fixtures.repository("reinit", keys: keys)
        #expect(throws: PublisherError.self) {
            try repository.initialize(
                rootKeys: keys.root, rootThreshold: 1, targetsKey: keys.targets, snapshotKey: keys.snapshot,
                timestampKey: keys.timestamp)
        }
        let empty = Repository(store: RepositoryStore(location: try Fixtures.temporaryDirectory("threshold").path))
        do {
            try empty.initialize(
                rootKeys: [keys.root[0], keys.root[0]], rootThreshold: 2, targetsKey: keys.targets,
                snapshotKey: keys.snapshot, timestampKey: keys.timestamp)
            Issue.record("a threshold above the distinct root keys was accepted")
        } catch {
            #expect(String(describing: error).contains("expected 1...1"))
        }
    }

    @Test func publishesTarballsWithPackageMetadata() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("publish", keys: keys)
        let files = try Fixtures.tarballs([Fixtures.zlib, Fixtures.xz, Fixtures.cmake, Fixtures.root])
        let report = try repository.publish(try Repository.inspect(files), signers: keys.online)
        #expect(report.added.count == 4)
        #expect(report.uploaded == 4)
        #expect(report.targetsVersion == 2 && report.snapshotVersion == 2 && report.timestampVersion == 2)
        let targets = try Fixtures.verify(directory)
        let rootPath = Fixtures.root.targetPath(arch: Fixtures.arch)
        #expect(rootPath == "slc9_x86-64/ROOT/ROOT-v6-32-06-1.slc9_x86-64.tar.gz")
        let custom = try #require(targets.targets[rootPath]?.custom)
        let zlibPath = Fixtures.zlib.targetPath(arch: Fixtures.arch), xzPath = Fixtures.xz.targetPath(arch: Fixtures.arch)
        let cmakePath = Fixtures.cmake.targetPath(arch: Fixtures.arch)
        #expect(
            custom
                == .object([
                    "name": .string("ROOT"), "version": .string("v6-32-06"), "revision": .string("1"), "arch": .string(Fixtures.arch),
                    "hash": .string(Fixtures.root.hash),
                    "requires": .array([.string(zlibPath), .string(xzPath), .string(cmakePath)]),
                    "full_requires": .array([.string(zlibPath), .string(xzPath), .string(cmakePath)]),
                    "build_requires": .array([.string(cmakePath)])
                ]))
        let listing = try repository.list()
        #expect(listing.targets.map { $0.package?.name } == ["CMake", "ROOT", "xz", "zlib"])
        #expect(listing.roles.map(\.version) == [1, 2, 2, 2])
    }

    @Test func republishingTheSameTarballChangesNothing() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("same", keys: keys)
        let packages = try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib]))
        try repository.publish(packages, signers: keys.online)
        let before = try Data(contentsOf: directory.appendingPathComponent("metadata/timestamp.json"))
        let again = try repository.publish(packages, signers: keys.online)
        #expect(again.unchanged == [Fixtures.zlib.targetPath(arch: Fixtures.arch)])
        #expect(again.added.isEmpty && again.uploaded == 0 && again.targetsVersion == nil)
        #expect(try Data(contentsOf: directory.appendingPathComponent("metadata/timestamp.json")) == before)
    }

    @Test func aDifferentTarballReplacesTheTarget() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("replace", keys: keys)
        let first = try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib]))[0]
        try repository.publish([first], signers: keys.online)
        var changed = Fixtures.zlib
        changed.payload = "rebuilt\n"
        let second = try Repository.inspect(try Fixtures.tarballs([changed]))[0]
        #expect(second.sha256 != first.sha256)
        let report = try repository.publish([second], signers: keys.online)
        #expect(report.replaced.map(\.sha256) == [second.sha256])
        #expect(report.targetsVersion == 3)
        let targets = try Fixtures.verify(directory)
        #expect(targets.targets[first.targetPath]?.hashes["sha256"] == second.sha256)
    }

    @Test func requirementsMustBePublishedFirst() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("missing", keys: keys)
        let packages = try Repository.inspect(try Fixtures.tarballs([Fixtures.root, Fixtures.zlib]))
        do {
            try repository.publish(packages, signers: keys.online)
            Issue.record("ROOT was published without xz")
        } catch {
            #expect(String(describing: error).contains("requires slc9_x86-64/xz/xz-v5.4.6-1.slc9_x86-64.tar.gz"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("targets").path))
        #expect(try repository.load().targets.signed.version == 1)
    }

    @Test func missingKeysFailBeforeAnythingIsWritten() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("nokey", keys: keys)
        let packages = try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib]))
        do {
            try repository.publish(packages, signers: Signers([keys.targets, keys.timestamp]))
            Issue.record("published without the snapshot key")
        } catch {
            guard case let .missingSigningKeys(role, threshold, given, authorized) = error else { throw error }
            #expect(role == "snapshot" && threshold == 1 && given == 0 && authorized == [keys.snapshot.keyID])
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("targets").path))
    }

    /// A store that refuses the timestamp (or the snapshot) leaves the old timestamp, which
    /// still describes a complete repository.
    @Test(arguments: ["metadata/timestamp.json", "metadata/2.snapshot.json", "metadata/2.targets.json"])
    func aFailedWriteLeavesThePreviousRepository(_ failing: String) throws {
        let keys = Fixtures.Keys()
        let (_, directory) = try Fixtures.repository("fail", keys: keys)
        let before = try Data(contentsOf: directory.appendingPathComponent("metadata/timestamp.json"))
        let store = RepositoryStore(source: FailingArtifactSource(DirectoryArtifactSource(root: directory, synchronize: false)) { $0 == failing })
        let packages = try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib]))
        do {
            try Repository(store: store).publish(packages, signers: keys.online)
            Issue.record("the failed write of \(failing) went unnoticed")
        } catch {
            #expect(String(describing: error).contains(failing))
            #expect(String(describing: error).contains("507"))
        }
        #expect(try Data(contentsOf: directory.appendingPathComponent("metadata/timestamp.json")) == before)
        #expect(try Fixtures.verify(directory).targets.isEmpty)
    }

    @Test func anInterruptedInitCanBeRepeated() throws {
        let directory = try Fixtures.temporaryDirectory("interrupted")
        let keys = Fixtures.Keys()
        let failing = RepositoryStore(
            source: FailingArtifactSource(DirectoryArtifactSource(root: directory, synchronize: false)) {
                $0 == "metadata/timestamp.json"
            })
        #expect(throws: PublisherError.self) {
            try Repository(store: failing).initialize(
                rootKeys: keys.root, rootThreshold: 2, targetsKey: keys.targets,
                snapshotKey: keys.snapshot, timestampKey: keys.timestamp)
        }
        let store = RepositoryStore(location: directory.path, synchronize: false)
        try Repository(store: store).initialize(
            rootKeys: keys.root, rootThreshold: 2, targetsKey: keys.targets,
            snapshotKey: keys.snapshot, timestampKey: keys.timestamp)
        try Fixtures.verify(directory)
    }

    @Test func expiriesMustLieAhead() throws {
        let keys = Fixtures.Keys()
        let repository = Repository(
            store: RepositoryStore(location: try Fixtures.temporaryDirectory("past").path),
            expiries: try RoleExpiries(overrides: ["timestamp=2020-01-01"]), now: Fixtures.now)
        do {
            try repository.initialize(
                rootKeys: keys.root, rootThreshold: 2, targetsKey: keys.targets, snapshotKey: keys.snapshot,
                timestampKey: keys.timestamp)
            Issue.record("metadata expiring in the past was signed")
        } catch {
            #expect(String(describing: error).contains("timestamp metadata would expire at 2020-01-01T00:00:00Z"))
        }
    }

    @Test func loadRefusesTamperedMetadata() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("tamper", keys: keys)
        let file = directory.appendingPathComponent("metadata/1.targets.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"version\":1", with: "\"version\":1,\"x\":1")
        try text.write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try repository.load()
            Issue.record("tampered targets metadata loaded")
        } catch {
            #expect(String(describing: error).contains("1.targets.json"))
            #expect(String(describing: error).contains("valid signature"))
        }
        let empty = Repository(store: RepositoryStore(location: try Fixtures.temporaryDirectory("none").path))
        #expect(throws: PublisherError.self) { try empty.load() }
    }
}
