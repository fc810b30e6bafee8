/// A fast path for the block-style YAML that alidist's headers are written in: mappings and
/// lists nested by indentation, one-line plain and quoted scalars, literal (`|`, `|-`) block
/// scalars, comments. Typing is PyYAML's (``PyYAMLScalar``), lines are those Yams reports.
///
/// It answers nil for anything outside that subset (flow collections, anchors, tags,
/// multi-line plain or quoted scalars, escapes, folded scalars, duplicate keys, tabs, non-ASCII
/// text, anything malformed ...) and ``YAMLHeader`` then parses with Yams as before: this
/// parser only decides what it is sure of, so its answers are Yams' (the differential tests
/// in RecipesTests compare the two on every fixture). Linear in the header's size; nesting is
/// limited to ``maximumDepth`` levels, a mapping to ``maximumKeys`` keys (their duplicate check is
/// a linear search) and the header to ``YAMLHeader/maximumValues`` values: beyond any of them Yams
/// decides, with its own limits and errors.
enum BlockYAMLHeader {
    static let maximumDepth = 32
    static let maximumKeys = 1_000

    /// The header's value, or nil when Yams must decide.
    static func parse(_ header: String) -> RecipeValue? {
        guard var parser = Parser(bytes: Array(header.utf8)) else { return nil }
        return parser.document()
    }

    private struct Line {
        var start: Int
        var end: Int
        var indent: Int
        /// Blank, or a comment only: not structure.
        var ignorable: Bool
    }

    private struct Parser {
        let bytes: [UInt8]
        var lines: [Line] = []
        var index = 0
        var values = 0

        init?(bytes: [UInt8]) {
            self.bytes = bytes
            var start = 0
            lines.reserveCapacity(bytes.count / 16 + 1)
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 10 {
                    // Tabs, carriage returns, NUL and non-ASCII text: Yams decides.
                    let byte = bytes[end]
                    if byte == 9 || byte == 13 || byte == 0 || byte >= 0x80 { return nil }
                    end += 1
                }
                var indent = start
                while indent < end, bytes[indent] == 32 { indent += 1 }
                let ignorable = indent == end || bytes[indent] == 35  // "#"
                if !ignorable, indent == start {
                    // Directives and document markers.
                    if bytes[start] == 37 { return nil }  // "%"
                    if end - start >= 3, bytes[start] == 46, bytes[start + 1] == 46, bytes[start + 2] == 46 { return nil }
                    if end - start >= 3, bytes[start] == 45, bytes[start + 1] == 45, bytes[start + 2] == 45 { return nil }
                }
                lines.append(Line(start: start, end: end, indent: indent - start, ignorable: ignorable))
                start = end + 1
            }
        }

        mutating func document() -> RecipeValue? {
            skipIgnorable()
            guard index < lines.count else { return .null }
            guard lines[index].indent == 0, let value = node(indent: 0, depth: 1) else { return nil }
            skipIgnorable()
            return index == lines.count ? value : nil
        }

        mutating func skipIgnorable() {
            while index < lines.count, lines[index].ignorable { index += 1 }
        }

        /// The collection whose first line (the current one) is indented by `indent`.
        mutating func node(indent: Int, depth: Int) -> RecipeValue? {
            guard depth <= maximumDepth, values <= YAMLHeader.maximumValues else { return nil }
            return isDash(lines[index]) ? sequence(indent: indent, depth: depth) : mapping(indent: indent, depth: depth)
        }

        func isDash(_ line: Line) -> Bool {
            let at = line.start + line.indent
            return bytes[at] == 45 && (at + 1 == line.end || bytes[at + 1] == 32)
        }

