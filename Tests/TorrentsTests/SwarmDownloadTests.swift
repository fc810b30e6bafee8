import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Torrents

/// A swarm download that finds nobody ends with `.noSource` or `.stalled` (so the caller can fall
/// back), a dead tracker sends it to the web seed at once; peer addresses parse.
@Suite struct SwarmDownloadTests {
    /// A file of `bytes` random bytes in a fresh `web` directory, and its torrent.
    static func published(
        _ directory: URL, bytes: Int, pieceLength: Int = 16_384, trackers: [String] = [],
        webSeeds: [String] = []
    ) throws -> (URL, Data, TorrentFile) {
        let web = directory.appendingPathComponent("web")
        try FileManager.default.createDirectory(at: web, withIntermediateDirectories: true)
        let source = web.appendingPathComponent("pkg.bin")
        let data = try TorrentSessionTests.randomFile(at: source, bytes: bytes)
        let torrent = try TorrentCreator(pieceLength: pieceLength, webSeeds: webSeeds, trackers: trackers).create(file: source.path, length: Int64(bytes))
        return (web, data, torrent)
    }

    static func deadTracker() throws -> String { "http://127.0.0.1:\(try NginxServer.freePort())/announce" }

    static func noSource(_ error: any Error, containing text: String) -> Bool {
        guard case let TorrentError.noSource(_, _, reason) = error else { return false }
        return reason.contains(text)
    }

