/// The JDL reader: a hand-written scanner over Unicode scalars, linear in the text's length.
///
/// Statements are `Name = value;`. Trivia between tokens: blanks (spaces, tabs, CR, LF),
/// `#` to the end of the line, `//` to the end of the line, `/* ... */`. Inside a bare
/// expression a `#` only starts a comment as the first non-blank of a line. A string may
/// span lines (AliEn's production system writes such strings). Lists and brackets nest at
/// most ``maximumDepth`` levels; a NUL anywhere is refused.
struct JDLParser {
    /// How deep `{...}` lists and `(`/`[`/`{` brackets in an expression may nest.
    static let maximumDepth = 64

    private let source: [Unicode.Scalar]
    private let lineStarts: [Int]
    private let arguments: [String]?
    private var index = 0
    private var depth = 0
    /// Each line's text, made once and shared by every location on the line (a location per
    /// list entry on one long line would otherwise copy the line each time).
    private let lineTexts = LineTexts()

    init(text: String, arguments: [String]?) {
        source = Array(text.unicodeScalars)
        var starts = [0]
        for (offset, scalar) in source.enumerated() where scalar == "\n" { starts.append(offset + 1) }
        lineStarts = starts
        self.arguments = arguments
    }

    // MARK: statements

    mutating func parseStatements() throws(JDLError) -> [JDLAttribute] {
        if let nul = source.firstIndex(of: "\0") { throw .nulCharacter(location(nul)) }
        var result: [JDLAttribute] = []
        while true {
            try skipTrivia()
            guard let first = peek() else { return result }
            if first == ";" {
                index += 1
                continue
            }
            let nameStart = index
            guard JDLAttribute.isNameStart(first) else {
                throw .unexpectedCharacter(location(nameStart), found: describe(first), expected: "an attribute name")
            }
            while let scalar = peek(), JDLAttribute.isNamePart(scalar) { index += 1 }
            let name = text(nameStart, index)
            try skipTrivia()
            guard peek() == "=", peek(1) != "=" else { throw .missingEquals(location(index), attribute: name) }
            index += 1
            try skipTrivia()
            let valueStart = index
            let (value, elements) = try parseValue(inList: false, attribute: name)
            if peek() == ";" { index += 1 }
            result.append(
                JDLAttribute(
                    checkedName: name, value: value, location: location(nameStart),
                    valueLocation: location(valueStart), elementLocations: elements))
        }
    }

    // MARK: values

    /// Reads a value ending before its terminator (`;` or the end at top level; `,` `}` `;`
    /// in a list). Returns the value and, for a list, where each entry starts.
    private mutating func parseValue(inList: Bool, attribute: String) throws(JDLError) -> (JDLValue, [JDLLocation]) {
        try skipTrivia()
        let start = index
        guard let first = peek(), !isTerminator(first, inList: inList) else {
            throw .missingValue(location(start), attribute: attribute)
        }
        if first == "\"" {
            let text = try parseString()
            try skipTrivia()
            if peek().map({ isTerminator($0, inList: inList) }) ?? true { return (.string(text), []) }
            index = start
        } else if first == "{" {
            let (items, elements) = try parseList(attribute: attribute)
            try skipTrivia()
            if peek().map({ isTerminator($0, inList: inList) }) ?? true { return (.list(items), elements) }
            index = start
        }
        let text = try parseExpression(inList: inList, attribute: attribute)
        guard !text.isEmpty else { throw .missingValue(location(start), attribute: attribute) }
        switch text.lowercased() {
        case "true": return (.boolean(true), [])
        case "false": return (.boolean(false), [])
        default: return (JDLValue.isNumber(text) ? .number(text) : .expression(text), [])
        }
    }

    private func isTerminator(_ scalar: Unicode.Scalar, inList: Bool) -> Bool {
        inList ? scalar == "," || scalar == "}" || scalar == ";" : scalar == ";"
    }

    /// At `{`: entries separated by `,`, a trailing `,` before `}` allowed.
    private mutating func parseList(attribute: String) throws(JDLError) -> ([JDLValue], [JDLLocation]) {
        let open = index
        guard depth < Self.maximumDepth else { throw .tooDeep(location(open), limit: Self.maximumDepth) }
        depth += 1
        defer { depth -= 1 }
        index += 1
        var items: [JDLValue] = []
        var elements: [JDLLocation] = []
        while true {
            try skipTrivia()
            guard let next = peek() else { throw .unclosedBracket(location(open), opener: "{") }
            // Here the list is empty or a ',' was just read: a '}' closes it (trailing comma).
            if next == "}" {
                index += 1
                return (items, elements)
            }
            elements.append(location(index))
            items.append(try parseValue(inList: true, attribute: attribute).0)
            try skipTrivia()
            switch peek() {
            case ",": index += 1
            case "}":
                index += 1
                return (items, elements)
            default: throw .unclosedBracket(location(open), opener: "{")
            }
        }
    }

