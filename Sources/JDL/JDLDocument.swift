/// A parsed JDL: its attributes in source order, names compared without case.
///
/// Equality compares the attributes (names as spelled, values), not locations or warnings,
/// so `parse → print → parse` gives an equal document.
public struct JDLDocument: Sendable, Equatable, CustomStringConvertible {
    public private(set) var attributes: [JDLAttribute]
    /// Things accepted but worth telling (an attribute set twice).
    public private(set) var warnings: [JDLWarning]

    /// A document from attributes; a later attribute with the same name (any case) replaces
    /// the earlier one in its place.
    public init(attributes: [JDLAttribute] = []) {
        self.attributes = []
        warnings = []
        for attribute in attributes { set(attribute) }
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
            attributes.append(attribute)
        }
    }

    /// Removes the attribute called `name` (any case); returns it.
    @discardableResult
    public mutating func remove(_ name: String) -> JDLAttribute? {
        guard let index = index(of: name) else { return nil }
        return attributes.remove(at: index)
    }

    /// The document in JDL syntax (see ``JDLPrinter``).
    public var description: String { JDLPrinter.print(self) }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.attributes == rhs.attributes }

    private func index(of name: String) -> Int? {
        let key = JDLAttribute.key(name)
        return attributes.firstIndex { $0.key == key }
    }
}
