/// A value of a recipe header, typed the way PyYAML's SafeLoader types it (YAML 1.1),
/// because aliBuild hashes the Python `repr` of these values: `yes` is `True`,
/// `0o17`-style and `017` are octal ints, `1.0` is a float but `1e5` is a string.
public indirect enum RecipeValue: Hashable, Sendable {
    case string(String)
    /// An integer of any size, kept as its canonical decimal text (`-12`, `0`).
    case int(String)
    case float(Double)
    case bool(Bool)
    case null
    /// A date without a time (`2024-01-31`), which PyYAML turns into `datetime.date`.
    case date(year: Int, month: Int, day: Int)
    /// A timestamp with a time (`2001-12-14t21:59:43.10-05:00`), kept as the Python `repr`
    /// of the `datetime.datetime` PyYAML builds; nothing else is done with it.
    case datetime(repr: String, text: String)
    case list([RecipeValue])
    case map(RecipeMap)

    /// The string, when this is one.
    public var stringValue: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    /// The entries, when this is a mapping.
    public var mapValue: RecipeMap? {
        if case let .map(map) = self { return map }
        return nil
    }

    /// aliBuild's `asList`: a list as it is, anything else as a one-element list.
    public var asList: [RecipeValue] {
        if case let .list(items) = self { return items }
        return [self]
    }

    /// Python truthiness (`if spec.get("force_rebuild", False)`).
    public var isTruthy: Bool {
        switch self {
        case let .string(text): !text.isEmpty
        case let .int(text): text != "0"
        case let .float(value): value != 0
        case let .bool(value): value
        case .null: false
        case .date, .datetime: true
        case let .list(items): !items.isEmpty
        case let .map(map): !map.isEmpty
        }
    }

    /// Python's dict-key equality: `True`, `1` and `1.0` are the same key.
    public func isSamePythonKey(as other: RecipeValue) -> Bool {
        if let lhs = numericValue, let rhs = other.numericValue { return lhs == rhs }
        return self == other
    }

    /// The number a bool, int or float stands for in Python comparisons.
    private var numericValue: Double? {
        switch self {
        case let .bool(value): value ? 1 : 0
        case let .int(digits): Double(digits)
        case let .float(value): value
        default: nil
        }
    }

    /// A short name of the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .string: "a string"
        case .int: "an integer"
        case .float: "a float"
        case .bool: "a boolean"
        case .null: "null"
        case .date: "a date"
        case .datetime: "a timestamp"
        case .list: "a list"
        case .map: "a mapping"
        }
    }
}

/// An ordered mapping as PyYAML builds it into an `OrderedDict`: keys keep the position of
/// their first appearance, and each entry remembers the line it was written on.
public struct RecipeMap: Hashable, Sendable {
    /// Equality and hashing look at keys and values only, not at the lines they came from.
    public struct Entry: Hashable, Sendable {
        public var key: RecipeValue
        public var value: RecipeValue
        /// 1-based line in the file the entry came from; 0 when made in code.
        public var line: Int

        public init(key: RecipeValue, value: RecipeValue, line: Int = 0) {
            self.key = key
            self.value = value
            self.line = line
        }

        public static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.key == rhs.key && lhs.value == rhs.value }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(key)
            hasher.combine(value)
        }
    }

    public private(set) var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = []
        for entry in entries { self[entry.key, line: entry.line] = entry.value }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }
    public var keys: [RecipeValue] { entries.map(\.key) }

    public subscript(key: String) -> RecipeValue? {
        get { entries.first(where: { $0.key == .string(key) })?.value }
        set { self[.string(key), line: 0] = newValue }
    }

    /// Sets a value; an existing key keeps its position (Python dict semantics), a nil removes it.
    public subscript(key: RecipeValue, line line: Int) -> RecipeValue? {
        get { entries.first(where: { $0.key.isSamePythonKey(as: key) })?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key.isSamePythonKey(as: key) }) {
                if let newValue {
                    entries[index].value = newValue
                    if line > 0 { entries[index].line = line }
                } else {
                    entries.remove(at: index)
                }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue, line: line))
            }
        }
    }

    /// The line the key was written on, when known.
    public func line(of key: String) -> Int? {
        entries.first(where: { $0.key == .string(key) }).flatMap { $0.line > 0 ? $0.line : nil }
    }

    public func contains(_ key: String) -> Bool { self[key] != nil }

    /// Python's `dict.update`: each entry of `other` replaces or appends.
    public mutating func update(with other: RecipeMap) {
        for entry in other.entries { self[entry.key, line: entry.line] = entry.value }
    }
}
