/// Writes a ``JDLDocument`` back as JDL text: one `Name = value;` per line, names as spelled,
/// strings re-escaped, numbers and expressions as written, non-empty top-level lists one
/// entry per line (indented by four spaces), nested lists on one line.
public enum JDLPrinter {
    public static func print(_ document: JDLDocument) -> String {
        var text = ""
        for attribute in document.attributes {
            text += "\(attribute.name) = \(render(attribute.value, indent: "    "));\n"
        }
        return text
    }

    /// A value in JDL syntax. With `indent`, a non-empty list puts each entry on its own line.
    public static func render(_ value: JDLValue, indent: String?) -> String {
        switch value {
        case let .string(text): return quote(text)
        case let .number(text), let .expression(text): return text
        case let .boolean(flag): return flag ? "true" : "false"
        case let .list(items):
            guard !items.isEmpty else { return "{}" }
            let entries = items.map { render($0, indent: nil) }
            // An expression element stays on one line with the rest: what follows it on its
            // line (a `#`, say) is read in that context, so breaking the line would change it.
            guard let indent, !items.contains(where: { if case .expression = $0 { true } else { false } }) else {
                return "{" + entries.joined(separator: ", ") + "}"
            }
            return "{\n" + entries.map { indent + $0 }.joined(separator: ",\n") + "\n}"
        }
    }

    /// `text` as a JDL string literal: `"` and `\` escaped, line breaks and tabs as `\n` `\r` `\t`.
    public static func quote(_ text: String) -> String { quote(text, escapingControls: false) }

    /// The same, and with every other control character as `\uXXXX` when `escapingControls`
    /// (what a JSON string needs).
    static func quote(_ text: String, escapingControls: Bool) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if escapingControls, scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
