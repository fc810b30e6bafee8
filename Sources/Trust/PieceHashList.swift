import Basics
public import AlienModel
import Crypto
import Foundation

/// A signed piece-hash list: the sidecar target `<tarball>.pieces` that lets a download be
/// checked piece by piece while it streams. Its own length and sha256 sit in signed targets
/// metadata like any target's; it names the whole file's length and sha256 (equal to the
/// tarball target's) and the sha256 of every `pieceLength` bytes (the last piece may be shorter).
///
/// Encoding: canonical JSON,
/// `{"format":"alien-pieces/1","length":L,"piece_length":N,"pieces":["<hex>",...],"sha256":"<hex>"}`.
public struct PieceHashList: Hashable, Sendable {
    public static let format = "alien-pieces/1"
    public static let minimumPieceLength = 16 << 10
    public static let maximumPieceLength = 64 << 20

    public var pieceLength: Int
    public var length: Int64
    /// The whole file's sha256, lower-case hex.
    public var sha256: String
    /// Each piece's sha256, lower-case hex.
    public var pieces: [String]

    /// Checked: a power-of-two piece length within bounds, `ceil(length / pieceLength)` pieces,
    /// 64-digit lower-case hex digests.
    public init(pieceLength: Int, length: Int64, sha256: String, pieces: [String]) throws(PieceListError) {
        guard pieceLength >= Self.minimumPieceLength, pieceLength <= Self.maximumPieceLength, pieceLength & (pieceLength - 1) == 0 else {
            throw .invalid(
                field: "piece_length", expected: "a power of two from \(Self.minimumPieceLength) to \(Self.maximumPieceLength)", got: "\(pieceLength)")
        }
        guard length >= 0 else { throw .invalid(field: "length", expected: "a non-negative integer", got: "\(length)") }
        let count = Self.pieceCount(length: length, pieceLength: pieceLength)
        guard pieces.count == count else {
            throw .invalid(field: "pieces", expected: "\(count) hashes for \(length) bytes in pieces of \(pieceLength)", got: "\(pieces.count)")
        }
        guard Self.isDigest(sha256) else { throw .invalid(field: "sha256", expected: "64 lower-case hex digits", got: "\"\(sha256.prefix(80))\"") }
        if let index = pieces.firstIndex(where: { !Self.isDigest($0) }) {
            throw .invalid(field: "pieces[\(index)]", expected: "64 lower-case hex digits", got: "\"\(pieces[index].prefix(80))\"")
        }
        self.pieceLength = pieceLength
        self.length = length
        self.sha256 = sha256
        self.pieces = pieces
    }

    /// Number of pieces for `length` bytes.
    public static func pieceCount(length: Int64, pieceLength: Int) -> Int {
        Int((length + Int64(pieceLength) - 1) / Int64(pieceLength))
    }

    /// The piece length `publish` picks: 1 MiB up to 2 GiB, 2 MiB up to 8 GiB, 4 MiB beyond
    /// (at most a few thousand pieces; one piece is what a verifier buffers).
    public static func pieceLength(forFileSize size: Int64) -> Int {
        switch size {
        case ...(2 << 30): 1 << 20
        case ...(8 << 30): 2 << 20
        default: 4 << 20
        }
    }

