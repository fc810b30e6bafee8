import Foundation
import TestSupport
import Testing
@testable import Torrents

/// The swarm view (peers, their pieces, trackers) and piece fetches from an origin, against a
/// seeding session, nginx and the fault server on 127.0.0.1.
@Suite struct TorrentSessionSwarmTests {
    /// Polls `condition` every 50 ms for at most `seconds` (a hang catcher, not a timing claim).
    static func eventually(_ seconds: Double = 300, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    static func listenPort(_ session: TorrentSession) async throws -> Int {
        var port = 0
        _ = try await eventually {
            port = try await session.listenPort()
            return port > 0
        }
        return port
    }

    @Test(.timeLimit(.minutes(5)))
    func theViewCountsAConnectedSeedAndItsPieces() async throws {
        let directory = try TorrentSessionTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("pkg.bin")
        _ = try TorrentSessionTests.randomFile(at: source, bytes: 10 * 16_384 + 5)
        let torrent = try TorrentCreator(pieceLength: 16_384).create(file: source.path, length: 10 * 16_384 + 5)
        // A seeder slow enough that the leecher is still missing pieces while we look.
        let seeder = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0", uploadRateLimit: 4096))
        let leecher = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        _ = try await seeder.add(torrent, file: source.path, seed: true)
        let port = try await Self.listenPort(seeder)
        let id = try await leecher.add(torrent, file: directory.appendingPathComponent("out.bin").path)
        let before = try await leecher.swarm(id, pieceCount: 11)
        #expect(before.pieceCount == 11 && before.pieceLength == 16_384 && before.peers == 0 && before.availability == Array(repeating: 0, count: 11))
        #expect(before.trackers == 0 && before.trackersSettled && before.trackerSwarm == nil && before.swarmSize == 1)
        try await leecher.connect(id, host: "127.0.0.1", port: port)
        var view = before
        #expect(
            try await Self.eventually {
                view = try await leecher.swarm(id, pieceCount: 11)
                return view.peers == 1
            })
        #expect(view.availability.allSatisfy { $0 == 1 || $0 == -1 }, "\(view.availability)")
        #expect(view.piecesHave == view.availability.filter { $0 == -1 }.count)
        #expect(view.swarmSize == 2 && view.knownPeers >= 1)
        await #expect(throws: TorrentError.self) { try await leecher.swarm(TorrentID(rawValue: 999), pieceCount: 1) }
        #expect(await leecher.shutdown(timeout: 120))
        #expect(await seeder.shutdown(timeout: 120))
    }

