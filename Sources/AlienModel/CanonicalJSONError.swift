/// Why JSON text was refused. `offset` is the byte offset in the input where the problem was seen.
public enum CanonicalJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    case unexpected(offset: Int, expected: String, got: String)
    case floatNotAllowed(offset: Int)
    case integerOutOfRange(offset: Int, text: String)
    case duplicateKey(offset: Int, key: String)
    case invalidEscape(offset: Int, text: String)
    case invalidUnicode(offset: Int, reason: String)
    case tooDeep(offset: Int, limit: Int)

    public var description: String {
        switch self {
        case let .unexpected(offset, expected, got):
            "JSON byte \(offset): expected \(expected), got \(got)"
        case let .floatNotAllowed(offset):
            "JSON byte \(offset): a floating-point number; expected an integer (metadata has no floats)"
        case let .integerOutOfRange(offset, text):
            "JSON byte \(offset): integer \(text) does not fit in 64 bits; expected -2^63...2^63-1"
        case let .duplicateKey(offset, key):
            "JSON byte \(offset): key \"\(key)\" appears twice in one object; expected unique keys"
        case let .invalidEscape(offset, text):
            "JSON byte \(offset): invalid escape \(text); expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
        case let .invalidUnicode(offset, reason):
            "JSON byte \(offset): \(reason); expected valid UTF-8 text without lone surrogates"
        case let .tooDeep(offset, limit):
            "JSON byte \(offset): nesting deeper than \(limit) levels; expected flatter metadata"
        }
    }
}
