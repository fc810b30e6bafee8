import Foundation
import Testing
import TestSupport
import Transport
@testable import RepositoryServer

/// Lifecycle, big files and concurrency.
@Suite(.enabled(if: Curl.available, "curl is not installed (make deps)"))
struct RepositoryServerTests {
    @Test func startsOnAFreePortAndStops() async throws {
        let fixture = try RepositoryFixture(tarballSize: 10)
        defer { fixture.remove() }
        let running = try await RunningServer.start(root: fixture.root)
        let port = try #require(await running.server.port)
        #expect(port > 0)
        #expect(try await Curl.request(running.base + "/metadata/1.root.json").status == 200)
        await expectAlreadyStarted(running.server)
        await running.server.stop()
        try await running.server.waitUntilStopped()
        #expect(await running.server.port == nil)
        await #expect(throws: Curl.CurlFailure.self) { try await Curl.request(running.base + "/metadata/1.root.json") }
        await running.server.stop()  // idempotent
    }

    private func expectAlreadyStarted(_ server: RepositoryServer) async {
        await #expect(throws: RepositoryServerError.alreadyStarted) { try await server.start() }
    }

    @Test func aMissingRootOrATakenPortFailsToStart() async throws {
        let missing = RepositoryServer(configuration: .init(root: "/nonexistent/alien-repo", port: 0))
        await #expect(throws: RepositoryServerError.self) { try await missing.start() }

        let fixture = try RepositoryFixture(tarballSize: 10)
        defer { fixture.remove() }
        let running = try await RunningServer.start(root: fixture.root)
        defer { Task { await running.server.stop() } }
        let port = try #require(await running.server.port)
        let second = RepositoryServer(configuration: .init(root: fixture.root.path, port: port))
        await #expect(throws: RepositoryServerError.self) { try await second.start() }
    }

    /// 100 MB through libcurl (Transport.HTTPClient), byte for byte, ranges included. (The
    /// memory bound is checked on `alien-install serve` in a process of its own:
    /// ServeCommandTests — this process runs other suites at the same time.)
    @Test func aHundredMegabyteFileIsStreamed() async throws {
        let fixture = try RepositoryFixture(tarballSize: 10)
        defer { fixture.remove() }
        let path = "targets/slc9_x86-64/Big/00ff.Big-1-1.slc9_x86-64.tar.gz"
        let file = fixture.root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        for index in 0..<100 { try handle.write(contentsOf: Data(repeating: UInt8(index), count: 1 << 20)) }
        try handle.close()

        let running = try await RunningServer.start(root: fixture.root)
        defer { Task { await running.server.stop() } }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("alien-big-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let url = running.base + "/" + path
        // Under a fully loaded CI machine the server's tasks can wait a long while for a thread
        // (seen once: 30 s without a byte); the stall limit here only catches a hang.
        let written = try await offThread { try HTTPClient(connectTimeout: 30, stallTimeout: 180).download(url, to: output) }
        #expect(written == 100 << 20)
        let (status, difference) = try await Curl.run("/usr/bin/cmp", [file.path, output.path])
        #expect(status == 0, "\(difference)")

        let tail = try await Curl.request(url, ["-H", "Range: bytes=-3"])
        #expect(tail.status == 206)
        #expect(tail.body == Data([99, 99, 99]))
    }

    @Test func concurrentRequests() async throws {
        let fixture = try RepositoryFixture(tarballSize: 2_000_000)
        defer { fixture.remove() }
        let running = try await RunningServer.start(root: fixture.root)
        defer { Task { await running.server.stop() } }
        let url = running.base + "/" + fixture.tarballPath
        let tarball = fixture.tarball
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<24 {
                group.addTask {
                    if index % 3 == 0 {
                        let lower = index * 1000
                        let part = try await Curl.request(url, ["-H", "Range: bytes=\(lower)-\(lower + 9999)"])
                        return part.status == 206 && part.body == tarball[lower..<lower + 10000]
                    }
                    let whole = try await Curl.request(url)
                    return whole.status == 200 && whole.body == tarball
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 24)
        #expect(results.allSatisfy { $0 })
    }
}
