import Foundation
import Logging
import Testing
import TestSupport
@testable import RepositoryServer

/// The shipped installer/ configs with the real programs: nginx (installer/nginx/alien-repo.conf)
/// or `alien-install serve`'s server as the origin, Squid (installer/squid/site-cache.conf) as
/// the site cache in front, curl as the clients.
@Suite(.enabled(if: CacheInterop.available, CacheInterop.skipReason))
struct CacheInteropTests {
    @Test(arguments: [Origin.Kind.nginx, .serve])
    func aSecondClientIsServedFromTheSiteCache(_ kind: Origin.Kind) async throws {
        let fixture = try RepositoryFixture(tarballSize: 3_000_000)
        defer { fixture.remove() }
        let origin = try await Origin.start(kind, root: fixture.root)
        defer { origin.stop() }
        // Squid on an injected clock: the two clients are well within timestamp.json's max-age
        // for Squid, however busy this machine is.
        let squid = try SquidServer(configuration: CacheInterop.shipped("installer/squid/site-cache.conf"), fakeClock: true)
        defer { squid.stop() }
        let proxy = squid.proxyURL.absoluteString

        let paths = [
            "metadata/timestamp.json", "metadata/1.root.json", "metadata/1.snapshot.json",
            "metadata/1.targets.json", fixture.tarballPath
        ]
        var responses: [[CurlResponse]] = []
        for _ in 0..<2 {
            var client: [CurlResponse] = []
            for path in paths { client.append(try await Curl.request(origin.base + "/" + path, proxy: proxy)) }
            responses.append(client)
        }
        for client in responses {
            for (path, response) in zip(paths, client) {
                #expect(response.status == 200, "\(path)")
                #expect(response.body == (try Data(contentsOf: fixture.root.appendingPathComponent(path))), "\(path)")
            }
        }
        // A resumed download (a range) of the cached tarball is answered by the cache too.
        let tail = try await Curl.request(origin.base + "/" + fixture.tarballPath, ["-H", "Range: bytes=-100"], proxy: proxy)
        #expect(tail.status == 206)
        #expect(tail.body == fixture.tarball.suffix(100))

        let log = await CacheInterop.squidLog(squid, atLeast: 2 * paths.count + 1)
        for path in paths {
            let codes = log.filter { $0.url.hasSuffix("/" + path) }.map(\.code)
            #expect(codes.count >= 2, "\(path): \(codes)")
            #expect(codes.first?.hasPrefix("TCP_MISS/200") == true, "\(path): \(codes)")
            #expect(codes.dropFirst().allSatisfy(CacheInterop.isHit), "\(path): \(codes)")
            // timestamp.json (the one short-lived file) may be revalidated: a conditional request
            // answered 304 (TCP_REFRESH_UNMODIFIED) reaches the origin without its body.
            let revalidated = path.hasSuffix("timestamp.json") && codes.dropFirst().contains { $0.hasPrefix("TCP_REFRESH_UNMODIFIED") }
            #expect(origin.requests(for: "/" + path) == 1 || revalidated, "\(path) reached the origin more than once: \(codes)")
        }
        #expect(log.last.map { CacheInterop.isHit($0.code) && $0.code.hasSuffix("/206") } == true, "\(log.last.map(\.code) ?? "")")
    }

    /// Release day: many workers ask for the same new tarball at once; one request reaches the origin.
    @Test(arguments: [Origin.Kind.nginx, .serve])
    func simultaneousClientsCollapseIntoOneOriginRequest(_ kind: Origin.Kind) async throws {
        let fixture = try RepositoryFixture(tarballSize: 20_000_000)
        defer { fixture.remove() }
        let origin = try await Origin.start(kind, root: fixture.root)
        defer { origin.stop() }
        let squid = try SquidServer(configuration: CacheInterop.shipped("installer/squid/site-cache.conf"))
        defer { squid.stop() }
        let url = origin.base + "/" + fixture.tarballPath, proxy = squid.proxyURL.absoluteString, expected = fixture.tarball
        let correct = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let response = try await Curl.request(url, proxy: proxy)
                    return response.status == 200 && response.body == expected
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(correct == 6)
        #expect(origin.requests(for: "/" + fixture.tarballPath) == 1)
    }