    /// At `"`: the string's text with escapes resolved and placeholders substituted. Line
    /// breaks inside are part of the text.
    private mutating func parseString() throws(JDLError) -> String {
        let open = index
        index += 1
        var result = ""
        while true {
            guard let scalar = peek() else { throw .unterminatedString(location(open)) }
            switch scalar {
            case "\"":
                index += 1
                return result
            case "\\":
                guard let escaped = peek(1) else { throw .unterminatedString(location(open)) }
                index += 2
                switch escaped {
                case "n": result.unicodeScalars.append("\n")
                case "t": result.unicodeScalars.append("\t")
                case "r": result.unicodeScalars.append("\r")
                default: result.unicodeScalars.append(escaped)
                }
            case "$" where isDigit(peek(1)):
                result += try placeholder()
            default:
                result.unicodeScalars.append(scalar)
                index += 1
            }
        }
    }

    /// Any other value: source text up to the terminator outside brackets and strings,
    /// comments dropped, placeholders substituted, blanks trimmed.
    ///
    /// Checked on the way: brackets balance and nest at most ``maximumDepth`` deep; a
    /// comparison or logical operator (`==` `!=` `<` `<=` `>` `>=` `=?=` `=!=` `&&` `||` `&`
    /// `|` `!` `?` `=`) has an operand after it; a `Name =` at the top level starts the next
    /// statement, so the value lacks its `;`.
    private mutating func parseExpression(inList: Bool, attribute: String) throws(JDLError) -> String {
        var text = ""
        var openers: [(scalar: Unicode.Scalar, at: Int)] = []
        let start = index
        var lastContentEnd = index
        /// The last operator read, while no operand has followed it.
        var pending: (text: String, at: Int)?
        while let scalar = peek() {
            if openers.isEmpty, isTerminator(scalar, inList: inList) { break }
            switch scalar {
            case "\"":
                pending = nil
                let start = index
                let value = try parseString()
                text += arguments == nil ? self.text(start, index) : JDLPrinter.quote(value)
            case "/" where peek(1) == "/":
                skipToEndOfLine()
                continue
            case "/" where peek(1) == "*":
                try skipBlockComment()
                text += " "
                continue
            case "(", "[", "{":
                pending = nil
                guard depth + openers.count < Self.maximumDepth else {
                    throw .tooDeep(location(index), limit: Self.maximumDepth)
                }
                openers.append((scalar, index))
                text.unicodeScalars.append(scalar)
                index += 1
            case ")", "]", "}":
                if let pending { throw .missingOperand(location(pending.at), operator: pending.text) }
                let expected: Unicode.Scalar = scalar == ")" ? "(" : scalar == "]" ? "[" : "{"
                guard let last = openers.last, last.scalar == expected else {
                    throw .unexpectedCharacter(
                        location(index), found: describe(scalar),
                        expected: openers.last.map {
                            "'\(closer(of: $0.scalar))' to close the '\($0.scalar)' at \(location($0.at))"
                        } ?? "';' to end the value of '\(attribute)'")
                }
                openers.removeLast()
                text.unicodeScalars.append(scalar)
                index += 1
            case "$" where isDigit(peek(1)):
                pending = nil
                text += try placeholder()
            case "&", "|", "=", "!", "<", ">", "?":
                let at = index
                let token = operatorToken()
                if token == "=", openers.isEmpty, !inList {
                    throw .unexpectedCharacter(location(at), found: "'='", expected: "an operand or ';' ('==' compares)")
                }
                if let pending, token != "!" { throw .missingOperand(location(pending.at), operator: pending.text) }
                pending = (token, at)
                text += token
                lastContentEnd = index
                continue
            case "\n":
                text.unicodeScalars.append(scalar)
                index += 1
                let lineStart = index
                skipBlanks()
                if peek() == "#" { skipToEndOfLine() } else { text += self.text(lineStart, index) }
                if openers.isEmpty, !inList, startsAssignment() {
                    throw .missingSemicolon(location(lastContentEnd), attribute: attribute)
                }
                continue
            default:
                if openers.isEmpty, !inList, JDLAttribute.isNameStart(scalar),
                    index == start || !JDLAttribute.isNamePart(source[index - 1]), startsAssignment()
                {
                    // `A = "x" B = 1;`: the next statement begins on the same line.
                    throw lastContentEnd > start
                        ? .missingSemicolon(location(lastContentEnd), attribute: attribute)
                        : .unexpectedCharacter(location(index), found: "another assignment", expected: "a value for '\(attribute)'")
                }
                if !isBlank(scalar) { pending = nil }
                text.unicodeScalars.append(scalar)
                index += 1
            }
            if !isBlank(scalar) { lastContentEnd = index }
        }
        if let open = openers.last { throw .unclosedBracket(location(open.at), opener: String(open.scalar)) }
        if let pending { throw .missingOperand(location(pending.at), operator: pending.text) }
        return trimmed(text)
    }

