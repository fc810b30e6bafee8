import Crypto
import Foundation
import Publisher
import Testing
import TestSupport
import Transport
import Trust

/// Release managers publishing at the same time into one repository (issue 15 §6): every
/// change is a transaction under the store's writer lock, versioned metadata is never
/// overwritten, and nobody's packages are lost.
@Suite struct RepositoryTransactionTests {
    static let publishers = 4
    static let packagesEach = 3

    /// Distinct packages for each publisher (no requirements, so each batch stands alone).
    private static func batches() throws -> [[PackageTarball]] {
        try (0..<publishers).map { publisher in
            let packages = (0..<packagesEach).map { FixturePackage(name: "pkg\(publisher)x\($0)", version: "v1") }
            return try Repository.inspect(try Fixtures.tarballs(packages))
        }
    }

    /// Runs `body(index)` on `count` threads that start together; returns each outcome.
    private static func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, any Error>] {
        let results = Slots<Result<T, any Error>>(count: count)
        let start = DispatchSemaphore(value: 0), done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            let thread = Thread {
                start.wait()
                results.set(index, Result { try body(index) })
                done.leave()
            }
            thread.start()
        }
        for _ in 0..<count { start.signal() }
        done.wait()
        return results.values
    }

    /// The checks every concurrent run ends with, from the bytes on disk: the union of all
    /// batches is listed; every publisher got its own targets, snapshot and timestamp
    /// versions; each `N.snapshot.json` names `N.targets.json` by the sha256 of the file as it
    /// is now (so none was rewritten after being referenced), and each targets version holds
    /// the previous one's targets plus one batch (no lost update).
    private static func checkHistory(_ directory: URL, batches: [[PackageTarball]], reports: [PublishReport]) throws {
        let final = try Fixtures.verify(directory)
        let all = Set(batches.flatMap { $0.map(\.targetPath) })
        #expect(Set(final.targets.keys) == all)
        for key in [\PublishReport.targetsVersion, \PublishReport.snapshotVersion, \PublishReport.timestampVersion] {
            let versions = reports.compactMap { $0[keyPath: key] }
            #expect(versions.count == publishers && Set(versions) == Set(2...Int64(publishers + 1)), "\(versions)")
        }
        var previous: Set<String> = []
        for version in 2...publishers + 1 {
            let snapshotData = try Data(contentsOf: directory.appendingPathComponent("metadata/\(version).snapshot.json"))
            let snapshot = try Metadata<Snapshot>(bytes: [UInt8](snapshotData))
            let meta = try #require(snapshot.signed.meta["targets.json"])
            #expect(meta.version == Int64(version))
            let targetsData = try Data(contentsOf: directory.appendingPathComponent("metadata/\(version).targets.json"))
            #expect(meta.hashes?["sha256"] == Fixtures.sha256(targetsData), "\(version).targets.json changed after \(version).snapshot.json named it")
            let paths = Set(try Metadata<Targets>(bytes: [UInt8](targetsData)).signed.targets.keys)
            let added = paths.subtracting(previous)
            #expect(
                paths.isSuperset(of: previous) && added.count == packagesEach
                    && batches.contains { Set($0.map(\.targetPath)) == added }, "version \(version) added \(added.sorted())")
            previous = paths
        }
    }

    @Test func concurrentPublishersOnADirectoryAllLand() throws {
        let keys = Fixtures.Keys()
        let (_, directory) = try Fixtures.repository("concurrent-dir", keys: keys)
        let batches = try Self.batches()
        let outcomes = Self.concurrently(Self.publishers) { index in
            try Repository(store: RepositoryStore(location: directory.path, synchronize: false)).publish(batches[index], signers: keys.online)
        }
        let reports = try outcomes.map { try $0.get() }
        try Self.checkHistory(directory, batches: batches, reports: reports)
        // The lock file is hidden (neither `alien-install serve` nor the shipped nginx config serve it).
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(".publish.lock").path))
    }

    @Test(.enabled(if: PythonTUFClient.available, PythonTUFClient.skipReason))
    func concurrentPublishersThroughWebDAVAllLandAndPythonTUFReadsThem() throws {
        let served = try Fixtures.temporaryDirectory("concurrent-dav")
        let server = try NginxServer(root: served, writable: true)
        defer { server.stop() }
        let url = server.baseURL.absoluteString + "/repo"
        let keys = Fixtures.Keys()
        try Repository(store: RepositoryStore(location: url))
            .initialize(rootKeys: keys.root, rootThreshold: 2, targetsKey: keys.targets, snapshotKey: keys.snapshot, timestampKey: keys.timestamp)
        let batches = try Self.batches()
        let outcomes = Self.concurrently(Self.publishers) { index in
            try Repository(store: RepositoryStore(location: url)).publish(batches[index], signers: keys.online)
        }
        let reports = try outcomes.map { try $0.get() }
        let directory = served.appendingPathComponent("repo")
        try Self.checkHistory(directory, batches: batches, reports: reports)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".publish.lock").path), "the lock was released")

        // python-tuf's client, from root v1, finds every package.
        let client = try Fixtures.temporaryDirectory("concurrent-client")
        let metadataDir = client.appendingPathComponent("metadata"), targetDir = client.appendingPathComponent("targets")
        try FileManager.default.createDirectory(at: metadataDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: targetDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: directory.appendingPathComponent("metadata/1.root.json"), to: metadataDir.appendingPathComponent("root.json"))
        let packages = batches.flatMap { $0 }
        let answer = try PythonTUFClient.run(base: url, metadataDir: metadataDir, targetDir: targetDir, paths: packages.map(\.targetPath))
        for package in packages {
            #expect((answer.targets[package.targetPath] ?? nil)?.sha256 == package.sha256, "\(package.targetPath)")
        }

        // Every versioned metadata file was PUT once, as a new file (201; 204 would be a replacement).
        server.stop()  // nginx logs a request after answering it
        let puts = server.accessLogLines.filter { $0.hasPrefix("\"PUT /repo/metadata/") && !$0.contains("/timestamp.json") && !$0.contains("/root.json ") }
        let names = puts.map { $0.split(separator: " ")[1] }
        #expect(Set(names).count == names.count, "a versioned file was PUT twice: \(puts)")
        #expect(puts.allSatisfy { $0.hasSuffix(" 201") }, "\(puts)")
        #expect(server.accessLogLines.contains { $0.hasPrefix("\"MKCOL /repo/.publish.lock/ ") && $0.hasSuffix(" 201") })
    }

    /// An interrupted publish left `2.targets.json` and `2.snapshot.json` that no timestamp
    /// names: the next publish leaves them alone and takes version 3.
    private static func skipsTakenVersions(directory: URL, location: String, keys: Fixtures.Keys) throws {
        let leftovers = ["2.targets.json": Data("left by a killed publish".utf8), "2.snapshot.json": Data("also".utf8)]
        for (name, data) in leftovers { try data.write(to: directory.appendingPathComponent("metadata/\(name)")) }
        let packages = try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib]))
        let report = try Repository(store: RepositoryStore(location: location)).publish(packages, signers: keys.online)
        #expect(report.targetsVersion == 3 && report.snapshotVersion == 3 && report.timestampVersion == 2)
        for (name, data) in leftovers {
            #expect(try Data(contentsOf: directory.appendingPathComponent("metadata/\(name)")) == data)
        }
        #expect(try Fixtures.verify(directory).targets.keys.sorted() == [Fixtures.zlib.targetPath(arch: Fixtures.arch)])
    }

    @Test func takenVersionsAreSkippedNotOverwrittenInADirectory() throws {
        let keys = Fixtures.Keys()
        let (_, directory) = try Fixtures.repository("taken", keys: keys)
        try Self.skipsTakenVersions(directory: directory, location: directory.path, keys: keys)
    }

    @Test(.enabled(if: RepositoryStoreTests.nginxAvailable, "nginx is not installed: run make deps"))
    func takenVersionsAreSkippedNotOverwrittenThroughWebDAV() throws {
        let keys = Fixtures.Keys()
        let served = try Fixtures.temporaryDirectory("taken-dav")
        let server = try NginxServer(root: served, writable: true)
        defer { server.stop() }
        let location = server.baseURL.absoluteString + "/repo"
        try Repository(store: RepositoryStore(location: location))
            .initialize(rootKeys: keys.root, rootThreshold: 2, targetsKey: keys.targets, snapshotKey: keys.snapshot, timestampKey: keys.timestamp)
        try Self.skipsTakenVersions(directory: served.appendingPathComponent("repo"), location: location, keys: keys)
    }

    @Test func aStoreWhoseVersionedNamesAreAlwaysTakenEndsInAConflict() throws {
        let keys = Fixtures.Keys()
        let (_, directory) = try Fixtures.repository("always-taken", keys: keys)
        var repository = Repository(store: RepositoryStore(source: AlwaysTaken(inner: DirectoryArtifactSource(root: directory, synchronize: false))))
        repository.maxAttempts = 3
        let before = try Fixtures.verify(directory)
        let packages = try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib]))
        let error = #expect(throws: PublisherError.self) { try repository.publish(packages, signers: keys.online) }
        guard case let .conflict(file, attempts)? = error else { Issue.record("not a conflict: \(String(describing: error))"); return }
        #expect(attempts == 3 && file.hasSuffix("metadata/4.targets.json"), "\(file)")
        #expect(try Fixtures.verify(directory) == before, "the timestamp still names the old metadata")
    }

    @Test func aHeldLockMakesTheNextWriterWaitThenNamesItsHolder() throws {
        let keys = Fixtures.Keys()
        let (_, directory) = try Fixtures.repository("held", keys: keys)
        let store = RepositoryStore(location: directory.path, synchronize: false)
        let held = try store.lockWriters(waitingUpTo: 0)
        var repository = Repository(store: store)
        repository.lockWait = 0.2
        let packages = try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib]))
        let error = #expect(throws: PublisherError.self) { try repository.publish(packages, signers: keys.online) }
        guard case let .transport(.locked(location, holder, _))? = error else { Issue.record("not locked: \(String(describing: error))"); return }
        #expect(location.hasSuffix("/.publish.lock") && holder.contains("pid \(getpid())"), "\(location): \(holder)")
        held.release()
        // From here on the lock is free, so a wait only covers a child process another test of
        // this process forks meanwhile: until it execs, it shares the lock's open file (a hang catcher).
        repository.lockWait = 300
        #expect(try repository.publish(packages, signers: keys.online).targetsVersion == 2)
        // A change refused inside the transaction (no timestamp key) releases the lock too.
        #expect(throws: PublisherError.self) { try repository.refreshTimestamp(signers: Signers([keys.targets])) }
        try store.lockWriters(waitingUpTo: 300).release()
    }
}

/// A store where every versioned metadata name is taken (as if another writer always got there first).
private struct AlwaysTaken: ArtifactSource {
    let inner: DirectoryArtifactSource
    var location: String { inner.location }
    func exists(_ path: String) throws(TransportError) -> Bool { try inner.exists(path) }
    func get(_ path: String) throws(TransportError) -> Data? { try inner.get(path) }
    func put(_ path: String, data: Data) throws(TransportError) { try inner.put(path, data: data) }
    func put(_ path: String, contentsOf file: URL) throws(TransportError) { try inner.put(path, contentsOf: file) }
    func delete(_ path: String) throws(TransportError) { try inner.delete(path) }
    func create(_ path: String, data: Data) throws(TransportError) -> Bool { false }
    func lockWriters(waitingUpTo seconds: Double) throws(TransportError) -> WriterLock { try inner.lockWriters(waitingUpTo: seconds) }
}

/// Results filled in from threads.
private final class Slots<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Value?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Value) { lock.withLock { slots[index] = value } }
    var values: [Value] { lock.withLock { slots.map { $0! } } }
}