    /// A new publish (timestamp.json replaced at the origin) is not visible through the cache
    /// within timestamp.json's max-age of 61 s, and is visible after it. Squid runs on an
    /// injected clock (``SquidClock``): the test moves it 63 s forward instead of sleeping.
    @Test(arguments: [Origin.Kind.nginx, .serve])
    func newPublishIsVisibleAfterTheTimestampMaxAge(_ kind: Origin.Kind) async throws {
        let fixture = try RepositoryFixture(tarballSize: 1000)
        defer { fixture.remove() }
        let origin = try await Origin.start(kind, root: fixture.root)
        defer { origin.stop() }
        let squid = try SquidServer(configuration: CacheInterop.shipped("installer/squid/site-cache.conf"), fakeClock: true)
        defer { squid.stop() }
        let clock = try #require(squid.clock)
        let proxy = squid.proxyURL.absoluteString, url = origin.base + "/metadata/timestamp.json"
        func version(_ response: CurlResponse) -> String { String(decoding: response.body, as: UTF8.self) }

        let first = try await Curl.request(url, proxy: proxy)
        #expect(version(first).contains("\"version\":1"))
        // The new file's validators differ from the old one's (one-second resolution).
        try fixture.publishTimestamp(version: 2, laterBy: 10)
        #expect(version(try await Curl.request(url)).contains("\"version\":2"), "the origin serves the new publish")
        // For Squid, well under a second has passed: its cached copy is fresh.
        let early = try await Curl.request(url, proxy: proxy)
        #expect(version(early).contains("\"version\":1"), "visible before max-age: \(version(early))")
        try clock.advance(63)
        let late = try await Curl.request(url, proxy: proxy)
        #expect(version(late).contains("\"version\":2"), "not visible after max-age: \(version(late))")
        // Immutable metadata stays a hit after the same wait.
        _ = try await Curl.request(origin.base + "/metadata/1.root.json", proxy: proxy)
        let root = try await Curl.request(origin.base + "/metadata/1.root.json", proxy: proxy)
        #expect(root.status == 200)

        let log = await CacheInterop.squidLog(squid, atLeast: 5)
        let codes = log.filter { $0.url.hasSuffix("/metadata/timestamp.json") }.map(\.code)
        #expect(codes.count == 3, "\(codes)")
        if codes.count == 3 {
            #expect(codes[0].hasPrefix("TCP_MISS/200"))
            #expect(CacheInterop.isHit(codes[1]), "\(codes)")
            #expect(codes[2].hasPrefix("TCP_REFRESH_MODIFIED/200") || codes[2].hasPrefix("TCP_MISS/200"), "\(codes)")
        }
        #expect(log.last.map { CacheInterop.isHit($0.code) } == true)
    }

    /// `alien-install serve` and nginx with the shipped server block give the same answers and
    /// the same caching headers.
    @Test func serveAndNginxAgree() async throws {
        let fixture = try RepositoryFixture(tarballSize: 5000)
        defer { fixture.remove() }
        try FileManager.default.createSymbolicLink(
            atPath: fixture.root.appendingPathComponent("metadata/passwd.json").path, withDestinationPath: "/etc/passwd")
        try Data("x".utf8).write(to: fixture.root.appendingPathComponent("metadata/.hidden.json"))
        let nginx = try await Origin.start(.nginx, root: fixture.root)
        defer { nginx.stop() }
        let serve = try await Origin.start(.serve, root: fixture.root)
        defer { serve.stop() }

        let compared = [
            "cache-control", "content-type", "content-length", "content-range", "accept-ranges",
            "last-modified", "x-content-type-options"
        ]
        let requests: [(String, [String])] = [
            ("/metadata/timestamp.json", []), ("/metadata/1.root.json", ["-I"]), ("/metadata/root.json", []),
            ("/" + fixture.tarballPath, []), ("/" + fixture.tarballPath, ["-H", "Range: bytes=0-99"]),
            ("/" + fixture.tarballPath, ["-H", "Range: bytes=-10"]), ("/" + fixture.tarballPath, ["-H", "Range: bytes=10-"]),
            ("/" + fixture.tarballPath, ["-H", "Range: bytes=5000-"]), ("/metadata/passwd.json", []),
            ("/metadata/.hidden.json", []), ("/metadata/", []), ("/metadata/2.root.json", []),
            ("/metadata/timestamp.json", ["-X", "PUT", "--data-binary", "x"]),
            ("/metadata/timestamp.json", ["-X", "DELETE"])
        ]
        for (path, options) in requests {
            let ours = try await Curl.request(serve.base + path, options)
            let theirs = try await Curl.request(nginx.base + path, options)
            #expect(ours.status == theirs.status, "\(path) \(options)")
            guard ours.status < 300 else { continue }
            for name in compared {
                #expect(ours[header: name] == theirs[header: name], "\(name) of \(path) \(options)")
            }
            if !options.contains("-I") { #expect(ours.body == theirs.body, "\(path) \(options)") }
            #expect(ours[header: "etag"] != nil && theirs[header: "etag"] != nil)
        }
        // Each with its own validator: 304.
        for origin in [serve, nginx] {
            let first = try await Curl.request(origin.base + "/metadata/timestamp.json")
            let etag = try #require(first[header: "etag"])
            let again = try await Curl.request(origin.base + "/metadata/timestamp.json", ["-H", "If-None-Match: \(etag)"])
            #expect(again.status == 304, "\(origin.kind)")
            #expect(again[header: "cache-control"] == "public, max-age=61", "\(origin.kind)")
        }
        // Traversal: both refuse (nginx says 400, serve 404), neither leaks.
        for origin in [serve, nginx] {
            for path in ["/../../../../etc/passwd", "/metadata/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd"] {
                let response = try await Curl.request(origin.base + path)
                #expect((400..<500).contains(response.status), "\(origin.kind) \(path): \(response.status)")
                #expect(!String(decoding: response.body, as: UTF8.self).contains("root:"))
            }
        }
    }
}

/// An origin server for the cache tests.
final class Origin: Sendable {
    enum Kind: String, Sendable, CustomStringConvertible {
        case nginx, serve
        var description: String { rawValue }
    }