    /// Runs `download` in a session of its own into `directory/out/x`, expecting `.noSource`
    /// whose reason names each of `texts`; then shuts the session down.
    static func expectNoSource(
        _ download: SwarmDownload, in directory: URL, naming texts: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        await #expect(sourceLocation: sourceLocation) {
            _ = try await download.run(in: session, to: directory.appendingPathComponent("out/x").path)
        } throws: { error in
            texts.allSatisfy { noSource(error, containing: $0) }
        }
        #expect(await session.shutdown(timeout: 120), sourceLocation: sourceLocation)
    }

    // The stall and startup limits below are far beyond the tests' time limits: the failures
    // they expect can only be the immediate ones.

    @Test(.timeLimit(.minutes(5)))
    func aDeadTrackerWithoutWebSeedsIsNoSourceAtOnce() async throws {
        try await CooperativePool.awayFromThePool {
            let directory = try TorrentSessionTests.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (_, _, torrent) = try Self.published(directory, bytes: 50_000, trackers: [try Self.deadTracker()])
            let download = SwarmDownload(torrent: torrent, stallTimeout: 600, startupTimeout: 600)
            #expect(download.policy == .standard)
            try await Self.expectNoSource(download, in: directory, naming: ["tracker failed: http://127.0.0.1:", "no web seed"])
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aTrackerThatNeverAnswersWithoutWebSeedsEndsAtTheStartupDeadline() async throws {
        try await CooperativePool.awayFromThePool {
            let directory = try TorrentSessionTests.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            // The tracker's port takes connections (the kernel's backlog) and nobody answers: no
            // failure to see, only time.
            let listener = try SilentListener()
            defer { listener.close() }
            let (_, _, torrent) = try Self.published(directory, bytes: 50_000, trackers: ["http://127.0.0.1:\(listener.port)/announce"])
            try await Self.expectNoSource(
                SwarmDownload(torrent: torrent, stallTimeout: 600, startupTimeout: 1), in: directory,
                naming: ["0 of 1 tracker(s) answered; 0 peer(s) connected", "no web seed"])
        }
    }

    /// The startup deadline is kept while synchronous work holds every thread of the cooperative
    /// pool (as other tests, waiting for child processes, do): the download's steps run on the
    /// threads it prefers, its session's actor too.
    @Test(.timeLimit(.minutes(5)))
    func theStartupDeadlineHoldsWhileThePoolIsHeld() async throws {
        let directory = try TorrentSessionTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let listener = try SilentListener()
        defer { listener.close() }
        let (_, _, torrent) = try Self.published(directory, bytes: 50_000, trackers: ["http://127.0.0.1:\(listener.port)/announce"])
        let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        let output = directory.appendingPathComponent("out/x").path
        let outcome = try await CooperativePool.whileHeld { () -> String in
            let done = DispatchSemaphore(value: 0)
            let answer = Answer()
            Task(executorPreference: CooperativePool.ownThreads) {
                do {
                    _ = try await SwarmDownload(torrent: torrent, stallTimeout: 600, startupTimeout: 1).run(in: session, to: output)
                    answer.set("no error")
                } catch { answer.set("\(error)") }
                done.signal()
            }
            // Far beyond the 1 s deadline (a download that needed the held pool would never end
            // while it is held); it returns as soon as the download ends.
            return done.wait(timeout: .now() + 120) == .timedOut ? "still running after 120 s" : answer.get()
        }
        #expect(outcome.contains("0 of 1 tracker(s) answered"), "\(outcome)")
        #expect(await session.shutdown(timeout: 120))
    }

    /// What a task handed back to a waiting thread.
    final class Answer: Sendable {
        private let value = Mutex("")
        func set(_ text: String) { value.withLock { $0 = text } }
        func get() -> String { value.withLock { $0 } }
    }

    @Test(.timeLimit(.minutes(5)))
    func aDeadTrackerSendsTheDownloadToTheWebSeedAtOnce() async throws {
        try await CooperativePool.awayFromThePool {
            let directory = try TorrentSessionTests.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (web, data, plain) = try Self.published(directory, bytes: 5 * 16_384 + 7, trackers: [try Self.deadTracker()])
            let nginx = try NginxServer(root: web)
            defer { nginx.stop() }
            let url = nginx.baseURL.appendingPathComponent("pkg.bin").absoluteString
            let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
            // The repository's URL passed as an extra web seed (the torrent names none).
            let target = directory.appendingPathComponent("out/pkg.bin")
            let report = try await SwarmDownload(torrent: plain, webSeeds: [url], stallTimeout: 600, startupTimeout: 600)
                .run(in: session, to: target.path)
            #expect(try Data(contentsOf: target) == data)
            // Alone for good: the origin's pieces in runs, not one request a piece.
            #expect(report.originPieces == 6 && report.originBytes == Int64(data.count) && report.hashFailures == 0)
            #expect(report.alone, "no peer ever, every tracker failed")
            let lines = nginx.accessLogLines { !$0.isEmpty }  // nginx logs after answering: wait for the line
            #expect(lines.allSatisfy { $0.hasSuffix(" 206") } && lines.count == 1, "\(lines)")
            #expect(await session.shutdown(timeout: 120))
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aWebSeedThatSendsNothingEndsAtTheStartupDeadline() async throws {
        try await CooperativePool.awayFromThePool {
            let directory = try TorrentSessionTests.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (web, _, torrent) = try Self.published(directory, bytes: 50_000, trackers: [try Self.deadTracker()])
            let server = try FaultServer(root: web)
            defer { server.stop() }
            try await Self.expectNoSource(
                SwarmDownload(torrent: torrent, webSeeds: [server.url("pkg.bin", faults: "stall=0")], stallTimeout: 600, startupTimeout: 1), in: directory,
                naming: ["tracker failed", "web seeds: nothing received"])
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aWebSeedIgnoringRangeIsRetiredAndNothingElseIsLeft() async throws {
        try await CooperativePool.awayFromThePool {
            let directory = try TorrentSessionTests.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            // Larger than one fetch (4 MiB when alone), so the whole file is never the right answer.
            let (web, _, torrent) = try Self.published(directory, bytes: 5 << 20, pieceLength: 1 << 20, trackers: [try Self.deadTracker()])
            let server = try FaultServer(root: web)
            defer { server.stop() }
            try await Self.expectNoSource(
                SwarmDownload(torrent: torrent, webSeeds: [server.url("pkg.bin", faults: "norange")], stallTimeout: 600, startupTimeout: 600), in: directory,
                naming: ["ignored the Range request"])
            #expect(server.logLines.count == 3, "one URL, retired after three failures: \(server.logLines)")
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aGivenPeerThatNeverAnswersEndsAtTheStartupDeadline() async throws {
        try await CooperativePool.awayFromThePool {
            let directory = try TorrentSessionTests.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (_, _, torrent) = try Self.published(directory, bytes: 50_000)
            let peer = PeerAddress(host: "127.0.0.1", port: Int(try NginxServer.freePort()))
            try await Self.expectNoSource(
                SwarmDownload(torrent: torrent, peers: [peer], stallTimeout: 600, startupTimeout: 1), in: directory, naming: ["no tracker; 0 peer(s) connected"]
            )
        }
    }

    /// Three nodes that know each other and an origin slower than their links: all get the
    /// file, and the origin serves well under one copy per node (peers trade what it sent).
    @Test(.timeLimit(.minutes(5)))
    func threeNodesShareWhatTheOriginSent() async throws {
        try await CooperativePool.awayFromThePool {
            let directory = try TorrentSessionTests.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            let pieces = 32
            let (web, data, torrent) = try Self.published(directory, bytes: pieces * 16_384)
            let nginx = try NginxServer(
                root: web,
                serverBlock: """
                    server { listen @LISTEN@; root @ROOT@; location / { limit_rate 128k; } }
                    """)
            defer { nginx.stop() }
            let url = nginx.baseURL.appendingPathComponent("pkg.bin").absoluteString
            var sessions: [TorrentSession] = []
            var ports: [Int] = []
            for _ in 0..<3 {
                let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
                sessions.append(session)
                ports.append(try await TorrentSessionSwarmTests.listenPort(session))
            }
            let reports = try await withThrowingTaskGroup(of: (Int, SwarmReport).self) { group in
                for node in 0..<3 {
                    let others = ports.indices.filter { $0 != node }.map { PeerAddress(host: "127.0.0.1", port: ports[$0]) }
                    let download = SwarmDownload(torrent: torrent, peers: others, webSeeds: [url], stallTimeout: 60, startupTimeout: 30)
                    let session = sessions[node]
                    let target = directory.appendingPathComponent("node\(node)/pkg.bin").path
                    group.addTask { (node, try await download.run(in: session, to: target)) }
                }
                var all: [Int: SwarmReport] = [:]
                for try await (node, report) in group { all[node] = report }
                return all
            }
            for node in 0..<3 {
                #expect(try Data(contentsOf: directory.appendingPathComponent("node\(node)/pkg.bin")) == data)
            }
            let fetched = reports.values.map(\.originPieces).reduce(0, +)
            #expect(fetched >= pieces && fetched < 2 * pieces, "origin pieces: \(reports.mapValues(\.originPieces))")
            #expect(reports.values.allSatisfy { !$0.alone }, "peers were given: never alone")
            for session in sessions { #expect(await session.shutdown(timeout: 120)) }
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func stallsWhenNobodyHasThePieces() async throws {
        try await CooperativePool.awayFromThePool {
            let directory = try TorrentSessionTests.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            let source = directory.appendingPathComponent("pkg.bin")
            _ = try TorrentSessionTests.randomFile(at: source, bytes: 50_000)
            let torrent = try TorrentCreator(webSeeds: ["http://127.0.0.1:9/nothing"]).create(file: source.path, length: 50_000)
            let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
            await #expect {
                _ = try await SwarmDownload(torrent: torrent, stallTimeout: 1.5).run(in: session, to: directory.appendingPathComponent("out/x").path)
            } throws: { error in
                if case TorrentError.stalled = error { return true }
                return false
            }
            #expect(await session.shutdown(timeout: 120))
        }
    }

    @Test func peerAddressesParse() throws {
        #expect(try PeerAddress(parsing: "127.0.0.1:6881") == PeerAddress(host: "127.0.0.1", port: 6881))
        #expect(try PeerAddress(parsing: "[::1]:80").description == "[::1]:80")
        #expect(throws: TorrentError.self) { try PeerAddress(parsing: "127.0.0.1") }
        #expect(throws: TorrentError.self) { try PeerAddress(parsing: "h:0") }
        #expect(throws: TorrentError.self) { try PeerAddress(parsing: ":80") }
    }

    @Test func webSeedsAreHeldBackOnlyWhenThereArePeersToAsk() throws {
        let directory = try TorrentSessionTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("pkg.bin")
        _ = try TorrentSessionTests.randomFile(at: file, bytes: 40_000)
        let plain = try TorrentCreator(webSeeds: ["http://s/pkg.bin"]).create(file: file.path, length: 40_000)
        #expect(SwarmDownload(torrent: plain).policy == .always)
        #expect(SwarmDownload(torrent: plain, peers: [PeerAddress(host: "127.0.0.1", port: 1)]).policy == .standard)
        let tracked = try TorrentCreator(webSeeds: ["http://s/pkg.bin"], trackers: ["http://t/announce"]).create(file: file.path, length: 40_000)
        #expect(SwarmDownload(torrent: tracked).policy == .standard)
        #expect(SwarmDownload(torrent: tracked, webSeedPolicy: .always).policy == .always)
        let withoutSeeds = try tracked.withoutWebSeeds()
        #expect(withoutSeeds.webSeeds.isEmpty && withoutSeeds.infoHash == tracked.infoHash && withoutSeeds.trackers == tracked.trackers)
    }
}

/// A TCP port on 127.0.0.1 that completes handshakes (listen backlog) and never reads or answers.
final class SilentListener: @unchecked Sendable {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound, listen(fd, 16) == 0 else {
            if fd >= 0 { _ = Glibc.close(fd) }
            throw TorrentError.invalidArgument(name: "listener", expected: "a bound port on 127.0.0.1", got: String(cString: strerror(errno)))
        }
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    func close() { _ = Glibc.close(descriptor) }
}