        mutating func sequence(indent: Int, depth: Int) -> RecipeValue? {
            var items: [RecipeValue] = []
            while true {
                skipIgnorable()
                guard index < lines.count, lines[index].indent == indent, isDash(lines[index]) else { break }
                let line = lines[index]
                var at = line.start + indent + 1
                while at < line.end, bytes[at] == 32 { at += 1 }
                index += 1
                if at == line.end || bytes[at] == 35 {
                    guard let item = nested(parentIndent: indent, allowSameIndentList: false, depth: depth) else { return nil }
                    items.append(item)
                    continue
                }
                // A compact list or mapping inside the item: Yams decides.
                if bytes[at] == 45, at + 1 == line.end || bytes[at + 1] == 32 { return nil }
                if indicatorPosition(from: at, to: line.end) != nil { return nil }
                guard let item = inlineValue(from: at, to: line.end, parentIndent: indent) else { return nil }
                items.append(item)
                values += 1
                guard values <= YAMLHeader.maximumValues else { return nil }
            }
            skipIgnorable()
            if index < lines.count, lines[index].indent > indent { return nil }
            return .list(items)
        }

        mutating func mapping(indent: Int, depth: Int) -> RecipeValue? {
            var map = RecipeMap()
            while index < lines.count, lines[index].indent == indent {
                let line = lines[index]
                let lineNumber = index + 1
                let keyStart = line.start + indent
                let key: RecipeValue
                let valueStart: Int
                switch bytes[keyStart] {
                case 34, 39:  // a quoted key
                    guard let (text, after) = quoted(from: keyStart, to: line.end),
                        after < line.end, bytes[after] == 58, after + 1 == line.end || bytes[after + 1] == 32
                    else { return nil }
                    key = .string(text)
                    valueStart = after + 1
                default:
                    guard isPlainStart(keyStart, line.end), let colon = indicatorPosition(from: keyStart, to: line.end) else { return nil }
                    var keyEnd = colon
                    while keyEnd > keyStart, bytes[keyEnd - 1] == 32 { keyEnd -= 1 }
                    // libyaml takes at most 1024 characters as an implicit key.
                    guard keyEnd > keyStart, keyEnd - keyStart < 1000, !containsComment(keyStart, keyEnd) else { return nil }
                    guard let plain = try? PyYAMLScalar.resolvePlain(text(keyStart, keyEnd)) else { return nil }
                    key = plain
                    valueStart = colon + 1
                }
                // Duplicates: Yams' error; many keys: Yams' limits.
                guard map.count < maximumKeys, map[key, line: 0] == nil else { return nil }
                values += 1
                var at = valueStart
                while at < line.end, bytes[at] == 32 { at += 1 }
                index += 1
                let value: RecipeValue
                if at == line.end || bytes[at] == 35 {
                    guard let nestedValue = nested(parentIndent: indent, allowSameIndentList: true, depth: depth) else { return nil }
                    value = nestedValue
                } else {
                    guard let inline = inlineValue(from: at, to: line.end, parentIndent: indent) else { return nil }
                    value = inline
                }
                map[key, line: lineNumber] = value
                skipIgnorable()
            }
            if index < lines.count, lines[index].indent > indent { return nil }
            return .map(map)
        }

        /// The value on the lines after an entry whose own line holds none.
        mutating func nested(parentIndent: Int, allowSameIndentList: Bool, depth: Int) -> RecipeValue? {
            skipIgnorable()
            guard index < lines.count else { return .null }
            let next = lines[index]
            if next.indent > parentIndent { return node(indent: next.indent, depth: depth + 1) }
            if allowSameIndentList, next.indent == parentIndent, isDash(next) {
                return sequence(indent: parentIndent, depth: depth + 1)
            }
            return .null
        }

        /// A value that starts on its entry's line, at `from`.
        mutating func inlineValue(from start: Int, to end: Int, parentIndent: Int) -> RecipeValue? {
            let value: RecipeValue
            switch bytes[start] {
            case 34, 39:
                guard let (text, after) = quoted(from: start, to: end), isTrailer(after, end) else { return nil }
                value = .string(text)
            case 124:  // "|"
                return literal(from: start + 1, to: end, parentIndent: parentIndent)
            default:
                guard isPlainStart(start, end) else { return nil }
                var stop = start
                while stop < end, !(bytes[stop] == 35 && bytes[stop - 1] == 32) { stop += 1 }
                var textEnd = stop
                while textEnd > start, bytes[textEnd - 1] == 32 { textEnd -= 1 }
                // ": " or a final ":" inside a value is a mapping where none may start.
                if indicatorPosition(from: start, to: textEnd) != nil { return nil }
                guard let plain = try? PyYAMLScalar.resolvePlain(text(start, textEnd)) else { return nil }
                value = plain
            }
            // A value continued on more indented lines (a multi-line plain scalar, or an error).
            let saved = index
            skipIgnorable()
            if index < lines.count, lines[index].indent > parentIndent { return nil }
            index = saved
            return value
        }

