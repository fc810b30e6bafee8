import AlienModel
import Foundation
import Publisher
import Testing
import TestSupport
import Transport
import Trust

/// Publishing by HTTP PUT into a real nginx with its DAV module, read back over HTTP and from
/// the directory nginx wrote.
@Suite(.serialized) struct RepositoryStoreTests {
    static var nginxAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: NginxServer.executable) || ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] == "1"
    }

    @Test(.enabled(if: nginxAvailable, "nginx is not installed: run make deps"))
    func publishesByHTTPPut() throws {
        let served = try Fixtures.temporaryDirectory("dav")
        let server = try NginxServer(root: served, writable: true)
        defer { server.stop() }
        let url = server.baseURL.absoluteString + "/repo"
        let repository = Repository(store: RepositoryStore(location: url))
        let keys = Fixtures.Keys()
        try repository.initialize(
            rootKeys: keys.root, rootThreshold: 2, targetsKey: keys.targets, snapshotKey: keys.snapshot,
            timestampKey: keys.timestamp)
        #expect(throws: PublisherError.self) {
            try repository.initialize(
                rootKeys: keys.root, rootThreshold: 2, targetsKey: keys.targets, snapshotKey: keys.snapshot,
                timestampKey: keys.timestamp)
        }
        let packages = try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib, Fixtures.xz, Fixtures.cmake, Fixtures.root]))
        let report = try repository.publish(packages, signers: keys.online)
        #expect(report.uploaded == 4 && report.timestampVersion == 2)
        let onDisk = try Fixtures.verify(served.appendingPathComponent("repo"))
        #expect(onDisk.targets.count == 4)
        // Read back over HTTP.
        let listing = try repository.list()
        #expect(listing.targets.map(\.path) == onDisk.targets.keys.sorted())
        for package in packages {
            let data = try HTTPClient().get("\(url)/\(package.storedPath)")
            #expect(Fixtures.sha256(data) == package.sha256)
        }
        #expect(try repository.publish(packages, signers: keys.online).targetsVersion == nil)
        try repository.undefine(try PackageID(parsing: "ROOT::v6-32-06"), signers: keys.online)
        #expect(try Fixtures.verify(served.appendingPathComponent("repo")).targets.count == 3)
        server.stop()  // nginx logs a request after answering it: read the log once it has exited
        let puts = server.accessLogLines.filter { $0.hasPrefix("\"PUT ") }
        #expect(puts.last?.contains("/repo/metadata/timestamp.json") == true, "\(puts)")
        #expect(puts.allSatisfy { $0.hasSuffix(" 201") || $0.hasSuffix(" 204") }, "\(puts)")
    }

    @Test(.enabled(if: nginxAvailable, "nginx is not installed: run make deps"))
    func aServerThatRefusesWritesChangesNothing() throws {
        let served = try Fixtures.temporaryDirectory("readonly")
        let keys = Fixtures.Keys()
        let local = served.appendingPathComponent("repo")
        try Repository(store: RepositoryStore(location: local.path, synchronize: false))
            .initialize(rootKeys: keys.root, rootThreshold: 2, targetsKey: keys.targets, snapshotKey: keys.snapshot, timestampKey: keys.timestamp)
        let server = try NginxServer(root: served)  // GET only: PUT is denied
        defer { server.stop() }
        let repository = Repository(store: RepositoryStore(location: server.baseURL.absoluteString + "/repo"))
        #expect(try repository.list().roles.map(\.version) == [1, 1, 1, 1])
        do {
            try repository.publish(try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib])), signers: keys.online)
            Issue.record("a read-only server took a publish")
        } catch {
            #expect(String(describing: error).contains("HTTP 403"), "\(error)")
        }
        #expect(try Fixtures.verify(local).targets.isEmpty)
    }

    @Test func refusesPathsThatLeaveTheStore() throws {
        let store = RepositoryStore(location: try Fixtures.temporaryDirectory("paths").path)
        for path in ["../x", "/etc/passwd", "a//b", "a/./b", ""] {
            #expect(throws: PublisherError.self) { try store.writeBytes(path, Data()) }
        }
    }
}
