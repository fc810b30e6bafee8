import Foundation
import Testing
import TestSupport
import Transport

@Suite struct HTTPClientTests {
    static func served(_ files: [String: String]) throws -> (URL, NginxServer) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("http-\(UUID().uuidString)")
        for (name, text) in files {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return (root, try NginxServer(root: root))
    }

    @Test func getsBodiesAndDownloadsFiles() throws {
        let (root, server) = try Self.served(["a/hello.txt": "hello\n", "big.bin": String(repeating: "x", count: 3_000_000)])
        defer { server.stop(); try? FileManager.default.removeItem(at: root) }
        let client = HTTPClient()
        #expect(try client.get(server.baseURL.absoluteString + "/a/hello.txt") == Data("hello\n".utf8))
        let target = root.appendingPathComponent("copy.bin")
        #expect(try client.download(server.baseURL.absoluteString + "/big.bin", to: target) == 3_000_000)
        #expect(try Data(contentsOf: target).count == 3_000_000)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".copy.bin.partial").path))
    }

    @Test func errorStatusesAndRefusedConnectionsAreTyped() throws {
        let (root, server) = try Self.served(["x": "x"])
        defer { server.stop(); try? FileManager.default.removeItem(at: root) }
        let client = HTTPClient(connectTimeout: 2)
        #expect { try client.get(server.baseURL.absoluteString + "/missing") } throws: { error in
            (error as? TransportError)?.isNotFound == true && "\(error)".contains("/missing: HTTP 404")
        }
        let target = root.appendingPathComponent("never")
        #expect(throws: TransportError.self) { try client.download(server.baseURL.absoluteString + "/missing", to: target) }
        #expect(!FileManager.default.fileExists(atPath: target.path), "nothing is left behind by a failed download")
        let port = server.baseURL.port!
        server.stop()
        #expect { try client.get("http://127.0.0.1:\(port)/x") } throws: { error in
            guard case let .network(url, _)? = error as? TransportError else { return false }
            return url.hasSuffix("/x")
        }
    }
}
