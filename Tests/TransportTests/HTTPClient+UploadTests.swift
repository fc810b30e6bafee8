import Foundation
import Testing
import TestSupport
import Transport

/// PUT, DELETE and HEAD against a real nginx with its DAV module.
@Suite struct HTTPClientUploadTests {
    @Test func putDeleteAndHead() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dav-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let server = try NginxServer(root: root, writable: true)
        defer { server.stop(); try? FileManager.default.removeItem(at: root) }
        let client = HTTPClient(), base = server.baseURL.absoluteString
        try client.put(base + "/a/b/small.txt", data: Data("hello\n".utf8))
        #expect(try Data(contentsOf: root.appendingPathComponent("a/b/small.txt")) == Data("hello\n".utf8))
        try client.put(base + "/empty", data: Data())
        #expect(try Data(contentsOf: root.appendingPathComponent("empty")).isEmpty)
        // A 5 MB file, streamed from disk, replacing an earlier body.
        let big = root.deletingLastPathComponent().appendingPathComponent("big-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: big) }
        let bytes = Data((0..<5_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: big)
        try client.put(base + "/a/b/small.txt", contentsOf: big)
        #expect(try client.get(base + "/a/b/small.txt") == bytes)
        #expect(try client.exists(base + "/a/b/small.txt"))
        #expect(try !client.exists(base + "/nothing"))
        try client.delete(base + "/a/b/small.txt")
        try client.delete(base + "/a/b/small.txt")  // already gone: fine
        #expect(try !client.exists(base + "/a/b/small.txt"))
        #expect(throws: TransportError.self) { try client.put(base + "/x", contentsOf: root.appendingPathComponent("no-such-file")) }
    }

    @Test func aReadOnlyServerRefusesPut() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let server = try NginxServer(root: root)
        defer { server.stop(); try? FileManager.default.removeItem(at: root) }
        #expect { try HTTPClient().put(server.baseURL.absoluteString + "/x", data: Data("x".utf8)) } throws: { error in
            "\(error)".contains("/x: HTTP 403")
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("x").path))
    }

    /// A server that honours `If-None-Match: *` on PUT (emulated here with nginx rules; the
    /// stock DAV module ignores the header) answers 412 for an existing file: `putIfAbsent`
    /// returns false and the file keeps its content.
    @Test func putIfAbsentSendsIfNoneMatchAndMapsA412ToFalse() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("inm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let server = try NginxServer(
            root: root, writable: true,
            serverBlock: """
                server {
                    listen @LISTEN@;
                    root @ROOT@;
                    set $guard "";
                    if (-f $request_filename) { set $guard "exists"; }
                    if ($http_if_none_match = "*") { set $guard "${guard}+conditional"; }
                    if ($guard = "exists+conditional") { return 412; }
                    location / {
                        dav_methods PUT DELETE MKCOL;
                        create_full_put_path on;
                    }
                }
                """)
        defer { server.stop(); try? FileManager.default.removeItem(at: root) }
        let client = HTTPClient(), url = server.baseURL.absoluteString + "/m/2.targets.json"
        #expect(try client.putIfAbsent(url, data: Data("first".utf8)))
        #expect(try !client.putIfAbsent(url, data: Data("second".utf8)))
        #expect(try Data(contentsOf: root.appendingPathComponent("m/2.targets.json")) == Data("first".utf8))
        try client.put(url, data: Data("third".utf8))  // unconditional: replaces
        #expect(try Data(contentsOf: root.appendingPathComponent("m/2.targets.json")) == Data("third".utf8))
    }

    @Test func makeCollectionTellsCreatedExistsAndParentMissing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mkcol-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let server = try NginxServer(root: root, writable: true)
        defer { server.stop(); try? FileManager.default.removeItem(at: root) }
        let client = HTTPClient(), base = server.baseURL.absoluteString
        #expect(try client.makeCollection(base + "/a/b/") == .parentMissing)
        #expect(try client.makeCollection(base + "/a/") == .created)
        #expect(try client.makeCollection(base + "/a/") == .exists)
        #expect(try client.makeCollection(base + "/a/b/") == .created)
        try client.put(base + "/a/b/owner", data: Data("me".utf8))
        try client.delete(base + "/a/b/")  // a collection goes with what it holds
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("a/b").path))
    }
}
