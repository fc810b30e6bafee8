import CTorrent
#if canImport(Glibc)
import Glibc
#endif

/// Which metainfo format a repository publishes. v1 is the default: aria2c 1.36 computes a
/// different info-hash for hybrid torrents and cannot join their swarms (measured-here.md).
public enum TorrentVersion: String, Sendable, CaseIterable {
    case v1, v2, hybrid

    var code: Int32 {
        switch self {
        case .v1: Int32(AT_VERSION_V1)
        case .v2: Int32(AT_VERSION_V2)
        case .hybrid: Int32(AT_VERSION_HYBRID)
        }
    }
}

/// Makes a single-file torrent with libtorrent (hashing the file).
public struct TorrentCreator: Sendable {
    public var version: TorrentVersion
    /// nil: chosen from the file size (the same as the signed piece-hash list's).
    public var pieceLength: Int?
    public var webSeeds: [String]
    public var trackers: [String]
    public var isPrivate: Bool

    public init(version: TorrentVersion = .v1, pieceLength: Int? = nil, webSeeds: [String] = [], trackers: [String] = [], isPrivate: Bool = false) {
        self.version = version
        self.pieceLength = pieceLength
        self.webSeeds = webSeeds
        self.trackers = trackers
        self.isPrivate = isPrivate
    }

    /// 1 MiB up to 2 GiB, 2 MiB up to 8 GiB, 4 MiB beyond; 256 KiB for files under 64 MiB
    /// (more pieces to trade among peers).
    public static func pieceLength(forFileSize size: Int64) -> Int {
        switch size {
        case ..<(64 << 20): 256 << 10
        case ...(2 << 30): 1 << 20
        case ...(8 << 30): 2 << 20
        default: 4 << 20
        }
    }

    /// The bencoded metainfo for the file at absolute `path` (blocks while hashing).
    public func create(file path: String, length: Int64) throws(TorrentError) -> TorrentFile {
        guard path.hasPrefix("/") else { throw .invalidArgument(name: "file", expected: "an absolute path", got: path) }
        let piece = pieceLength ?? Self.pieceLength(forFileSize: length)
        var error = at_error()
        var created = at_created()
        let code: Int32 = withCStrings(webSeeds) { seeds in
            withCStrings(trackers) { announce in
                path.withCString { file in
                    var options = at_create_options(
                        file_path: file, version: version.code, piece_length: Int32(piece),
                        web_seeds: seeds.baseAddress, web_seed_count: Int32(seeds.count),
                        trackers: announce.baseAddress, tracker_count: Int32(announce.count),
                        is_private: isPrivate ? 1 : 0)
                    return at_create_torrent(&options, &created, &error)
                }
            }
        }
        guard code == 0, let pointer = created.bytes else { throw .library(operation: "create torrent for \(path)", code: code, message: message(of: error)) }
        let bytes = Array(UnsafeBufferPointer(start: pointer, count: created.length))
        at_free(pointer)
        return try TorrentFile(parsing: bytes)
    }
}

/// The message text of an `at_error`.
func message(of error: at_error) -> String {
    withUnsafeBytes(of: error.message) { raw in
        let bytes = raw.bindMemory(to: UInt8.self)
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}

/// A NUL-terminated fixed C array (imported as a tuple) as a String.
func text<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        let bytes = raw.bindMemory(to: UInt8.self)
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}

/// Calls `body` with an array of C strings valid for its duration.
func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer(body)
}
