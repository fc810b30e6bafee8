/// A JSON value as TUF metadata uses it: no floating-point numbers, integers as `Int64`.
///
/// Objects are dictionaries; their order is fixed only when encoded (keys sorted by Unicode
/// code point, as Python's `sorted` sorts `str`). Keys are Swift strings, so two keys that are
/// canonically equivalent Unicode (precomposed vs decomposed) count as duplicates and are refused
/// by the parser.
public enum JSONValue: Hashable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case null

    /// A short name of the value's kind for error messages: "object", "string", ...
    public var kind: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .integer: "integer"
        case .bool: "boolean"
        case .null: "null"
        }
    }

    /// Parses JSON text (RFC 8259, UTF-8). Refused: floats, integers outside `Int64`, duplicate
    /// keys, lone surrogates, trailing text.
    public init(parsing bytes: some Collection<UInt8>) throws(CanonicalJSONError) {
        self = try JSONParser.parse(Array(bytes))
    }

    /// Parses JSON text, and gives the bytes of the top-level object's `member` value when they
    /// already are that value's `canonicalBytes` (nil when they are not, or there is no such
    /// member): what was signed can then be checked without writing it again.
    public static func parsing(_ bytes: [UInt8], canonicalBytesOf member: String) throws(CanonicalJSONError)
        -> (value: JSONValue, canonicalMember: ArraySlice<UInt8>?)
    {
        let (value, range) = try JSONParser.parse(bytes, canonicalMember: member)
        return (value, range.map { bytes[$0] })
    }

    /// Parses JSON text given as a string.
    public init(parsing text: String) throws(CanonicalJSONError) {
        self = try JSONParser.parse(Array(text.utf8))
    }

    /// The canonical form exactly as securesystemslib's `encode_canonical`: no whitespace, object
    /// keys sorted by code point, strings with only `"` and `\` escaped and every other character
    /// (control characters included) written raw as UTF-8.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out, escapingControls: false)
        return out
    }

    /// Compact JSON that any JSON parser reads back (Python's `json.loads` included): the
    /// canonical form, except that control characters in strings are written as `\u00XX`.
    /// Equal to `canonicalBytes` whenever no string holds a control character.
    public var compactJSONBytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out, escapingControls: true)
        return out
    }

    /// The keys of an object in canonical order: by Unicode code point, which for valid UTF-8
    /// is the order of the encoded bytes (so the cheap UTF-8 comparison gives the same order).
    static func sortedKeys(_ object: [String: JSONValue]) -> [String] {
        object.keys.sorted(by: utf8Precedes)
    }

    /// `a.utf8.lexicographicallyPrecedes(b.utf8)`, over the strings' contiguous bytes when they
    /// have them (parsed strings do): the generic comparison was a tenth of a 10 000-target refresh.
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        let result = a.utf8.withContiguousStorageIfAvailable { left in
            b.utf8.withContiguousStorageIfAvailable { right -> Bool in
                let common = min(left.count, right.count)
                var index = 0
                while index < common {
                    if left[index] != right[index] { return left[index] < right[index] }
                    index += 1
                }
                return left.count < right.count
            }
        }
        return (result ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    private func write(to out: inout [UInt8], escapingControls: Bool) {
        switch self {
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            for (index, key) in Self.sortedKeys(members).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &out, escapingControls: escapingControls)
                out.append(UInt8(ascii: ":"))
                members[key]!.write(to: &out, escapingControls: escapingControls)
            }
            out.append(UInt8(ascii: "}"))
        case let .array(elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out, escapingControls: escapingControls)
            }
            out.append(UInt8(ascii: "]"))
        case let .string(text):
            Self.writeString(text, to: &out, escapingControls: escapingControls)
        case let .integer(number):
            out.append(contentsOf: String(number).utf8)
        case let .bool(flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null:
            out.append(contentsOf: "null".utf8)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func writeString(_ text: String, to out: inout [UInt8], escapingControls: Bool) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: their bytes are copied whole.
        let plain = text.utf8.allSatisfy { byte in
            byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && (byte >= 0x20 || !escapingControls)
        }
        if plain {
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        let hex = hexDigits
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20 where escapingControls:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
