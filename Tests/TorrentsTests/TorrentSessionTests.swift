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

    @Test(.timeLimit(.minutes(5)))
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
        for _ in 0..<3000 where port == 0 {  // ≤ 300 s: a hang catcher
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
        #expect(await leecher.shutdown(timeout: 120))
        #expect(await seeder.shutdown(timeout: 120))
        await #expect(throws: TorrentError.stopped) { try await seeder.listenPort() }
    }

    /// A flush is answered by its alert about that torrent (what a finished download waits for
    /// before its file is read); a torrent the session does not have is an error.
    @Test(.timeLimit(.minutes(5)))
    func aFlushIsAnsweredByItsAlert() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("pkg.bin")
        let data = try Self.randomFile(at: source, bytes: 100_000)
        let torrent = try TorrentCreator().create(file: source.path, length: Int64(data.count))
        let session = try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
        let id = try await session.add(torrent, file: source.path, seed: true)
        try await SwarmDownload.written(id, name: torrent.name, in: session)
        await #expect(throws: TorrentError.self) { try await session.flush(TorrentID(rawValue: 9_999)) }
        #expect(await session.shutdown(timeout: 120))
    }
}
