import Foundation
import Testing
@testable import Torrents

/// Two sessions in this process on 127.0.0.1: one seeds a file, the other downloads it.
@Suite struct TorrentSessionTests {
    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("torrent-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func randomFile(at url: URL, bytes: Int) throws -> Data {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try data.write(to: url)
        return data
    }

    @Test func createsV1V2AndHybridTorrents() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("pkg.tar.gz")
        _ = try Self.randomFile(at: file, bytes: 100_000)
        let v1 = try TorrentCreator(version: .v1, webSeeds: ["http://127.0.0.1:1/pkg.tar.gz"], trackers: ["http://127.0.0.1:2/announce"])
            .create(file: file.path, length: 100_000)
        #expect(v1.infoHashV1?.count == 40 && v1.infoHashV2 == nil)
        #expect(v1.length == 100_000 && v1.name == "pkg.tar.gz" && v1.pieceLength == 256 << 10 && v1.pieces.count == 1)
        #expect(v1.webSeeds == ["http://127.0.0.1:1/pkg.tar.gz"] && v1.trackers == ["http://127.0.0.1:2/announce"])
        let v2 = try TorrentCreator(version: .v2).create(file: file.path, length: 100_000)
        #expect(v2.infoHashV1 == nil && v2.infoHashV2?.count == 64 && v2.length == 100_000)
        let hybrid = try TorrentCreator(version: .hybrid, pieceLength: 16384, isPrivate: true).create(file: file.path, length: 100_000)
        #expect(hybrid.infoHashV1 != nil && hybrid.infoHashV2 != nil && hybrid.pieces.count == 7 && hybrid.isPrivate)
    }

    @Test func refusesABadPieceLengthAndAMissingFile() throws {
        #expect(throws: TorrentError.self) { try TorrentCreator(pieceLength: 1000).create(file: "/nonexistent/x", length: 1) }
        #expect(throws: TorrentError.self) { try TorrentCreator().create(file: "/nonexistent/alien-torrent-test", length: 1) }
        #expect(throws: TorrentError.self) { try TorrentCreator().create(file: "relative", length: 1) }
    }

    @Test(.timeLimit(.minutes(2)))
    func downloadsFromASeedingSessionOverTCP() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("seed/pkg.tar.gz")
        try FileManager.default.createDirectory(at: source.deletingLastPathComponent(), withIntermediateDirectories: true)
        let data = try Self.randomFile(at: source, bytes: 3 << 20)
        let torrent = try TorrentCreator().create(file: source.path, length: Int64(data.count))

        let seeder = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        let leecher = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        _ = try await seeder.add(torrent, file: source.path, seed: true)
        var port = 0
        for _ in 0..<50 where port == 0 {
            port = try await seeder.listenPort()
            if port == 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(port > 0)
        let target = directory.appendingPathComponent("down/renamed.bin")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let report = try await SwarmDownload(torrent: torrent, peers: [PeerAddress(host: "127.0.0.1", port: port)], stallTimeout: 60)
            .run(in: leecher, to: target.path)
        #expect(report.status.bytesDone == Int64(data.count) && report.hashFailures == 0)
        #expect(try Data(contentsOf: target) == data)
        #expect(await leecher.shutdown(timeout: 10))
        #expect(await seeder.shutdown(timeout: 10))
        await #expect(throws: TorrentError.stopped) { try await seeder.listenPort() }
    }

    @Test(.timeLimit(.minutes(1)))
    func stallsWhenNobodyHasThePieces() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("pkg.bin")
        _ = try Self.randomFile(at: source, bytes: 50_000)
        let torrent = try TorrentCreator(webSeeds: ["http://127.0.0.1:9/nothing"]).create(file: source.path, length: 50_000)
        let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        await #expect {
            _ = try await SwarmDownload(torrent: torrent, stallTimeout: 1.5).run(in: session, to: directory.appendingPathComponent("out/x").path)
        } throws: { error in
            if case TorrentError.stalled = error { return true }
            return false
        }
        #expect(await session.shutdown())
    }

    @Test func peerAddressesParse() throws {
        #expect(try PeerAddress(parsing: "127.0.0.1:6881") == PeerAddress(host: "127.0.0.1", port: 6881))
        #expect(try PeerAddress(parsing: "[::1]:80").description == "[::1]:80")
        #expect(throws: TorrentError.self) { try PeerAddress(parsing: "127.0.0.1") }
        #expect(throws: TorrentError.self) { try PeerAddress(parsing: "h:0") }
        #expect(throws: TorrentError.self) { try PeerAddress(parsing: ":80") }
    }
}
