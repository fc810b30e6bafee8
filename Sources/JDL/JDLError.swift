/// A place in a JDL text: 1-based line and column (columns count Unicode scalars, a tab is one),
/// with the text of that line so that a message can show it.
public struct JDLLocation: Hashable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    /// The whole source line, without its line terminator.
    public let lineText: String

    public init(line: Int, column: Int, lineText: String = "") {
        self.line = line
        self.column = column
        self.lineText = lineText
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }

    /// The source line and, under it, a caret at the column (tabs copied so the caret lines up).
    public var excerpt: String {
        var caret = ""
        for (offset, scalar) in lineText.unicodeScalars.enumerated() where offset < column - 1 {
            caret.unicodeScalars.append(scalar == "\t" ? "\t" : " ")
        }
        return "    \(lineText)\n    \(caret)^"
    }
}

/// Why a JDL was refused. Every case that comes from the text names its `line:column`;
/// `description` is multi-line: the message, then the offending line with a caret.
public enum JDLError: Error, Hashable, Sendable, CustomStringConvertible {
    case unterminatedString(JDLLocation)
    case unterminatedComment(JDLLocation)
    /// An opening `{`, `(` or `[` that is never closed.
    case unclosedBracket(JDLLocation, opener: String)
    case unexpectedCharacter(JDLLocation, found: String, expected: String)
    case missingEquals(JDLLocation, attribute: String)
    case missingValue(JDLLocation, attribute: String)
    /// The value of `attribute` runs into the next `Name = ...` statement.
    case missingSemicolon(JDLLocation, attribute: String)
    /// `$placeholder` with only `given` arguments (or `$0`).
    case missingArgument(JDLLocation, placeholder: Int, given: Int)
    case packageNotString(JDLLocation, found: String)
    case invalidPackage(JDLLocation, entry: String, reason: String)
    /// A name given to ``JDLAttribute/init(name:value:)`` that is not `[A-Za-z_][A-Za-z0-9_.]*`.
    case invalidAttributeName(String)
    /// Bytes that are not UTF-8 (the location is the first bad byte's).
    case invalidUTF8(JDLLocation)
    /// A NUL character: never part of a JDL, and cut short by every C reader of one.
    case nulCharacter(JDLLocation)
    /// `{` lists or brackets nested deeper than `limit`.
    case tooDeep(JDLLocation, limit: Int)
    /// A binary operator with nothing after it: `( other.TTL > )`.
    case missingOperand(JDLLocation, operator: String)
    /// A text longer than the parser accepts.
    case tooLarge(bytes: Int, limit: Int)

    public var location: JDLLocation? {
        switch self {
        case let .unterminatedString(location), let .unterminatedComment(location),
            let .unclosedBracket(location, _), let .unexpectedCharacter(location, _, _),
            let .missingEquals(location, _), let .missingValue(location, _),
            let .missingSemicolon(location, _), let .missingArgument(location, _, _),
            let .packageNotString(location, _), let .invalidPackage(location, _, _),
            let .invalidUTF8(location), let .nulCharacter(location), let .tooDeep(location, _),
            let .missingOperand(location, _):
            location
        case .invalidAttributeName, .tooLarge:
            nil
        }
    }

    /// The one-line message, without the location and the excerpt.
    public var message: String {
        switch self {
        case .unterminatedString:
            "unterminated string: the '\"' opened here is never closed"
        case .unterminatedComment:
            "unterminated comment: the '/*' opened here has no '*/'"
        case let .unclosedBracket(_, opener):
            "the '\(opener)' opened here is never closed"
        case let .unexpectedCharacter(_, found, expected):
            "unexpected \(found), expected \(expected)"
        case let .missingEquals(_, attribute):
            "expected '=' after the attribute name '\(attribute)'"
        case let .missingValue(_, attribute):
            "'\(attribute)' has no value here"
        case let .missingSemicolon(_, attribute):
            "missing ';' after the value of '\(attribute)'"
        case let .missingArgument(_, placeholder, given):
            placeholder == 0
                ? "$0 is not a placeholder: arguments are numbered from $1"
                : "placeholder $\(placeholder) needs \(placeholder) arguments, but \(given) \(given == 1 ? "was" : "were") given"
        case let .packageNotString(_, found):
            "a 'Packages' entry must be a string, got \(found)"
        case let .invalidPackage(_, entry, reason):
            "'Packages' entry \"\(entry)\" is not a package: \(reason)"
        case let .invalidAttributeName(name):
            "invalid attribute name \"\(name)\": expected a letter or '_' then letters, digits, '_' or '.'"
        case .invalidUTF8:
            "the text is not valid UTF-8 here"
        case .nulCharacter:
            "a NUL character is not allowed in a JDL"
        case let .tooDeep(_, limit):
            "nested more than \(limit) levels deep"
        case let .missingOperand(_, op):
            "the operator '\(op)' has no right operand"
        case let .tooLarge(bytes, limit):
            "the JDL is \(bytes) bytes long; at most \(limit) are read"
        }
    }

    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)\n\(location.excerpt)"
    }
}