    @Test(.timeLimit(.minutes(5)))
    func aDeadTrackerIsSeenAsFailedWithItsError() async throws {
        let directory = try TorrentSessionTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("pkg.bin")
        _ = try TorrentSessionTests.randomFile(at: source, bytes: 20_000)
        let dead = "http://127.0.0.1:\(try NginxServer.freePort())/announce"
        let torrent = try TorrentCreator(trackers: [dead]).create(file: source.path, length: 20_000)
        let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        let id = try await session.add(torrent, file: directory.appendingPathComponent("out.bin").path)
        var view = try await session.swarm(id, pieceCount: 1)
        #expect(view.trackers == 1)
        #expect(
            try await Self.eventually {
                view = try await session.swarm(id, pieceCount: 1)
                return view.trackersFailed == 1
            })
        #expect(view.trackersSettled && view.trackersAnswered == 0 && view.peers == 0)
        #expect(view.trackerError?.hasPrefix(dead + ": ") == true, "\(view.trackerError ?? "nil")")
        #expect(await session.shutdown(timeout: 120))
    }

    @Test(.timeLimit(.minutes(5)))
    func alertsOfOneTorrentAreKeptForItWhileAnotherAsks() async throws {
        let directory = try TorrentSessionTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        var ids: [TorrentID] = []
        for name in ["a", "b"] {
            let source = directory.appendingPathComponent("\(name).bin")
            _ = try TorrentSessionTests.randomFile(at: source, bytes: 20_000)
            let dead = "http://127.0.0.1:\(try NginxServer.freePort())/announce"
            let torrent = try TorrentCreator(trackers: [dead]).create(file: source.path, length: 20_000)
            ids.append(try await session.add(torrent, file: directory.appendingPathComponent("out-\(name).bin").path))
        }
        // Both torrents' trackers fail; asking for "a" only must not lose "b"'s alert.
        var first: [TorrentAlert] = []
        #expect(
            try await Self.eventually {
                first += try await session.alerts(for: ids[0])
                let view = try await session.swarm(ids[1], pieceCount: 1)
                return first.contains { $0.kind == .trackerError } && view.trackersFailed == 1
            })
        #expect(first.allSatisfy { $0.torrent == ids[0] })
        let second = try await session.alerts(for: ids[1])
        #expect(second.contains { $0.kind == .trackerError && $0.torrent == ids[1] }, "\(second)")
        #expect(await session.shutdown(timeout: 120))
    }

    @Test(.timeLimit(.minutes(5)))
    func aPieceFetchedFromTheOriginIsVerifiedAndHad() async throws {
        let directory = try TorrentSessionTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let web = directory.appendingPathComponent("web")
        try FileManager.default.createDirectory(at: web, withIntermediateDirectories: true)
        let source = web.appendingPathComponent("pkg.bin")
        let data = try TorrentSessionTests.randomFile(at: source, bytes: 3 * 16_384 + 100)
        let torrent = try TorrentCreator(pieceLength: 16_384).create(file: source.path, length: Int64(data.count))
        let nginx = try NginxServer(root: web)
        defer { nginx.stop() }
        let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        let id = try await session.add(torrent, file: directory.appendingPathComponent("out.bin").path)
        let url = nginx.baseURL.appendingPathComponent("pkg.bin").absoluteString
        #expect(
            try await Self.eventually {
                let status = try await session.status(id)
                return status.state != .checking
            })
        // The last piece (100 bytes), then the first two in one request.
        for pieces in [3..<4, 0..<2] {
            #expect(try await session.fetchPieces(pieces, from: url, stallSeconds: 10, for: id))
            #expect(try await Self.eventually { try await !session.fetchStatus(id).active })
        }
        let fetched = try await session.fetchStatus(id)
        #expect(fetched.completed == 3 && fetched.failed == 0 && fetched.bytes == 2 * 16_384 + 100 && fetched.error == nil)
        var view = try await session.swarm(id, pieceCount: 4)
        #expect(
            try await Self.eventually {
                view = try await session.swarm(id, pieceCount: 4)
                return view.piecesHave == 3
            })
        #expect(view.availability == [-1, -1, 0, -1])
        await #expect(throws: TorrentError.self) { try await session.fetchPieces(4..<5, from: url, stallSeconds: 10, for: id) }
        await #expect(throws: TorrentError.self) { try await session.fetchPieces(2..<5, from: url, stallSeconds: 10, for: id) }
        // nginx logs after answering: wait for the two lines.
        let ranges = nginx.accessLogLines { $0.filter { $0.contains("GET /pkg.bin") && $0.hasSuffix(" 206") }.count >= 2 }
        #expect(ranges.filter { $0.contains("GET /pkg.bin") && $0.hasSuffix(" 206") }.count == 2, "\(ranges)")
        #expect(await session.shutdown(timeout: 120))
    }

    @Test(.timeLimit(.minutes(5)))
    func aServerThatIgnoresRangeOrHangsFailsTheFetchAndOneFetchRunsAtATime() async throws {
        let directory = try TorrentSessionTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let web = directory.appendingPathComponent("web")
        try FileManager.default.createDirectory(at: web, withIntermediateDirectories: true)
        let source = web.appendingPathComponent("pkg.bin")
        let data = try TorrentSessionTests.randomFile(at: source, bytes: 3 * 16_384)
        let torrent = try TorrentCreator(pieceLength: 16_384).create(file: source.path, length: Int64(data.count))
        let server = try FaultServer(root: web)
        defer { server.stop() }
        let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        let id = try await session.add(torrent, file: directory.appendingPathComponent("out.bin").path)
        #expect(try await session.fetchPieces(1..<2, from: server.url("pkg.bin", faults: "norange"), stallSeconds: 10, for: id))
        #expect(try await Self.eventually { try await !session.fetchStatus(id).active })
        var status = try await session.fetchStatus(id)
        #expect(status.failed == 1 && status.completed == 0 && status.piece == 1)
        #expect(status.error?.contains("ignored the Range request") == true, "\(status.error ?? "nil")")
        // A server that sends nothing: the fetch runs (a second is refused) until the stall limit.
        #expect(try await session.fetchPieces(0..<1, from: server.url("pkg.bin", faults: "stall=0"), stallSeconds: 1, for: id))
        #expect(try await !session.fetchPieces(2..<3, from: server.url("pkg.bin"), stallSeconds: 1, for: id))
        #expect(try await Self.eventually { try await !session.fetchStatus(id).active })
        status = try await session.fetchStatus(id)
        #expect(status.failed == 2 && status.completed == 0 && status.piece == 0)
        #expect(try await session.swarm(id, pieceCount: 3).piecesHave == 0)
        #expect(await session.shutdown(timeout: 120))
    }
}
