import Foundation
import Testing
@testable import RepositoryServer

/// HTTP behaviour of the server, seen by the real curl tool.
@Suite(.enabled(if: Curl.available, "curl is not installed (make deps)"))
struct FileResponderTests {
    @Test func getSendsTheFileWithItsHeaders() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let running = try await RunningServer.start(root: fixture.root)
        defer { Task { await running.server.stop() } }

        let target = try await Curl.request(running.base + "/" + fixture.tarballPath)
        #expect(target.status == 200)
        #expect(target.body == fixture.tarball)
        #expect(target[header: "content-length"] == String(fixture.tarball.count))
        #expect(target[header: "content-type"] == "application/octet-stream")
        #expect(target[header: "cache-control"] == "public, max-age=31536000, immutable")
        #expect(target[header: "accept-ranges"] == "bytes")
        #expect(target[header: "etag"]?.hasPrefix("\"") == true)
        #expect(target[header: "last-modified"]?.hasSuffix(" GMT") == true)

        let timestamp = try await Curl.request(running.base + "/metadata/timestamp.json")
        #expect(timestamp.status == 200)
        #expect(timestamp[header: "content-type"] == "application/json")
        #expect(timestamp[header: "cache-control"] == "public, max-age=61")
        for name in ["1.root.json", "1.targets.json", "1.snapshot.json"] {
            let response = try await Curl.request(running.base + "/metadata/" + name)
            #expect(response.status == 200)
            #expect(response[header: "cache-control"] == "public, max-age=31536000, immutable", "\(name)")
        }
        // root.json is the unversioned copy of the newest root: it changes at each rotation.
        let newestRoot = try await Curl.request(running.base + "/metadata/root.json")
        #expect(newestRoot[header: "cache-control"] == "public, max-age=61")
    }

    @Test func headSendsHeadersOnly() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let running = try await RunningServer.start(root: fixture.root)
        defer { Task { await running.server.stop() } }
        let url = running.base + "/" + fixture.tarballPath
        // Two HEADs on one kept-alive connection: a body after the first would garble the second.
        let (status, output) = try await Curl.run(Curl.executable, ["-sS", "--noproxy", "*", "-I", url, url])
        #expect(status == 0, "\(output)")
        let heads = output.components(separatedBy: "HTTP/1.1 200 OK")
        #expect(heads.count == 3, "\(output)")
        #expect(heads.dropFirst().allSatisfy { $0.lowercased().contains("content-length: \(fixture.tarball.count)") })
        #expect(output.utf8.count < 2000)
    }

    @Test func ranges() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let running = try await RunningServer.start(root: fixture.root)
        defer { Task { await running.server.stop() } }
        let url = running.base + "/" + fixture.tarballPath
        let size = fixture.tarball.count

        let middle = try await Curl.request(url, ["-H", "Range: bytes=100-199"])
        #expect(middle.status == 206)
        #expect(middle.body == fixture.tarball[100..<200])
        #expect(middle[header: "content-range"] == "bytes 100-199/\(size)")
        #expect(middle[header: "content-length"] == "100")

        let open = try await Curl.request(url, ["-H", "Range: bytes=\(size - 5)-"])
        #expect(open.status == 206)
        #expect(open.body == fixture.tarball.suffix(5))

        let suffix = try await Curl.request(url, ["-H", "Range: bytes=-7"])
        #expect(suffix.status == 206)
        #expect(suffix.body == fixture.tarball.suffix(7))
        #expect(suffix[header: "content-range"] == "bytes \(size - 7)-\(size - 1)/\(size)")

        let beyond = try await Curl.request(url, ["-H", "Range: bytes=\(size)-"])
        #expect(beyond.status == 416)
        #expect(beyond[header: "content-range"] == "bytes */\(size)")

        // Several ranges are not supported: the whole file, as RFC 9110 allows.
        let several = try await Curl.request(url, ["-H", "Range: bytes=0-1,5-6"])
        #expect(several.status == 200)
        #expect(several.body == fixture.tarball)

        // If-Range with a stale validator: the whole (new) file.
        let stale = try await Curl.request(url, ["-H", "Range: bytes=0-9", "-H", "If-Range: \"0-0-0\""])
        #expect(stale.status == 200)
        #expect(stale.body.count == size)
        let etag = try #require(middle[header: "etag"])
        let fresh = try await Curl.request(url, ["-H", "Range: bytes=0-9", "-H", "If-Range: \(etag)"])
        #expect(fresh.status == 206)
        #expect(fresh.body == fixture.tarball.prefix(10))
    }

    @Test func conditionalRequests() async throws {
        let fixture = try RepositoryFixture()
        defer { fixture.remove() }
        let running = try await RunningServer.start(root: fixture.root)
        defer { Task { await running.server.stop() } }
        let url = running.base + "/metadata/timestamp.json"
        let first = try await Curl.request(url)
        let etag = try #require(first[header: "etag"])
        let modified = try #require(first[header: "last-modified"])

        let same = try await Curl.request(url, ["-H", "If-None-Match: \"other\", \(etag)"])
        #expect(same.status == 304)
        #expect(same.body.isEmpty)
        #expect(same[header: "etag"] == etag)
        #expect(same[header: "cache-control"] == "public, max-age=61")
        #expect(try await Curl.request(url, ["-H", "If-None-Match: *"]).status == 304)
        #expect(try await Curl.request(url, ["-H", "If-Modified-Since: \(modified)"]).status == 304)
        #expect(try await Curl.request(url, ["-H", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT"]).status == 200)

        try fixture.publishTimestamp(version: 2)
        let changed = try await Curl.request(url, ["-H", "If-None-Match: \(etag)"])
        #expect(changed.status == 200)
        #expect(String(decoding: changed.body, as: UTF8.self).contains("\"version\":2"))
        #expect(changed[header: "etag"] != etag)
    }

    @Test(arguments: [
        "/../../../../etc/passwd", "/metadata/../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/metadata/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/metadata/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/metadata/%00timestamp.json", "/metadata/", "/", "/targets", "/.hidden"
    ])
    func traversalAndListingsAreRefused(_ path: String) async throws {
        let fixture = try RepositoryFixture(tarballSize: 10)
        defer { fixture.remove() }
        try Data("hidden".utf8).write(to: fixture.root.appendingPathComponent(".hidden"))
        let running = try await RunningServer.start(root: fixture.root)
        defer { Task { await running.server.stop() } }
        let response = try await Curl.request(running.base + path)
        #expect(response.status == 404, "\(path)")
        #expect(!String(decoding: response.body, as: UTF8.self).contains("root:"))
        #expect(response[header: "cache-control"] == "no-store")
    }

    @Test func symbolicLinksAreForbidden() async throws {
        let fixture = try RepositoryFixture(tarballSize: 10)
        defer { fixture.remove() }
        try FileManager.default.createSymbolicLink(
            atPath: fixture.root.appendingPathComponent("metadata/passwd.json").path, withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: fixture.root.appendingPathComponent("etc").path, withDestinationPath: "/etc")
        let running = try await RunningServer.start(root: fixture.root)
        defer { Task { await running.server.stop() } }
        for path in ["/metadata/passwd.json", "/etc/passwd"] {
            let response = try await Curl.request(running.base + path)
            #expect(response.status == 403, "\(path)")
            #expect(!String(decoding: response.body, as: UTF8.self).contains("root:"))
        }
    }

    @Test(arguments: ["PUT", "POST", "DELETE", "OPTIONS", "PATCH"])
    func otherMethodsAreNotAllowed(_ method: String) async throws {
        let fixture = try RepositoryFixture(tarballSize: 10)
        defer { fixture.remove() }
        let running = try await RunningServer.start(root: fixture.root)
        defer { Task { await running.server.stop() } }
        let before = try Data(contentsOf: fixture.root.appendingPathComponent("metadata/timestamp.json"))
        let response = try await Curl.request(running.base + "/metadata/timestamp.json", ["-X", method, "--data-binary", "x"])
        #expect(response.status == 405)
        #expect(response[header: "allow"] == "GET, HEAD")
        #expect(try Data(contentsOf: fixture.root.appendingPathComponent("metadata/timestamp.json")) == before)
    }

    @Test func everyRequestIsLogged() async throws {
        let fixture = try RepositoryFixture(tarballSize: 10)
        defer { fixture.remove() }
        let entries = Entries()
        let running = try await RunningServer.start(root: fixture.root, log: { entries.append($0) })
        defer { Task { await running.server.stop() } }
        _ = try await Curl.request(running.base + "/metadata/1.root.json")
        _ = try await Curl.request(running.base + "/nothing", ["-I"])
        _ = try await Curl.request(running.base + "/" + fixture.tarballPath, ["-H", "Range: bytes=0-3"])
        let logged = entries.all.map(\.description)
        #expect(
            logged == [
                "GET /metadata/1.root.json 200 55", "HEAD /nothing 404 0", "GET /\(fixture.tarballPath) 206 4 range=bytes=0-3"
            ])
    }
}

final class Entries: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [AccessLogEntry] = []
    func append(_ entry: AccessLogEntry) { lock.withLock { entries.append(entry) } }
    var all: [AccessLogEntry] { lock.withLock { entries } }
}