    /// At an operator character: the longest operator there (`=?=`, `=!=`, `==`, `!=`, `<=`,
    /// `>=`, `&&`, `||`, or the character alone).
    private mutating func operatorToken() -> String {
        for (candidate, scalars) in Self.longOperators
        where index + scalars.count <= source.count && source[index..<(index + scalars.count)].elementsEqual(scalars) {
            index += scalars.count
            return candidate
        }
        index += 1
        return String(Character(source[index - 1]))
    }

    private static let longOperators: [(String, [Unicode.Scalar])] =
        ["=?=", "=!=", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>"].map { ($0, Array($0.unicodeScalars)) }

    /// At `$` and a digit: the argument's text, or the placeholder as written without arguments.
    private mutating func placeholder() throws(JDLError) -> String {
        let start = index
        index += 1
        var number = 0
        var overflow = false
        while let scalar = peek(), isDigit(scalar) {
            let (product, o1) = number.multipliedReportingOverflow(by: 10)
            let (sum, o2) = product.addingReportingOverflow(Int(scalar.value - 48))
            overflow = overflow || o1 || o2
            number = sum
            index += 1
        }
        guard let arguments else { return text(start, index) }
        guard !overflow, number >= 1, number <= arguments.count else {
            throw .missingArgument(location(start), placeholder: overflow ? Int.max : number, given: arguments.count)
        }
        return arguments[number - 1]
    }

    // MARK: trivia

    private mutating func skipTrivia() throws(JDLError) {
        while let scalar = peek() {
            if isBlank(scalar) || scalar == "\n" {
                index += 1
            } else if scalar == "#" || (scalar == "/" && peek(1) == "/") {
                skipToEndOfLine()
            } else if scalar == "/" && peek(1) == "*" {
                try skipBlockComment()
            } else {
                return
            }
        }
    }

    private mutating func skipBlockComment() throws(JDLError) {
        let open = index
        index += 2
        while index < source.count {
            if source[index] == "*", peek(1) == "/" {
                index += 2
                return
            }
            index += 1
        }
        throw .unterminatedComment(location(open))
    }

    private mutating func skipToEndOfLine() {
        while let scalar = peek(), scalar != "\n" { index += 1 }
    }

    private mutating func skipBlanks() {
        while let scalar = peek(), isBlank(scalar) { index += 1 }
    }

    /// Whether the text from here reads `Name =` (not `==`, `=?=`, `=!=`).
    private func startsAssignment() -> Bool {
        var cursor = index
        guard cursor < source.count, JDLAttribute.isNameStart(source[cursor]) else { return false }
        while cursor < source.count, JDLAttribute.isNamePart(source[cursor]) { cursor += 1 }
        while cursor < source.count, isBlank(source[cursor]) { cursor += 1 }
        guard cursor < source.count, source[cursor] == "=" else { return false }
        return cursor + 1 >= source.count || !"=?!".unicodeScalars.contains(source[cursor + 1])
    }

    // MARK: helpers

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < source.count ? source[index + offset] : nil
    }

    private func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        scalar.map { ("0"..."9").contains($0) } ?? false
    }

    private func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\u{0C}" || scalar == "\u{0B}"
    }

    private func closer(of opener: Unicode.Scalar) -> String {
        opener == "(" ? ")" : opener == "[" ? "]" : "}"
    }

    private func text(_ start: Int, _ end: Int) -> String {
        // UTF-8 encoded straight into the new string's storage (appending scalar by scalar
        // costs several times more, and line texts are made for every line).
        var length = 0
        for index in start..<end { length += UTF8.width(source[index]) }
        return String(unsafeUninitializedCapacity: length) { buffer in
            var offset = 0
            for index in start..<end {
                UTF8.encode(source[index]) { byte in
                    buffer[offset] = byte
                    offset += 1
                }
            }
            return offset
        }
    }

    private func describe(_ scalar: Unicode.Scalar) -> String {
        scalar == "\n" ? "end of line" : "'\(scalar)'"
    }

    private func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars[...]
        while let first = scalars.first, isBlank(first) || first == "\n" { scalars.removeFirst() }
        while let last = scalars.last, isBlank(last) || last == "\n" { scalars.removeLast() }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    func location(_ offset: Int) -> JDLLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let start = lineStarts[low]
        let lineText = lineTexts.text(of: low) {
            var end = low + 1 < lineStarts.count ? lineStarts[low + 1] - 1 : source.count
            if end > start, source[end - 1] == "\r" { end -= 1 }
            return text(start, end)
        }
        return JDLLocation(line: low + 1, column: offset - start + 1, lineText: lineText)
    }
}

/// Line texts made on first use (a parser is used by one thread).
private final class LineTexts {
    private var texts: [Int: String] = [:]

    func text(of line: Int, _ make: () -> String) -> String {
        if let text = texts[line] { return text }
        let text = make()
        texts[line] = text
        return text
    }
}
