import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Transport

/// The multi-interface engine against nginx and the fault-injecting server: resume, fail-over,
/// bounded retries, stall timeout, caps, progress, proxies, keep-alive, concurrency, file://.
@Suite struct TransfersTests {
    static let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 11) }

    static func directory(_ files: [String: [UInt8]]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("transfers-\(UUID().uuidString)")
        for (name, bytes) in files {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return root
    }

    /// Quick to retry. Its stall and connect timeouts are no test's subject: generous, so that a
    /// loaded machine cannot turn a healthy transfer into one more resume than a test asserts.
    static let quick = Transfers(policy: TransferPolicy(connectTimeout: 30, stallTimeout: 30, retries: 2, backoffBase: 0.05, backoffMax: 0.2))

    @Test func resumesAfterADroppedConnectionWithRange() async throws {
        let root = try Self.directory(["a.bin": Self.body])
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try FaultServer(root: root)
        defer { server.stop() }
        let out = root.appendingPathComponent("out.bin").path
        let report = try await Self.quick.download(TransferRequest(url: server.url("a.bin", faults: "drop=100000")), to: out)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(Self.body))
        #expect(report.resumes == 1 && report.restarts == 0 && report.bytes == 300_000)
        #expect(server.logLines.contains { $0.hasSuffix("range=bytes=100000-") }, "\(server.logLines)")

        // A server that ignores Range: the file starts over cleanly, byte-identical.
        let again = root.appendingPathComponent("again.bin").path
        let restarted = try await Self.quick.download(TransferRequest(url: server.url("a.bin", faults: "drop=100000,norange")), to: again)
        #expect(try Data(contentsOf: URL(fileURLWithPath: again)) == Data(Self.body))
        #expect(restarted.restarts == 1)

        // A 206 from the wrong offset is not spliced in.
        await #expect(throws: TransportError.self) {
            try await Self.quick.fetch(TransferRequest(url: server.url("a.bin", faults: "drop=1000,badrange")))
        }
    }

    @Test func failsOverAcrossMirrors() async throws {
        let root = try Self.directory(["m/p.bin": Self.body])
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try FaultServer(root: root)
        defer { server.stop() }
        let mirrors = [server.url("m/missing.bin"), server.url("m/p.bin", faults: "status=500"), server.url("m/p.bin")]
        let progress = Mutex<[TransferProgress]>([])
        let bytes = try await Self.quick.fetch(TransferRequest(mirrors: mirrors)) { report in progress.withLock { $0.append(report) } }
        #expect(bytes == Self.body)
        let requests = server.logLines.map { $0.split(separator: " ")[2] }
        #expect(requests == ["/m/missing.bin", "/f/status=500/m/p.bin", "/m/p.bin"])
        let reports = progress.withLock { $0 }
        #expect(reports.last?.bytes == 300_000 && reports.last?.total == 300_000)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.bytes <= $1.bytes }, "monotone")

        // Every mirror missing: a 404, at once: one request each, no retries for what is not there.
        let before = server.logLines.count
        await #expect(throws: TransportError.status(url: server.url("x"), code: 404)) {
            try await Self.quick.fetch(TransferRequest(mirrors: [server.url("x"), server.url("y")]))
        }
        #expect(server.logLines.dropFirst(before).map { $0.split(separator: " ")[2] } == ["/x", "/y"])
    }

    @Test func retriesAreBoundedWithBackoff() async throws {
        let root = try Self.directory(["x": [1]])
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try FaultServer(root: root)
        defer { server.stop() }
        let transfers = Transfers(policy: TransferPolicy(retries: 3, backoffBase: 0.1, backoffMax: 0.15))
        let start = ContinuousClock.now
        await #expect { try await transfers.fetch(TransferRequest(url: server.url("x", faults: "status=503"))) } throws: { error in
            error as? TransportError == .status(url: server.url("x", faults: "status=503"), code: 503)
        }
        let elapsed = ContinuousClock.now - start
        #expect(server.logLines.count == 4, "one attempt and three retries")
        // Backoff 0.1, 0.15, 0.15 scaled by [0.5, 1]: at least 0.2 s in all (the upper bound is
        // loose: other suites run in parallel on two cores).
        #expect(elapsed >= .milliseconds(200))
        #expect(TransferPolicy(backoffBase: 1, backoffMax: 8).backoff(round: 10, jitter: 1) == 8)
        #expect(TransferPolicy(backoffBase: 1, backoffMax: 8).backoff(round: 3, jitter: 0.5) == 2)
    }

    /// The stalled server holds the connection until the client hangs up: only the stall
    /// detection can end the first attempt (no clock is read here; the time limit catches a hang).
    @Test(.timeLimit(.minutes(5))) func aStalledTransferTimesOutAndResumesElsewhere() async throws {
        let root = try Self.directory(["s.bin": Self.body])
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try FaultServer(root: root)
        defer { server.stop() }
        // 3 s, not 1: the healthy mirror's server must not look stalled when a loaded machine
        // leaves it without a core for a second.
        let transfers = Transfers(policy: TransferPolicy(stallTimeout: 3, retries: 0))
        let report = try await transfers.download(
            TransferRequest(mirrors: [server.url("s.bin", faults: "stall=50000"), server.url("s.bin")]),
            to: root.appendingPathComponent("s.out").path)
        #expect(report.failures.count == 1 && report.resumes == 1)
        #expect(report.failures.first?.error.description.contains("stalled: fewer than 3 bytes in 3 s") == true, "\(report.failures)")
        #expect(try Data(contentsOf: root.appendingPathComponent("s.out")) == Data(Self.body))
        #expect(server.logLines.last?.hasSuffix("range=bytes=50000-") == true)
    }

    @Test func byteCapsStopEndlessData() async throws {
        let root = try Self.directory(["big": Self.body])
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try NginxServer(root: root)
        defer { server.stop() }
        let url = server.baseURL.absoluteString + "/big"
        await #expect(throws: TransportError.tooLarge(url: url, limit: 299_999)) {
            try await Self.quick.fetch(TransferRequest(url: url, maxLength: 299_999))
        }
        #expect(try await Self.quick.fetch(TransferRequest(url: url, maxLength: 300_000)).count == 300_000)
    }

    @Test func endlessBodiesEndAtTheCap() async throws {
        let root = try Self.directory(["x": [1]])
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try FaultServer(root: root)
        defer { server.stop() }
        let url = server.url("x", faults: "endless")
        await #expect(throws: TransportError.tooLarge(url: url, limit: 1_000_000)) {
            try await Self.quick.fetch(TransferRequest(url: url, maxLength: 1_000_000))
        }
        let file = root.appendingPathComponent("endless.out")
        await #expect(throws: TransportError.tooLarge(url: url, limit: 2_000_000)) {
            try await Self.quick.download(TransferRequest(url: url, maxLength: 2_000_000), to: file.path)
        }
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? -1
        #expect(size <= 2_000_000, "no byte beyond the cap is written")
    }

    /// The time limit (far below the 600 s stall timeout) is what tells cancellation from the
    /// stall detection: no clock is read.
    @Test(.timeLimit(.minutes(5))) func cancellingTheTaskEndsTheTransfer() async throws {
        let root = try Self.directory(["s.bin": Self.body])
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try FaultServer(root: root)
        defer { server.stop() }
        let url = server.url("s.bin", faults: "stall=1000")
        // A stall timeout far beyond the bound below: only cancellation can end it in time.
        let task = Task { try await Transfers(policy: TransferPolicy(stallTimeout: 600)).fetch(TransferRequest(url: url)) }
        // Cancelled once the request is at the server (which logs it before its stalled answer),
        // so the cancellation meets a transfer in flight, however slow the machine.
        while !server.logLines.contains(where: { $0.contains("/s.bin") }) { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        await #expect(throws: CancellationError.self, "cancelling ends a stalled transfer, not its stall timeout") { try await task.value }
    }

    // The environment's http_proxy is checked in a child process (TrustCLITests
    // .theEnvironmentProxyCarriesTheRequests): setting it here would reroute the other suites
    // that run in this process at the same time.

    /// On an engine of its own: the shared engine's connection cache (64) is churned by every
    /// other suite running in this process, which could close this test's idle connection. Its
    /// idle age is an hour: under CI load a task can wait longer than libcurl's 118 s between two
    /// fetches, and curl then opens a new connection (seen once: the first request on its own).
    /// Its steps run on threads of the tests' own: on the cooperative pool, held for minutes by
    /// synchronous tests waiting for their children, the step after the first fetch once came
    /// more than 600 s later (the test took 721 s), past nginx's keep-alive timeout.
    @Test func connectionsAreKeptAliveAcrossRequests() async throws {
        try await CooperativePool.awayFromThePool { try await Self.keptAlive() }
    }

    static func keptAlive() async throws {
        let root = try Self.directory(Dictionary(uniqueKeysWithValues: (0..<10).map { ("k/\($0).json", Array("file \($0)".utf8)) }))
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try NginxServer(root: root)
        defer { server.stop() }
        let engine = TransferEngine(maxConnections: 4, maxIdleSeconds: 3600)
        let transfers = Transfers(policy: TransferPolicy(), engine: engine)
        for index in 0..<10 {
            let bytes = try await transfers.fetch(TransferRequest(url: server.baseURL.absoluteString + "/k/\(index).json"))
            #expect(bytes == Array("file \(index)".utf8))
        }
        // nginx logs a request after answering it: wait for the tenth line (hang catcher only).
        var lines = server.connectionLogLines
        for _ in 0..<6000 where lines.count < 10 {
            try await Task.sleep(for: .milliseconds(20))
            lines = server.connectionLogLines
        }
        #expect(lines.count == 10, "\(lines)")
        #expect(Set(lines.map { $0.split(separator: " ")[0] }).count == 1, "one connection for all: \(lines)")
        // A stopped engine takes no more transfers: they end as cancelled.
        engine.shutdown()
        await #expect(throws: CancellationError.self) {
            try await transfers.fetch(TransferRequest(url: server.baseURL.absoluteString + "/k/0.json"))
        }
    }

    /// The idle age is what decides reuse: past it, libcurl opens a new connection. (Load can
    /// only lengthen the pause, so this holds on a busy machine too.)
    @Test func aConnectionIdleLongerThanTheEngineAllowsIsReplaced() async throws {
        let root = try Self.directory(["a.json": Array("a".utf8), "b.json": Array("b".utf8)])
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try NginxServer(root: root)
        defer { server.stop() }
        let engine = TransferEngine(maxConnections: 4, maxIdleSeconds: 1)
        defer { engine.shutdown() }
        let transfers = Transfers(policy: TransferPolicy(), engine: engine)
        #expect(try await transfers.fetch(TransferRequest(url: server.baseURL.absoluteString + "/a.json")) == Array("a".utf8))
        try await Task.sleep(for: .milliseconds(2500))
        #expect(try await transfers.fetch(TransferRequest(url: server.baseURL.absoluteString + "/b.json")) == Array("b".utf8))
        var lines = server.connectionLogLines
        for _ in 0..<6000 where lines.count < 2 {
            try await Task.sleep(for: .milliseconds(20))
            lines = server.connectionLogLines
        }
        #expect(lines.count == 2 && Set(lines.map { $0.split(separator: " ")[0] }).count == 2, "two connections: \(lines)")
    }

    @Test func twentyConcurrentDownloads() async throws {
        var files: [String: [UInt8]] = [:]
        for index in 0..<20 { files["c/\(index).bin"] = Array(Self.body.prefix(100_000 + index * 5000)) }
        let root = try Self.directory(files)
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try NginxServer(root: root)
        defer { server.stop() }
        let transfers = Transfers(policy: TransferPolicy(bufferSize: 64 << 10))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    let out = root.appendingPathComponent("c/\(index).out").path
                    try await transfers.download(TransferRequest(url: server.baseURL.absoluteString + "/c/\(index).bin"), to: out)
                }
            }
            try await group.waitForAll()
        }
        for index in 0..<20 {
            #expect(try Data(contentsOf: root.appendingPathComponent("c/\(index).out")) == Data(files["c/\(index).bin"]!))
        }
    }

    @Test func slowConsumersPauseTheTransfer() async throws {
        let root = try Self.directory(["slow.bin": Self.body])
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try NginxServer(root: root)
        defer { server.stop() }
        final class Slow: TransferConsumer {
            var bytes: [UInt8] = []
            func resumeOffset() async throws -> Int64 { Int64(bytes.count) }
            func restart() async throws { bytes = [] }
            func consume(_ chunk: [UInt8]) async throws {
                bytes += chunk
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        let slow = Slow()
        let transfers = Transfers(policy: TransferPolicy(bufferSize: 64 << 10))
        try await transfers.stream(TransferRequest(url: server.baseURL.absoluteString + "/slow.bin"), to: slow)
        #expect(slow.bytes == Self.body)
    }

    @Test func aPausedTransferIsNotAStall() async throws {
        let root = try Self.directory(["p.bin": Array(repeating: 7, count: 4 << 20)])
        defer { try? FileManager.default.removeItem(at: root) }
        let server = try NginxServer(root: root)
        defer { server.stop() }
        final class Sleepy: TransferConsumer {
            var count = 0
            var slept = false
            func resumeOffset() async throws -> Int64 { Int64(count) }
            func restart() async throws { count = 0 }
            func consume(_ chunk: [UInt8]) async throws {
                count += chunk.count
                if !slept {
                    slept = true
                    try await Task.sleep(for: .milliseconds(4500))
                }
            }
        }
        let sleepy = Sleepy()
        // The stall clock stops while the transfer is paused for the consumer (StallWatch), so a
        // pause longer than the stall timeout, however long a busy machine makes it, is no stall.
        // (The test nginx keeps an unread response for 600 s, not nginx's default 60 s: a machine
        // busy enough to pause the consumer longer would see the server close, not a stall.)
        // 3 s (the pause is longer still): nginx left without a core for a second is no stall either.
        let transfers = Transfers(policy: TransferPolicy(stallTimeout: 3, retries: 0, bufferSize: 64 << 10))
        let report = try await transfers.stream(TransferRequest(url: server.baseURL.absoluteString + "/p.bin"), to: sleepy)
        #expect(sleepy.count == 4 << 20)
        #expect(report.failures.isEmpty, "a consumer that lags pauses the transfer; that is no stall: \(report.failures)")
    }

    @Test func fileURLsWork() async throws {
        let root = try Self.directory(["f.bin": Self.body])
        defer { try? FileManager.default.removeItem(at: root) }
        let url = "file://" + root.appendingPathComponent("f.bin").path
        #expect(try await Self.quick.fetch(TransferRequest(url: url)) == Self.body)
        await #expect(throws: TransportError.status(url: url + ".missing", code: 404)) {
            try await Self.quick.fetch(TransferRequest(url: url + ".missing"))
        }
        // Resuming a partial file continues after its last byte.
        let partial = root.appendingPathComponent("partial.bin")
        try Data(Self.body.prefix(123_456)).write(to: partial)
        let report = try await Self.quick.download(TransferRequest(url: url), to: partial.path, resume: true)
        #expect(report.resumes == 1)
        #expect(try Data(contentsOf: partial) == Data(Self.body))
    }
}