        /// A literal block scalar; `from` is right after the "|".
        mutating func literal(from start: Int, to end: Int, parentIndent: Int) -> RecipeValue? {
            var at = start
            var strip = false
            if at < end, bytes[at] == 45 { strip = true; at += 1 }  // "|-"; "|+", "|2": Yams
            guard isTrailer(at, end) else { return nil }
            guard index < lines.count, lines[index].indent < lines[index].end - lines[index].start else { return nil }
            let contentIndent = lines[index].indent
            guard contentIndent > parentIndent else { return nil }
            var parts: [String] = []
            var pendingEmpty = 0
            while index < lines.count {
                let line = lines[index]
                let length = line.end - line.start
                if line.indent == length {  // spaces only
                    if length > contentIndent { return nil }
                    pendingEmpty += 1
                } else if line.indent >= contentIndent {
                    for _ in 0..<pendingEmpty { parts.append("") }
                    pendingEmpty = 0
                    parts.append(self.text(line.start + contentIndent, line.end))
                } else {
                    break
                }
                index += 1
            }
            let text = parts.joined(separator: "\n")
            return .string(strip ? text : text + "\n")
        }

        /// A one-line quoted scalar starting at `from`: its text and the position after it;
        /// nil for escapes and for scalars that go on past the line.
        func quoted(from start: Int, to end: Int) -> (String, Int)? {
            let quote = bytes[start]
            var at = start + 1
            var text: [UInt8] = []
            while at < end {
                let byte = bytes[at]
                if byte == quote {
                    if quote == 39, at + 1 < end, bytes[at + 1] == 39 {
                        text.append(39)
                        at += 2
                        continue
                    }
                    return (String(decoding: text, as: UTF8.self), at + 1)
                }
                if quote == 34, byte == 92 { return nil }  // escapes: Yams
                text.append(byte)
                at += 1
            }
            return nil
        }

        /// Only blanks, or blanks and a comment, from `from` to the end of the line.
        func isTrailer(_ start: Int, _ end: Int) -> Bool {
            var at = start
            while at < end, bytes[at] == 32 { at += 1 }
            return at == end || (bytes[at] == 35 && at > start)
        }

        /// Whether a plain scalar may start here (no indicator that begins something else).
        func isPlainStart(_ start: Int, _ end: Int) -> Bool {
            switch bytes[start] {
            case 91, 93, 123, 125, 44, 35, 38, 42, 33, 124, 62, 39, 34, 37, 64, 96:  // []{},#&*!|>'"%@`
                return false
            case 45, 63, 58:  // "-", "?", ":" followed by a blank
                return start + 1 < end && bytes[start + 1] != 32
            default:
                return true
            }
        }

        /// The first ": " (or ":" ending the text) before any comment.
        func indicatorPosition(from start: Int, to end: Int) -> Int? {
            var at = start
            while at < end {
                let byte = bytes[at]
                if byte == 35, at > start, bytes[at - 1] == 32 { return nil }
                if byte == 58, at + 1 == end || bytes[at + 1] == 32 { return at }
                at += 1
            }
            return nil
        }

        func containsComment(_ start: Int, _ end: Int) -> Bool {
            var at = start + 1
            while at < end {
                if bytes[at] == 35, bytes[at - 1] == 32 { return true }
                at += 1
            }
            return false
        }

        func text(_ start: Int, _ end: Int) -> String {
            bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
        }
    }
}
