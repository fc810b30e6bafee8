import Foundation
import Testing
@testable import Torrents

/// Torrents made by libtorrent for one file: v1, v2, hybrid; web seeds, trackers, private; bad input refused.
@Suite struct TorrentCreatorTests {
    @Test func createsV1V2AndHybridTorrents() throws {
        let directory = try TorrentSessionTests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("pkg.tar.gz")
        _ = try TorrentSessionTests.randomFile(at: file, bytes: 100_000)
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

    @Test func pieceLengthGrowsWithTheFile() {
        #expect(TorrentCreator.pieceLength(forFileSize: 1 << 20) == 256 << 10)
        #expect(TorrentCreator.pieceLength(forFileSize: 256 << 20) == 1 << 20)
        #expect(TorrentCreator.pieceLength(forFileSize: 4 << 30) == 2 << 20)
        #expect(TorrentCreator.pieceLength(forFileSize: 16 << 30) == 4 << 20)
    }
}
