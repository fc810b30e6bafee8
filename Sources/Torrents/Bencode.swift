/// A bencoded value (BEP 3): integers, byte strings, lists, dictionaries with byte-string keys.
public indirect enum BencodeValue: Hashable, Sendable {
    case integer(Int64)
    case bytes([UInt8])
    case list([BencodeValue])
    /// Keys in the order read (bencoding requires them sorted; the parser checks it).
    case dictionary([(key: [UInt8], value: BencodeValue)])

    public static func == (lhs: BencodeValue, rhs: BencodeValue) -> Bool {
        switch (lhs, rhs) {
        case let (.integer(a), .integer(b)): a == b
        case let (.bytes(a), .bytes(b)): a == b
        case let (.list(a), .list(b)): a == b
        case let (.dictionary(a), .dictionary(b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case let .integer(value): hasher.combine(0); hasher.combine(value)
        case let .bytes(value): hasher.combine(1); hasher.combine(value)
        case let .list(value): hasher.combine(2); hasher.combine(value)
        case let .dictionary(value):
            hasher.combine(3)
            for entry in value { hasher.combine(entry.key); hasher.combine(entry.value) }
        }
    }

    /// The value for `key` in a dictionary.
    public subscript(key: String) -> BencodeValue? {
        guard case let .dictionary(entries) = self else { return nil }
        let wanted = Array(key.utf8)
        return entries.first { $0.key == wanted }?.value
    }

    /// A UTF-8 string, when this is a byte string that decodes.
    public var string: String? {
        guard case let .bytes(bytes) = self else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    public var kind: String {
        switch self {
        case .integer: "an integer"
        case .bytes: "a byte string"
        case .list: "a list"
        case .dictionary: "a dictionary"
        }
    }
}

/// A strict bencoding reader: canonical integers, sorted unique keys, bounded nesting, nothing
/// after the top-level value. It remembers the byte range of the top-level `info` dictionary
/// (the info-hash is the SHA-1 / SHA-256 of exactly those bytes).
public struct BencodeParser {
    public static let maximumDepth = 64

    let bytes: [UInt8]
    var offset = 0
    /// Byte range of the top-level dictionary's `info` value.
    public private(set) var infoRange: Range<Int>?

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses the whole input as one value.
    public mutating func parse() throws(TorrentError) -> BencodeValue {
        let value = try value(depth: 0)
        guard offset == bytes.count else { throw .bencode(offset: offset, expected: "the end of the input", got: "\(bytes.count - offset) more bytes") }
        return value
    }

    func describe(_ index: Int) -> String {
        guard index < bytes.count else { return "the end of the input" }
        let byte = bytes[index]
        return (0x20..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    mutating func value(depth: Int) throws(TorrentError) -> BencodeValue {
        guard depth < Self.maximumDepth else { throw .bencode(offset: offset, expected: "at most \(Self.maximumDepth) nested levels", got: "deeper nesting") }
        guard offset < bytes.count else { throw .bencode(offset: offset, expected: "a value", got: "the end of the input") }
        switch bytes[offset] {
        case UInt8(ascii: "i"):
            offset += 1
            let number = try integer(until: UInt8(ascii: "e"))
            return .integer(number)
        case UInt8(ascii: "l"):
            offset += 1
            var items: [BencodeValue] = []
            while true {
                guard offset < bytes.count else { throw .bencode(offset: offset, expected: "a list item or 'e'", got: "the end of the input") }
                if bytes[offset] == UInt8(ascii: "e") { offset += 1; return .list(items) }
                items.append(try value(depth: depth + 1))
            }
        case UInt8(ascii: "d"):
            offset += 1
            var entries: [(key: [UInt8], value: BencodeValue)] = []
            while true {
                guard offset < bytes.count else { throw .bencode(offset: offset, expected: "a dictionary key or 'e'", got: "the end of the input") }
                if bytes[offset] == UInt8(ascii: "e") { offset += 1; return .dictionary(entries) }
                let keyOffset = offset
                guard case let .bytes(key) = try value(depth: depth + 1) else {
                    throw .bencode(offset: keyOffset, expected: "a byte-string dictionary key", got: "another value")
                }
                if let last = entries.last?.key, !last.lexicographicallyPrecedes(key) {
                    throw .bencode(
                        offset: keyOffset, expected: "keys in strictly increasing order",
                        got: "\"\(String(decoding: key, as: UTF8.self))\" after \"\(String(decoding: last, as: UTF8.self))\"")
                }
                let start = offset
                let item = try value(depth: depth + 1)
                if depth == 0, key == Array("info".utf8) { infoRange = start..<offset }
                entries.append((key, item))
            }
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = offset
            let length = try integer(until: UInt8(ascii: ":"))
            guard length >= 0, length <= Int64(bytes.count - offset) else {
                throw .bencode(offset: start, expected: "a string length within the input", got: "\(length)")
            }
            let end = offset + Int(length)
            defer { offset = end }
            return .bytes(Array(bytes[offset..<end]))
        default:
            throw .bencode(offset: offset, expected: "'i', 'l', 'd' or a digit", got: describe(offset))
        }
    }

    /// A canonical decimal (no leading zeros, no "-0") followed by `terminator`.
    mutating func integer(until terminator: UInt8) throws(TorrentError) -> Int64 {
        let start = offset
        var negative = false
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-"), terminator == UInt8(ascii: "e") { negative = true; offset += 1 }
        let digitsStart = offset
        var value: Int64 = 0
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(bytes[offset] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw .bencode(offset: start, expected: "a 64-bit integer", got: "an overflow") }
            value = sum
            offset += 1
        }
        let digits = offset - digitsStart
        guard digits > 0 else { throw .bencode(offset: offset, expected: "a digit", got: describe(offset)) }
        guard offset < bytes.count, bytes[offset] == terminator else {
            throw .bencode(offset: offset, expected: "'\(Character(Unicode.Scalar(terminator)))'", got: describe(offset))
        }
        guard !(digits > 1 && bytes[digitsStart] == UInt8(ascii: "0")), !(negative && value == 0) else {
            throw .bencode(offset: start, expected: "a canonical integer", got: String(decoding: bytes[start..<offset], as: UTF8.self))
        }
        offset += 1
        return negative ? -value : value
    }
}

extension BencodeValue {
    /// The canonical encoding (dictionary keys in the stored order, which parsing checked is sorted).
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    func encode(into out: inout [UInt8]) {
        switch self {
        case let .integer(value): out += Array("i\(value)e".utf8)
        case let .bytes(value): out += Array("\(value.count):".utf8); out += value
        case let .list(items):
            out.append(UInt8(ascii: "l"))
            for item in items { item.encode(into: &out) }
            out.append(UInt8(ascii: "e"))
        case let .dictionary(entries):
            out.append(UInt8(ascii: "d"))
            for entry in entries.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                BencodeValue.bytes(entry.key).encode(into: &out)
                entry.value.encode(into: &out)
            }
            out.append(UInt8(ascii: "e"))
        }
    }
}