    let kind: Kind
    let base: String
    private let nginx: NginxServer?
    private let server: RepositoryServer?
    private let log: Entries

    private init(kind: Kind, base: String, nginx: NginxServer?, server: RepositoryServer?, log: Entries) {
        (self.kind, self.base, self.nginx, self.server, self.log) = (kind, base, nginx, server, log)
    }

    static func start(_ kind: Kind, root: URL) async throws -> Origin {
        let log = Entries()
        switch kind {
        case .nginx:
            let nginx = try NginxServer(root: root, serverBlock: try CacheInterop.shipped("installer/nginx/alien-repo.conf"))
            return Origin(kind: kind, base: nginx.baseURL.absoluteString, nginx: nginx, server: nil, log: log)
        case .serve:
            let running = try await RunningServer.start(root: root, log: { log.append($0) })
            return Origin(kind: kind, base: running.base, nginx: nil, server: running.server, log: log)
        }
    }

    /// How many GET requests for `path` reached this origin, once one has (the callers' clients
    /// got their answers; the origin logs a request after answering it). 300 s: a hang catcher.
    func requests(for path: String) -> Int {
        let deadline = Date().addingTimeInterval(300)
        while true {
            let count =
                nginx.map { $0.accessLogLines.filter { $0.hasPrefix("\"GET \(path) ") }.count }
                ?? log.all.filter { $0.method == "GET" && $0.target == path }.count
            if count > 0 || Date() >= deadline { return count }
            usleep(20_000)
        }
    }

    func stop() {
        nginx?.stop()
        if let server { Task { await server.stop() } }
    }
}

enum CacheInterop {
    static var available: Bool {
        if ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] == "1" { return true }
        return Curl.available && SquidServer.available && SquidClock.available && FileManager.default.isExecutableFile(atPath: NginxServer.executable)
    }

    static let skipReason: Comment = "nginx, squid, faketime or curl is missing (run make deps; ALIEN_REQUIRE_INTEROP=1 makes this a failure)"

    /// The repository checkout holding this file.
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A file shipped in the repository, as users get it.
    static func shipped(_ path: String) throws -> String {
        try String(contentsOf: checkout.appendingPathComponent(path), encoding: .utf8)
    }

    static func isHit(_ code: String) -> Bool {
        ["TCP_HIT/", "TCP_MEM_HIT/", "TCP_REFRESH_UNMODIFIED/", "TCP_IMS_HIT/"].contains { code.hasPrefix($0) }
    }

    struct LogLine {
        var code: String, url: String
    }

    /// Squid's access log (the `alien` logformat), once it has `count` lines (after two
    /// minutes without them: a hang catcher, the assertions then say what is missing).
    static func squidLog(_ squid: SquidServer, atLeast count: Int) async -> [LogLine] {
        let deadline = ContinuousClock.now + .seconds(120)
        var lines = squid.accessLogLines
        while lines.count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            lines = squid.accessLogLines
        }
        return lines.compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 7 else { return nil }
            return LogLine(code: String(fields[3]), url: String(fields[6]))
        }
    }
}
