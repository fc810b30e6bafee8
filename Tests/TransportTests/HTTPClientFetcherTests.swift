import Foundation
import Testing
import TestSupport
import Transport
import Trust

/// `HTTPClient` as the TUF client's `RemoteFetcher`: byte caps (endless data), 404 → notFound,
/// file:// URLs, over a real nginx.
@Suite struct HTTPClientFetcherTests {
    @Test func fetchesWithinTheCapAndRefusesOneByteMore() async throws {
        let (root, server) = try HTTPClientTests.served(["m/timestamp.json": String(repeating: "t", count: 16_384)])
        defer { server.stop(); try? FileManager.default.removeItem(at: root) }
        let url = server.baseURL.absoluteString + "/m/timestamp.json"
        let client = HTTPClient()
        #expect(try await client.fetch(url, maxLength: 16_384).count == 16_384)
        await #expect(throws: FetchError.tooLarge(url: url, limit: 16_383)) { try await client.fetch(url, maxLength: 16_383) }
    }

    @Test func missingFilesAreNotFoundOverHTTPAndFile() async throws {
        let (root, server) = try HTTPClientTests.served(["x": "x"])
        defer { server.stop(); try? FileManager.default.removeItem(at: root) }
        let client = HTTPClient()
        let http = server.baseURL.absoluteString + "/2.root.json"
        await #expect(throws: FetchError.notFound(url: http)) { try await client.fetch(http, maxLength: 1000) }
        let file = "file://" + root.appendingPathComponent("2.root.json").path
        await #expect(throws: FetchError.notFound(url: file)) { try await client.fetch(file, maxLength: 1000) }
        #expect(try await client.fetch("file://" + root.appendingPathComponent("x").path, maxLength: 1) == Array("x".utf8))
    }

    @Test func downloadsStreamToANewFileAndStopAtTheCap() async throws {
        let body = String(repeating: "0123456789", count: 400_000)
        let (root, server) = try HTTPClientTests.served(["t/big.tar.gz": body])
        defer { server.stop(); try? FileManager.default.removeItem(at: root) }
        let url = server.baseURL.absoluteString + "/t/big.tar.gz"
        let client = HTTPClient()
        let out = root.appendingPathComponent("out.partial").path
        #expect(try await client.download(url, to: out, maxLength: 4_000_000) == 4_000_000)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(body.utf8))
        // The destination must be new: an existing file is never overwritten.
        await #expect { try await client.download(url, to: out, maxLength: 4_000_000) } throws: { error in
            if case .failed = error as? FetchError { return "\(error)".contains("File exists") }
            return false
        }
        let capped = root.appendingPathComponent("capped.partial").path
        await #expect(throws: FetchError.tooLarge(url: url, limit: 1_000_000)) {
            try await client.download(url, to: capped, maxLength: 1_000_000)
        }
        let kept = try FileManager.default.attributesOfItem(atPath: capped)[.size] as? Int ?? -1
        #expect(kept <= 1_000_000, "no byte beyond the cap reaches the disk")
    }

    @Test func refusedConnectionsAreFailures() async throws {
        let (root, server) = try HTTPClientTests.served(["x": "x"])
        defer { try? FileManager.default.removeItem(at: root) }
        let port = server.baseURL.port!
        server.stop()
        await #expect { try await HTTPClient(connectTimeout: 2).fetch("http://127.0.0.1:\(port)/x", maxLength: 10) } throws: { error in
            if case .failed = error as? FetchError { return true }
            return false
        }
    }
}
