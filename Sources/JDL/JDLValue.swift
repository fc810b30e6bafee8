/// A JDL value. Numbers and expressions keep their source text so that printing gives back
/// what was written.
public enum JDLValue: Hashable, Sendable, CustomStringConvertible {
    /// A double-quoted string, escapes resolved.
    case string(String)
    /// An integer or real number as written: `28000`, `-1.5e3`.
    case number(String)
    /// `true` / `false` (any case in the source).
    case boolean(Bool)
    /// `{...}`; nested lists are kept.
    case list([JDLValue])
    /// Any other value, as its source text with comments removed and placeholders
    /// substituted: `member(other.GridPartitions,"quickreco")`.
    case expression(String)

    /// The string, when this is one.
    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    /// A list of strings, or a single string taken as a one-entry list; nil otherwise.
    public var strings: [String]? {
        switch self {
        case let .string(text): return [text]
        case let .list(items):
            var result: [String] = []
            for item in items {
                guard let text = item.stringValue else { return nil }
                result.append(text)
            }
            return result
        default: return nil
        }
    }

    /// A short name of the kind of value, for messages: `a number (12)`.
    public var kindDescription: String {
        switch self {
        case .string: "a string"
        case let .number(text): "a number (\(text))"
        case let .boolean(value): "a boolean (\(value))"
        case .list: "a list"
        case let .expression(text): "an expression (\(text))"
        }
    }

    /// The value in JDL syntax, on one line for lists.
    public var description: String { JDLPrinter.render(self, indent: nil) }

    /// Whether `text` is a JDL number: `-?digits(.digits)?([eE][+-]?digits)?`.
    public static func isNumber(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        func digits() -> Int {
            var count = 0
            while let first = scalars.first, ("0"..."9").contains(first) {
                scalars.removeFirst()
                count += 1
            }
            return count
        }
        if scalars.first == "-" || scalars.first == "+" { scalars.removeFirst() }
        guard digits() > 0 else { return false }
        if scalars.first == "." {
            scalars.removeFirst()
            guard digits() > 0 else { return false }
        }
        if scalars.first == "e" || scalars.first == "E" {
            scalars.removeFirst()
            if scalars.first == "-" || scalars.first == "+" { scalars.removeFirst() }
            guard digits() > 0 else { return false }
        }
        return scalars.isEmpty
    }
}

/// One `Name = value;` statement. Equality compares the name (as spelled) and the value,
/// not where they were written.
public struct JDLAttribute: Sendable, Equatable, CustomStringConvertible {
    /// The name as written; lookups ignore case.
    public let name: String
    public var value: JDLValue
    /// Where the name was written; nil when built in code.
    public var location: JDLLocation?
    /// Where the value starts.
    public var valueLocation: JDLLocation?
    /// Where each entry of a list value starts (empty unless the value is a parsed list).
    public var elementLocations: [JDLLocation]

    /// Validates the name: a letter or `_`, then letters, digits, `_` or `.`.
    public init(name: String, value: JDLValue) throws(JDLError) {
        guard Self.isValidName(name) else { throw .invalidAttributeName(name) }
        self.init(checkedName: name, value: value, location: nil, valueLocation: nil, elementLocations: [])
    }

    init(
        checkedName: String, value: JDLValue, location: JDLLocation?, valueLocation: JDLLocation?,
        elementLocations: [JDLLocation]
    ) {
        name = checkedName
        self.value = value
        self.location = location
        self.valueLocation = valueLocation
        self.elementLocations = elementLocations
    }

    /// The name lower-cased (ASCII), the key lookups use.
    public var key: String { Self.key(name) }

    public var description: String { "\(name) = \(value);" }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.value == rhs.value
    }

    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isNameStart(first) else { return false }
        return name.unicodeScalars.allSatisfy(isNamePart)
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    static func isNamePart(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || ("0"..."9").contains(scalar) || scalar == "."
    }

    static func key(_ name: String) -> String { name.lowercased() }
}

/// Something accepted but worth telling the user.
public enum JDLWarning: Hashable, Sendable, CustomStringConvertible {
    /// The attribute was set twice; the later value (at `secondLine`) wins.
    case duplicateAttribute(name: String, firstLine: Int, secondLine: Int)

    public var description: String {
        switch self {
        case let .duplicateAttribute(name, firstLine, secondLine):
            "\(secondLine): '\(name)' is set again (first at line \(firstLine)); the value at line \(secondLine) is used"
        }
    }
}
