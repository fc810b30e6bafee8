import AlienModel
import Crypto

/// A single-file torrent's metainfo (BEP 3, BEP 19 web seeds, BEP 52 v2 fields): what the
/// installer checks against the signed tarball target before joining a swarm.
public struct TorrentFile: Hashable, Sendable {
    /// The bencoded bytes as read.
    public var bytes: [UInt8]
    /// SHA-1 of the info dictionary, hex (nil for a v2-only torrent).
    public var infoHashV1: String?
    /// SHA-256 of the info dictionary, hex (nil for a v1-only torrent).
    public var infoHashV2: String?
    public var name: String
    public var length: Int64
    public var pieceLength: Int
    /// The 20-byte SHA-1 of each piece (v1 and hybrid torrents; empty for v2-only).
    public var pieces: [[UInt8]]
    public var webSeeds: [String]
    /// Announce URLs, flattened over tiers (`announce-list`, else `announce`).
    public var trackers: [String]
    public var isPrivate: Bool

    /// The same torrent (same info-hash) without web seeds: a peers-only download.
    public func withoutWebSeeds() throws(TorrentError) -> TorrentFile {
        var parser = BencodeParser(bytes)
        guard case let .dictionary(entries) = try parser.parse() else { return self }
        return try TorrentFile(parsing: BencodeValue.dictionary(entries.filter { $0.key != Array("url-list".utf8) }).encoded)
    }

    /// The info-hash peers and trackers know the torrent by: v1 when present, else v2.
    public var infoHash: String { infoHashV1 ?? infoHashV2 ?? "" }

    public init(parsing bytes: [UInt8]) throws(TorrentError) {
        var parser = BencodeParser(bytes)
        let root = try parser.parse()
        guard case .dictionary = root else { throw .metainfo(field: "(top level)", expected: "a dictionary", got: root.kind) }
        guard let info = root["info"], case .dictionary = info, let range = parser.infoRange else {
            throw .metainfo(field: "info", expected: "a dictionary", got: root["info"]?.kind ?? "nothing")
        }
        self.bytes = bytes
        let infoBytes = bytes[range]
        guard let name = info["name"]?.string, !name.isEmpty, !name.contains("/"), name != "..", name != "." else {
            throw .metainfo(field: "info.name", expected: "a file name", got: info["name"]?.kind ?? "nothing")
        }
        self.name = name
        guard case let .integer(pieceLength)? = info["piece length"], pieceLength >= 16 << 10, pieceLength <= 1 << 30,
            pieceLength & (pieceLength - 1) == 0
        else {
            throw .metainfo(
                field: "info.piece length", expected: "a power of two from 16 KiB to 1 GiB", got: "\(info["piece length"].map { "\($0)" } ?? "nothing")")
        }
        self.pieceLength = Int(pieceLength)
        var version = 1
        if case let .integer(meta)? = info["meta version"] {
            guard meta == 2 else { throw .metainfo(field: "info.meta version", expected: "2", got: "\(meta)") }
            version = 2
        }
        let hasV1 = info["pieces"] != nil
        if let files = info["files"] {
            throw .metainfo(field: "info.files", expected: "a single-file torrent", got: "a file list (\(files.kind))")
        }
        if hasV1 {
            guard case let .integer(length)? = info["length"], length >= 0 else {
                throw .metainfo(field: "info.length", expected: "a non-negative integer", got: info["length"]?.kind ?? "nothing")
            }
            self.length = length
            guard case let .bytes(concatenated)? = info["pieces"], concatenated.count % 20 == 0 else {
                throw .metainfo(field: "info.pieces", expected: "a multiple of 20 bytes", got: info["pieces"]?.kind ?? "nothing")
            }
            let expected = Int((length + pieceLength - 1) / pieceLength)
            guard concatenated.count / 20 == expected else {
                throw .metainfo(field: "info.pieces", expected: "\(expected) SHA-1 hashes for \(length) bytes", got: "\(concatenated.count / 20)")
            }
            pieces = stride(from: 0, to: concatenated.count, by: 20).map { Array(concatenated[$0..<$0 + 20]) }
            infoHashV1 = Hex.lowercase(Insecure.SHA1.hash(data: infoBytes))
        } else {
            guard version == 2 else { throw .metainfo(field: "info.pieces", expected: "piece hashes (v1) or meta version 2", got: "neither") }
            guard case let .dictionary(tree)? = info["file tree"], tree.count == 1,
                case let .integer(length)? = tree[0].value[""]?["length"], length >= 0
            else {
                throw .metainfo(field: "info.file tree", expected: "one file with a length", got: info["file tree"]?.kind ?? "nothing")
            }
            self.length = length
            pieces = []
            infoHashV1 = nil
        }
        infoHashV2 = version == 2 ? Hex.lowercase(SHA256.hash(data: infoBytes)) : nil
        switch root["url-list"] {
        case nil: webSeeds = []
        case let .bytes(url)?: webSeeds = [String(decoding: url, as: UTF8.self)]
        case let .list(urls)?: webSeeds = urls.compactMap(\.string)
        case let other?: throw .metainfo(field: "url-list", expected: "a URL or a list of URLs", got: other.kind)
        }
        var trackers: [String] = []
        if case let .list(tiers)? = root["announce-list"] {
            for case let .list(tier) in tiers { trackers += tier.compactMap(\.string) }
        }
        if trackers.isEmpty, let announce = root["announce"]?.string { trackers = [announce] }
        self.trackers = trackers
        if case let .integer(flag)? = info["private"] { isPrivate = flag == 1 } else { isPrivate = false }
    }
}
