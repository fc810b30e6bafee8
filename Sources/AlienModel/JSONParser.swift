/// A strict RFC 8259 parser over UTF-8 bytes producing `JSONValue`s. It accepts what Python's
/// `json.loads` accepts, minus floats, `NaN`/`Infinity`, and duplicate keys (which Python keeps
/// silently, last one winning, and which are refused here so that no two readers disagree).
struct JSONParser {
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var position = 0
    /// How many places so far are written otherwise than `JSONValue.canonicalBytes` would write
    /// them (whitespace, keys out of order, an escape other than `\"` and `\\`, `-0`): a value
    /// parsed without a new departure is its own canonical form, byte for byte.
    private var departures = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func parse(_ bytes: [UInt8]) throws(CanonicalJSONError) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.unexpected("the end of the text") }
        return value
    }

    /// `parse`, and the byte range of the top-level object's `member` value when those bytes are
    /// exactly that value's canonical form (nil when they are not, or there is no such member).
    static func parse(_ bytes: [UInt8], canonicalMember member: String) throws(CanonicalJSONError) -> (JSONValue, Range<Int>?) {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        parser.watched = member
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.unexpected("the end of the text") }
        return (value, parser.watchedRange)
    }

    /// The member of the top-level object whose canonical range `parse(_:canonicalMember:)` reports.
    private var watched: String?
    private var watchedRange: Range<Int>?

    private func describeCurrent() -> String {
        guard position < bytes.count else { return "the end of the text" }
        let byte = bytes[position]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    private func unexpected(_ expected: String) -> CanonicalJSONError {
        .unexpected(offset: position, expected: expected, got: describeCurrent())
    }

    private mutating func skipWhitespace() {
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default:
                if position > start { departures += 1 }
                return
            }
        }
        if position > start { departures += 1 }
    }

    private mutating func expectLiteral(_ literal: String, _ value: JSONValue) throws(CanonicalJSONError) -> JSONValue {
        let text = Array(literal.utf8)
        guard bytes.count - position >= text.count, Array(bytes[position..<position + text.count]) == text else {
            throw unexpected("a JSON value")
        }
        position += text.count
        return value
    }

    private mutating func parseValue(depth: Int) throws(CanonicalJSONError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw .tooDeep(offset: position, limit: Self.maximumDepth) }
        guard position < bytes.count else { throw unexpected("a JSON value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expectLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try expectLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try expectLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw unexpected("a JSON value")
        }
    }

    private mutating func parseObject(depth: Int) throws(CanonicalJSONError) -> JSONValue {
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        var previousKey: String?
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw unexpected("a quoted object key") }
            let keyOffset = position
            let key = try parseString()
            if let previousKey, !JSONValue.utf8Precedes(previousKey, key) { departures += 1 }
            previousKey = key
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw unexpected("':' after an object key") }
            position += 1
            skipWhitespace()
            let watching = depth == 0 && watched == key
            let valueStart = position, departuresBefore = departures
            let value = try parseValue(depth: depth + 1)
            if watching { watchedRange = departures == departuresBefore ? valueStart..<position : nil }
            guard members.updateValue(value, forKey: key) == nil else { throw .duplicateKey(offset: keyOffset, key: key) }
            skipWhitespace()
            guard position < bytes.count else { throw unexpected("',' or '}'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            } else {
                throw unexpected("',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(CanonicalJSONError) -> JSONValue {
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw unexpected("',' or ']'") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            } else {
                throw unexpected("',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(CanonicalJSONError) -> JSONValue {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
        let digits = position - digitsStart
        guard digits > 0 else { throw unexpected("a digit") }
        if digits > 1, bytes[digitsStart] == UInt8(ascii: "0") {
            throw .unexpected(offset: digitsStart, expected: "an integer without leading zeros", got: "'0'")
        }
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            throw .floatNotAllowed(offset: start)
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let number = Int64(text) else { throw .integerOutOfRange(offset: start, text: text) }
        if number == 0, digitsStart > start { departures += 1 }  // `-0` is written `0`
        return .integer(number)
    }

    private mutating func parseHex4() throws(CanonicalJSONError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw .invalidEscape(offset: position - 2, text: "\\u (truncated)") }
        let text = String(decoding: bytes[position..<position + 4], as: UTF8.self)
        guard text.utf8.allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar($0)).isHexDigit }), let value = UInt32(text, radix: 16) else {
            throw .invalidEscape(offset: position - 2, text: "\\u\(text)")
        }
        position += 4
        return value
    }

    private mutating func parseString() throws(CanonicalJSONError) -> String {
        position += 1
        // Fast path: no escape before the closing quote (keys, hashes, paths: nearly every
        // string in TUF metadata) — one validation, one String, no scalar-by-scalar building.
        var scan = position
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == UInt8(ascii: "\"") {
                guard let text = String(validating: bytes[position..<scan], as: UTF8.self) else {
                    throw .invalidUnicode(offset: position, reason: "a string holds bytes that are not UTF-8")
                }
                position = scan + 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            scan += 1
        }
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flush(_ end: Int, into scalars: inout String.UnicodeScalarView) throws(CanonicalJSONError) {
            guard runStart < end else { return }
            guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                throw .invalidUnicode(offset: runStart, reason: "a string holds bytes that are not UTF-8")
            }
            scalars.append(contentsOf: run.unicodeScalars)
        }
        position = scan
        while true {
            guard position < bytes.count else { throw unexpected("'\"' closing the string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                try flush(position, into: &scalars)
                position += 1
                return String(scalars)
            }
            if byte < 0x20 { throw unexpected("a character or an escape (control characters must be escaped in JSON text)") }
            guard byte == UInt8(ascii: "\\") else {
                position += 1
                continue
            }
            try flush(position, into: &scalars)
            let escapeOffset = position
            position += 1
            guard position < bytes.count else { throw .invalidEscape(offset: escapeOffset, text: "\\") }
            let code = bytes[position]
            position += 1
            switch code {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"):
                scalars.append("/")
                departures += 1
            case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"), UInt8(ascii: "u"):
                departures += 1
                try appendEscaped(code, to: &scalars, escapeOffset: escapeOffset)
            default:
                throw .invalidEscape(offset: escapeOffset, text: "\\" + String(decoding: [code], as: UTF8.self))
            }
            runStart = position
        }
    }

    /// The character of the escape `\<code>` (one of `bfnrtu`), its `\u` digits read.
    private mutating func appendEscaped(
        _ code: UInt8, to scalars: inout String.UnicodeScalarView,
        escapeOffset: Int
    ) throws(CanonicalJSONError) {
        switch code {
        case UInt8(ascii: "b"): scalars.append("\u{8}")
        case UInt8(ascii: "f"): scalars.append("\u{C}")
        case UInt8(ascii: "n"): scalars.append("\n")
        case UInt8(ascii: "r"): scalars.append("\r")
        case UInt8(ascii: "t"): scalars.append("\t")
        case UInt8(ascii: "u"):
            var value = try parseHex4()
            if (0xD800..<0xDC00).contains(value) {
                guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw .invalidUnicode(offset: escapeOffset, reason: "a high surrogate \\u\(String(value, radix: 16)) without its low half")
                }
                position += 2
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw .invalidUnicode(offset: escapeOffset, reason: "a high surrogate followed by \\u\(String(low, radix: 16))")
                }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(value) {
                throw .invalidUnicode(offset: escapeOffset, reason: "a lone low surrogate \\u\(String(value, radix: 16))")
            }
            scalars.append(Unicode.Scalar(value)!)
        default:
            throw .invalidEscape(offset: escapeOffset, text: "\\" + String(decoding: [code], as: UTF8.self))
        }
    }
}