    /// Length of piece `index`.
    public func length(ofPiece index: Int) -> Int {
        Int(min(Int64(pieceLength), length - Int64(index) * Int64(pieceLength)))
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    // MARK: - Encoding

    public var json: JSONValue {
        .object([
            "format": .string(Self.format),
            "length": .integer(length),
            "piece_length": .integer(Int64(pieceLength)),
            "pieces": .array(pieces.map { .string($0) }),
            "sha256": .string(sha256)
        ])
    }

    /// The file's bytes (canonical JSON).
    public var encoded: [UInt8] { json.canonicalBytes }

    /// Parses and checks a piece-hash list; unknown fields and other formats are refused.
    public init(parsing bytes: some Collection<UInt8>) throws(PieceListError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw .json(error) }
        guard case let .object(object) = value else { throw .invalid(field: "(top)", expected: "an object", got: value.kind) }
        let known: Set<String> = ["format", "length", "piece_length", "pieces", "sha256"]
        if let extra = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalid(field: extra, expected: "only \(known.sorted().joined(separator: ", "))", got: "an unknown field")
        }
        func field(_ name: String) throws(PieceListError) -> JSONValue {
            guard let value = object[name] else { throw .missing(field: name) }
            return value
        }
        guard case let .string(format) = try field("format") else { throw .invalid(field: "format", expected: "a string", got: object["format"]!.kind) }
        guard format == Self.format else { throw .invalid(field: "format", expected: "\"\(Self.format)\"", got: "\"\(format.prefix(80))\"") }
        guard case let .integer(length) = try field("length") else { throw .invalid(field: "length", expected: "an integer", got: object["length"]!.kind) }
        guard case let .integer(pieceLength) = try field("piece_length") else {
            throw .invalid(field: "piece_length", expected: "an integer", got: object["piece_length"]!.kind)
        }
        guard case let .string(sha256) = try field("sha256") else { throw .invalid(field: "sha256", expected: "a string", got: object["sha256"]!.kind) }
        guard case let .array(items) = try field("pieces") else { throw .invalid(field: "pieces", expected: "an array", got: object["pieces"]!.kind) }
        var pieces: [String] = []
        pieces.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case let .string(text) = item else { throw .invalid(field: "pieces[\(index)]", expected: "a string", got: item.kind) }
            pieces.append(text)
        }
        guard pieceLength > 0, pieceLength <= Int64(Self.maximumPieceLength) else {
            throw .invalid(
                field: "piece_length", expected: "a power of two from \(Self.minimumPieceLength) to \(Self.maximumPieceLength)", got: "\(pieceLength)")
        }
        try self.init(pieceLength: Int(pieceLength), length: length, sha256: sha256, pieces: pieces)
    }

    // MARK: - Building

    /// The list for `bytes`.
    public static func build(bytes: [UInt8], pieceLength: Int? = nil) throws(PieceListError) -> PieceHashList {
        let pieceLength = pieceLength ?? Self.pieceLength(forFileSize: Int64(bytes.count))
        var whole = SHA256()
        var pieces: [String] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + pieceLength, bytes.count)
            bytes[start..<end].withUnsafeBytes { piece in
                whole.update(bufferPointer: piece)
                pieces.append(Hex.lowercase(SHA256.hash(data: piece)))
            }
            start = end
        }
        return try PieceHashList(pieceLength: pieceLength, length: Int64(bytes.count), sha256: Hex.lowercase(whole.finalize()), pieces: pieces)
    }

    /// The list for the file at `path`, read once.
    public static func build(file path: String, pieceLength: Int? = nil) throws(PieceListError) -> PieceHashList {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        let pieceLength = pieceLength ?? Self.pieceLength(forFileSize: Int64(status.st_size))
        var buffer = [UInt8](repeating: 0, count: pieceLength)
        var whole = SHA256()
        var pieces: [String] = []
        var length: Int64 = 0
        while true {
            let filled = buffer.withUnsafeMutableBytes { FileIO.readFull(descriptor, into: $0) }
            if filled < 0 { throw .io(path: path, reason: FileIO.describe(errno)) }
            if filled == 0 { break }
            buffer.withUnsafeBytes { raw in
                let piece = UnsafeRawBufferPointer(rebasing: raw[0..<filled])
                whole.update(bufferPointer: piece)
                pieces.append(Hex.lowercase(SHA256.hash(data: piece)))
            }
            length += Int64(filled)
            if filled < pieceLength { break }
        }
        return try PieceHashList(pieceLength: pieceLength, length: length, sha256: Hex.lowercase(whole.finalize()), pieces: pieces)
    }
}

/// Why a piece-hash list was refused.
public enum PieceListError: Error, Hashable, Sendable, CustomStringConvertible {
    case json(CanonicalJSONError)
    case missing(field: String)
    case invalid(field: String, expected: String, got: String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .json(error): "piece-hash list: \(error)"
        case let .missing(field): "piece-hash list: field \(field) missing"
        case let .invalid(field, expected, got): "piece-hash list: \(field): expected \(expected), got \(got)"
        case let .io(path, reason): "piece-hash list: \(path): \(reason)"
        }
    }
}
