import Foundation

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
        var lines: [String] = []
        for name in changes.removed.sorted() {
            switch self {
            case .csh, .tcsh: lines.append("unsetenv \(name);")
            case .fish: lines.append("set -e \(name);")
            default: lines.append("unset \(name);")
            }
        }
        for name in changes.values.keys.sorted() {
            guard let value = changes.values[name] else { continue }
            switch self {
            case .csh, .tcsh:
                lines.append("setenv \(name) \(Self.cshQuote(value));")
            case .fish:
                // fish keeps PATH-like variables as lists: one element per entry.
                let parts = EnvironmentChanges.isPathLike(name) && !value.isEmpty
                    ? value.split(separator: ":", omittingEmptySubsequences: false).map(String.init) : [value]
                lines.append("set -gx \(name) \(parts.map(Self.fishQuote).joined(separator: " "));")
            default:
                lines.append("export \(name)=\(Self.shQuote(value));")
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// POSIX single quotes; `'` becomes `'\''`.
    public static func shQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// csh/tcsh: single quotes protect all but `!` (history) and newlines, which get a backslash;
    /// a `'` is written as `\'` outside the quotes.
    public static func cshQuote(_ value: String) -> String {
        var result = "'"
        for character in value {
            switch character {
            case "'": result += "'\\''"
            case "!": result += "'\\!'"
            case "\n": result += "\\\n"
            default: result.append(character)
            }
        }
        return result + "'"
    }

    /// fish single quotes: only `\` and `'` are escaped.
    public static func fishQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// `{"NAME": "value", "GONE": null}` with sorted keys.
    static func json(_ changes: EnvironmentChanges) -> String {
        var object: [String: Any] = [:]
        for name in changes.removed { object[name] = NSNull() }
        for (name, value) in changes.values { object[name] = value }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
