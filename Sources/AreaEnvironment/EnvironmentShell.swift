#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shells `env` prints statements for (`eval` / `source` them), and JSON.
public enum EnvironmentShell: String, CaseIterable, Sendable {
    case sh, bash, zsh, csh, tcsh, fish, json

    /// The shell of a `$SHELL` path (`/bin/tcsh` → `.tcsh`); sh when unknown.
    public static func fromPath(_ path: String?) -> EnvironmentShell {
        let name = (path ?? "").split(separator: "/").last.map(String.init) ?? ""
        switch name {
        case "bash": return .bash
        case "zsh": return .zsh
        case "csh": return .csh
        case "tcsh": return .tcsh
        case "fish": return .fish
        default: return .sh
        }
    }

    /// The statements that make the changes, one a line, variables in name order (unset first).
    public func render(_ changes: EnvironmentChanges) -> String {
        if self == .json { return Self.json(changes) }
        var out = ""
        out.reserveCapacity(changes.values.reduce(64 * changes.removed.count) { $0 + $1.key.utf8.count + $1.value.utf8.count + 32 })
        for name in changes.removed.sorted() {
            switch self {
            case .csh, .tcsh: out += "unsetenv \(name);\n"
            case .fish: out += "set -e \(name);\n"
            default: out += "unset \(name);\n"
            }
        }
        for (name, value) in changes.values.sorted(by: { $0.key < $1.key }) {
            switch self {
            case .csh, .tcsh:
                out += "setenv \(name) \(Self.cshQuote(value));\n"
            case .fish:
                // fish keeps PATH-like variables as lists: one element per entry.
                let parts = EnvironmentChanges.isPathLike(name) && !value.isEmpty
                    ? value.split(separator: ":", omittingEmptySubsequences: false).map(String.init) : [value]
                out += "set -gx \(name) \(parts.map(Self.fishQuote).joined(separator: " "));\n"
            default:
                out += "export "
                out += name
                out += "="
                Self.appendSHQuoted(value, to: &out)
                out += ";\n"
            }
        }
        return out
    }

    /// Whether the UTF-8 of `text` holds `byte` (memchr over contiguous storage).
    static func contains(_ text: String, _ byte: UInt8) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable({ $0.isEmpty ? false : memchr($0.baseAddress!, Int32(byte), $0.count) != nil }) {
            return found
        }
        return text.utf8.contains(byte)
    }

    /// POSIX single quotes; `'` becomes `'\''`.
    public static func shQuote(_ value: String) -> String {
        var result = ""
        appendSHQuoted(value, to: &result)
        return result
    }

    /// `shQuote(value)` appended to `out`.
    static func appendSHQuoted(_ value: String, to out: inout String) {
        out += "'"
        if !Self.contains(value, 0x27) {
            out += value
        } else {
            for scalar in value.unicodeScalars {
                if scalar == "'" { out += "'\\''" } else { out.unicodeScalars.append(scalar) }
            }
        }
        out += "'"
    }

    /// csh/tcsh: single quotes protect all but `!` (history) and newlines, which get a backslash;
    /// a `'` is written as `\'` outside the quotes.
    /// Scalar by scalar: a quote followed by a combining mark is still a quote to the shell.
    public static func cshQuote(_ value: String) -> String {
        if !value.utf8.contains(where: { $0 == 0x27 || $0 == 0x21 || $0 == 0x0A }) { return "'" + value + "'" }
        var result = "'"
        for scalar in value.unicodeScalars {
            switch scalar {
            case "'": result += "'\\''"
            case "!": result += "'\\!'"
            case "\n": result += "\\\n"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "'"
    }

    /// fish single quotes: only `\` and `'` are escaped.
    public static func fishQuote(_ value: String) -> String {
        if !value.utf8.contains(where: { $0 == 0x27 || $0 == 0x5C }) { return "'" + value + "'" }
        var result = "'"
        for scalar in value.unicodeScalars {
            if scalar == "\\" || scalar == "'" { result.unicodeScalars.append("\\") }
            result.unicodeScalars.append(scalar)
        }
        return result + "'"
    }

    /// `{"NAME": "value", "GONE": null}`: one member a line (`  "NAME" : "value"`), names in the
    /// order of the other shells, `/` and non-ASCII text as they are; the layout of Foundation's
    /// `JSONSerialization` with `.prettyPrinted` and `.withoutEscapingSlashes`.
    static func json(_ changes: EnvironmentChanges) -> String {
        var members: [(String, String?)] = changes.values.map { ($0.key, $0.value) }
        for name in changes.removed where changes.values[name] == nil { members.append((name, nil)) }
        members.sort { $0.0 < $1.0 }
        guard !members.isEmpty else { return "{\n\n}\n" }
        var out = "{\n"
        for (offset, (name, value)) in members.enumerated() {
            out += "  "
            jsonString(name, into: &out)
            out += " : "
            if let value { jsonString(value, into: &out) } else { out += "null" }
            out += offset + 1 < members.count ? ",\n" : "\n"
        }
        return out + "}\n"
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, … or `\u00XX`.
    static func jsonString(_ text: String, into out: inout String) {
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += "\"" + text + "\""
            return
        }
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            case "\u{0}"..."\u{1F}":
                let hex = Array("0123456789abcdef".unicodeScalars)
                out += "\\u00"
                out.unicodeScalars.append(hex[Int(scalar.value >> 4)])
                out.unicodeScalars.append(hex[Int(scalar.value & 0xF)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
