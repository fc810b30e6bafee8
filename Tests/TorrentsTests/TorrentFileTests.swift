import AlienModel
import Crypto
import Testing
@testable import Torrents

@Suite struct TorrentFileTests {
    /// A v1 single-file metainfo built by hand: 40 000 bytes in 16 KiB pieces.
    static func metainfo(
        length: Int64 = 40_000, pieces: Int = 3, extra: String = "", name: String = "pkg.tar.gz",
        pieceLength: Int = 16384
    ) -> [UInt8] {
        let hashes = [UInt8](repeating: 7, count: 20 * pieces)
        var info: [UInt8] = Array("d6:lengthi\(length)e4:name\(name.utf8.count):\(name)12:piece lengthi\(pieceLength)e6:pieces\(hashes.count):".utf8)
        info += hashes
        info += Array("e".utf8)
        var out: [UInt8] = Array("d8:announce20:http://t.example/ann".utf8)
        out += Array("4:info".utf8) + info
        out += Array(extra.utf8)
        out += Array("e".utf8)
        return out
    }

    @Test func readsAV1Torrent() throws {
        let bytes = Self.metainfo(extra: "8:url-listl25:http://seed.example/a.tgze")
        let torrent = try TorrentFile(parsing: bytes)
        #expect(torrent.name == "pkg.tar.gz")
        #expect(torrent.length == 40_000)
        #expect(torrent.pieceLength == 16384)
        #expect(torrent.pieces.count == 3)
        #expect(torrent.trackers == ["http://t.example/ann"])
        #expect(torrent.webSeeds == ["http://seed.example/a.tgz"])
        #expect(torrent.infoHashV2 == nil)
        // The info-hash is the SHA-1 of exactly the info dictionary's bytes.
        var parser = BencodeParser(bytes)
        _ = try parser.parse()
        let info = Array(bytes[try #require(parser.infoRange)])
        #expect(torrent.infoHashV1 == Hex.lowercase(Insecure.SHA1.hash(data: info)))
    }

    @Test func aSingleWebSeedStringIsAccepted() throws {
        let torrent = try TorrentFile(parsing: Self.metainfo(extra: "8:url-list9:http://s/"))
        #expect(torrent.webSeeds == ["http://s/"])
    }

    static let malformed: [String: [UInt8]] = [
        "wrong piece count": metainfo(pieces: 2),
        "piece length not a power of two": metainfo(pieceLength: 20000),
        "name with a slash": metainfo(name: "../x"),
        "negative length": metainfo(length: -1, pieces: 0),
        "url-list an integer": metainfo(extra: "8:url-listi3e")
    ]

    @Test(arguments: [
        ("wrong piece count", "info.pieces"), ("piece length not a power of two", "info.piece length"), ("name with a slash", "info.name"),
        ("negative length", "info.length"), ("url-list an integer", "url-list")
    ])
    func refusesBadMetainfo(label: String, field: String) throws {
        let bytes = try #require(Self.malformed[label])
        #expect {
            try TorrentFile(parsing: bytes)
        } throws: { error in
            guard case let TorrentError.metainfo(found, _, _) = error else { return false }
            return found == field
        }
    }

    @Test func refusesTruncatedAndNonDictionaryInput() {
        let bytes = Self.metainfo()
        #expect(throws: TorrentError.self) { try TorrentFile(parsing: Array(bytes.dropLast(5))) }
        #expect(throws: TorrentError.self) { try TorrentFile(parsing: Array("li1ee".utf8)) }
        #expect(throws: TorrentError.self) { try TorrentFile(parsing: Array("d4:infoi1ee".utf8)) }
        #expect(throws: TorrentError.self) { try TorrentFile(parsing: []) }
    }

    @Test func refusesMultiFileTorrents() {
        let text = "d4:infod5:filesld6:lengthi1e4:pathl1:aeee4:name1:x12:piece lengthi16384e6:pieces20:12345678901234567890ee"
        #expect(throws: TorrentError.self) { try TorrentFile(parsing: Array(text.utf8)) }
    }
}
