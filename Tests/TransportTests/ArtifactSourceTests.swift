import Foundation
import Testing
import TestSupport
import Transport

@Suite struct ArtifactSourceTests {
    /// The same operations give the same results on a directory and on nginx (DAV).
    @Test(arguments: [false, true])
    func directoryAndHTTPBehaveAlike(_ http: Bool) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("source-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let server = http ? try NginxServer(root: root, writable: true) : nil
        defer { server?.stop() }
        let source: any ArtifactSource =
            server.map { HTTPArtifactSource(baseURL: $0.baseURL.absoluteString + "/") }
            ?? DirectoryArtifactSource(root: root)
        #expect(try source.get("metadata/timestamp.json") == nil)
        #expect(try !source.exists("metadata/timestamp.json"))
        try source.put("metadata/timestamp.json", data: Data("{}".utf8))
        #expect(try source.exists("metadata/timestamp.json"))
        #expect(try source.get("metadata/timestamp.json") == Data("{}".utf8))
        let file = root.appendingPathComponent("local.bin")
        try Data(repeating: 7, count: 100_000).write(to: file)
        try source.put("targets/x/ab+c.tar.gz", contentsOf: file)
        #expect(try Data(contentsOf: root.appendingPathComponent("targets/x/ab+c.tar.gz")) == Data(repeating: 7, count: 100_000))
        try source.delete("targets/x/ab+c.tar.gz")
        #expect(try !source.exists("targets/x/ab+c.tar.gz"))
        for bad in ["../escape", "/abs", "a//b", "./a", ""] {
            #expect(throws: TransportError.self) { try source.put(bad, data: Data()) }
        }
        // No temporary files left next to what was written.
        let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("metadata").path)
        #expect(names == ["timestamp.json"])
    }

    @Test func directoryWritesReplaceAtomically() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = DirectoryArtifactSource(root: root)
        try source.put("f", data: Data("old".utf8))
        let missing = root.appendingPathComponent("missing")
        #expect(throws: TransportError.self) { try source.put("f", contentsOf: missing) }
        #expect(try source.get("f") == Data("old".utf8))
        try source.put("f", data: Data("new".utf8))
        #expect(try source.get("f") == Data("new".utf8))
    }

    /// `create` writes a new name and leaves an existing one alone, on a directory and on nginx.
    @Test(arguments: [false, true])
    func createNeverReplaces(_ http: Bool) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("create-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let server = http ? try NginxServer(root: root, writable: true) : nil
        defer { server?.stop() }
        let source: any ArtifactSource =
            server.map { HTTPArtifactSource(baseURL: $0.baseURL.absoluteString) }
            ?? DirectoryArtifactSource(root: root, synchronize: false)
        #expect(try source.create("metadata/2.targets.json", data: Data("first".utf8)))
        #expect(try !source.create("metadata/2.targets.json", data: Data("second".utf8)))
        #expect(try Data(contentsOf: root.appendingPathComponent("metadata/2.targets.json")) == Data("first".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("metadata").path) == ["2.targets.json"])
    }

    /// One writer at a time: a second `lockWriters` waits, then names the holder; after
    /// `release` the lock is free. Over HTTP the lock is a WebDAV collection, made (with its
    /// parents, for a new repository) by MKCOL and removed on release.
    @Test(arguments: [false, true])
    func theWriterLockAdmitsOneWriter(_ http: Bool) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let server = http ? try NginxServer(root: root, writable: true) : nil
        defer { server?.stop() }
        let repo = root.appendingPathComponent("new/repo")
        let source: any ArtifactSource =
            server.map { HTTPArtifactSource(baseURL: $0.baseURL.absoluteString + "/new/repo") }
            ?? DirectoryArtifactSource(root: repo, synchronize: false)
        let first = try source.lockWriters(waitingUpTo: 0)
        let error = #expect(throws: TransportError.self) { try source.lockWriters(waitingUpTo: 0.1) }
        if case let .locked(location, holder, _)? = error {
            #expect(location.hasSuffix(http ? "/new/repo/.publish.lock/" : "/new/repo/.publish.lock"))
            #expect(holder.hasPrefix("pid \(getpid()) on "), "\(holder)")
        } else {
            Issue.record("expected locked, got \(String(describing: error))")
        }
        first.release()
        first.release()  // idempotent
        // Free now: the wait only covers a child process another test of this process forked
        // meanwhile, which shares the lock's open file until it execs (a hang catcher).
        let second = try source.lockWriters(waitingUpTo: 300)
        second.release()
        // The directory keeps its (unlocked) lock file; the HTTP lock collection is gone.
        #expect(FileManager.default.fileExists(atPath: repo.appendingPathComponent(".publish.lock").path) == !http)
    }

    /// A DAV server without MKCOL answers 405 as for an existing lock: the writer does not wait
    /// for a lock nobody holds but says what the server lacks.
    @Test func aServerWithoutMKCOLIsNamedNotWaitedFor() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nomkcol-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try NginxServer(
            root: root, writable: true,
            serverBlock: """
                server {
                    listen @LISTEN@;
                    root @ROOT@;
                    location / {
                        dav_methods PUT DELETE;
                        create_full_put_path on;
                    }
                }
                """)
        defer { server.stop() }
        let source = HTTPArtifactSource(baseURL: server.baseURL.absoluteString)
        let error = #expect(throws: TransportError.self) { try source.lockWriters(waitingUpTo: 600) }
        #expect(error?.description.contains("needs WebDAV MKCOL") == true, "\(String(describing: error))")
    }
}
