import Foundation
import Testing
@testable import Torrents

/// A swarm download that finds nobody stalls (so the caller can fall back); peer addresses parse.
@Suite struct SwarmDownloadTests {
    @Test(.timeLimit(.minutes(1)))
    func stallsWhenNobodyHasThePieces() async throws {
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
        #expect(await session.shutdown())
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
