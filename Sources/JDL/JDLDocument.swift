/// A parsed JDL: its attributes in source order, names compared without case.
///
/// Equality compares the attributes (names as spelled, values), not locations or warnings,
/// so `parse → print → parse` gives an equal document.
public struct JDLDocument: Sendable, Equatable, CustomStringConvertible {
    public private(set) var attributes: [JDLAttribute]
    /// Things accepted but worth telling (an attribute set twice).
    public private(set) var warnings: [JDLWarning]
    /// Where each attribute is in `attributes`, by key (lookups stay constant-time).
    private var positions: [String: Int] = [:]

    /// The longest text ``init(parsing:arguments:)`` reads from bytes: 64 MiB.
    public static let maximumSize = 64 << 20

    /// A document from attributes; a later attribute with the same name (any case) replaces
    /// the earlier one in its place.
    public init(attributes: [JDLAttribute] = []) {
        self.attributes = []
        warnings = []
        for attribute in attributes { set(attribute) }
    }

    /// Parses JDL bytes: they must be UTF-8 (the first bad byte is refused with its line and
    /// column) and at most ``maximumSize`` long.
    public init(parsing bytes: some Collection<UInt8>, arguments: [String]? = nil) throws(JDLError) {
        try self.init(parsing: try JDLDocument.decode(bytes), arguments: arguments)
    }

    /// `bytes` as a String, refusing what is not UTF-8 with the line and column of the first bad byte.
    static func decode(_ bytes: some Collection<UInt8>) throws(JDLError) -> String {
        guard bytes.count <= maximumSize else { throw .tooLarge(bytes: bytes.count, limit: maximumSize) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        // Not UTF-8: find where, for the message.
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var line = 1
        var column = 1
        var lineText = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar):
                if scalar == "\n" {
                    line += 1
                    column = 1
                    lineText = String.UnicodeScalarView()
                } else {
                    column += 1
                    lineText.append(scalar)
                }
            case .emptyInput:
                return String(decoding: bytes, as: UTF8.self)
            case .error:
                // The rest of the line, as far as it decodes, for the excerpt.
                while case let .scalarValue(scalar) = decoder.decode(&iterator), scalar != "\n" { lineText.append(scalar) }
                if lineText.last == "\r" { lineText.removeLast() }
                throw .invalidUTF8(JDLLocation(line: line, column: column, lineText: String(lineText)))
            }
        }
    }

    /// Parses JDL text.
    ///
    /// - Parameter arguments: the submit arguments that replace `$1...$n` (only `$` followed
    ///   by digits, and not in comments). When nil, placeholders are kept as written.
    /// - Throws: ``JDLError`` with the line and column of the problem.
    public init(parsing text: String, arguments: [String]? = nil) throws(JDLError) {
        var parser = JDLParser(text: text, arguments: arguments)
        self.init()
        for attribute in try parser.parseStatements() {
            if let index = index(of: attribute.name), let first = attributes[index].location, let second = attribute.location {
                warnings.append(.duplicateAttribute(name: attribute.name, firstLine: first.line, secondLine: second.line))
            }
            set(attribute)
        }
    }

    /// The value of `name`, ignoring case.
    public subscript(name: String) -> JDLValue? { attribute(named: name)?.value }

    /// The attribute called `name`, ignoring case.
    public func attribute(named name: String) -> JDLAttribute? {
        index(of: name).map { attributes[$0] }
    }

    /// Adds `attribute`, or replaces the one with the same name (any case) in its place.
    public mutating func set(_ attribute: JDLAttribute) {
        if let index = index(of: attribute.name) {
            attributes[index] = attribute
        } else {
            positions[attribute.key] = attributes.count
            attributes.append(attribute)
        }
    }

    /// Removes the attribute called `name` (any case); returns it.
    @discardableResult
    public mutating func remove(_ name: String) -> JDLAttribute? {
        guard let index = index(of: name) else { return nil }
        let removed = attributes.remove(at: index)
        positions[removed.key] = nil
        for later in index..<attributes.count { positions[attributes[later].key] = later }
        return removed
    }

    /// The document in JDL syntax (see ``JDLPrinter``).
    public var description: String { JDLPrinter.print(self) }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.attributes == rhs.attributes }

    private func index(of name: String) -> Int? {
        positions[JDLAttribute.key(name)]
    }
}
