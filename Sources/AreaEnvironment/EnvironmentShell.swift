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
        switch self {
        case .json: return Self.json(changes)
        case .sh, .bash, .zsh: return String(decoding: Self.posixStatements(changes), as: UTF8.self)
        case .csh, .tcsh, .fish: return otherStatements(changes)
        }
    }

    /// `render(changes)` as UTF-8, for printing (sh, bash and zsh are written as bytes directly:
    /// `env` prints a hundred packages' variables, kilobytes each, on every call).
    public func renderBytes(_ changes: EnvironmentChanges) -> [UInt8] {
        switch self {
        case .sh, .bash, .zsh: return Self.posixStatements(changes)
        case .json, .csh, .tcsh, .fish: return Array(render(changes).utf8)
        }
    }

    /// csh, tcsh and fish statements.
    private func otherStatements(_ changes: EnvironmentChanges) -> String {
        var out = ""
        out.reserveCapacity(changes.values.reduce(64 * changes.removed.count) { $0 + $1.key.utf8.count + $1.value.utf8.count + 32 })
        for name in changes.removed.sorted() {
            out += self == .fish ? "set -e \(name);\n" : "unsetenv \(name);\n"
        }
        for name in changes.values.keys.sorted() {
            let value = changes.values[name]!
            if self == .fish {
                // fish keeps PATH-like variables as lists: one element per entry.
                let parts =
                    EnvironmentChanges.isPathLike(name) && !value.isEmpty
                    ? value.split(separator: ":", omittingEmptySubsequences: false).map(String.init) : [value]
                out += "set -gx \(name) \(parts.map(Self.fishQuote).joined(separator: " "));\n"
            } else {
                out += "setenv \(name) \(Self.cshQuote(value));\n"
            }
        }
        return out
    }

    /// `unset NAME;` and `export NAME='value';` lines (sh, bash, zsh), as UTF-8.
    static func posixStatements(_ changes: EnvironmentChanges) -> [UInt8] {
        posixStatements(removed: changes.removed.sorted(), values: changes.values.map { (name: $0.key, value: $0.value) })
    }

    /// `posixStatements` of the changes given as the names removed, sorted, and the variables
    /// set (each name once, in any order: they are printed in name order).
    static func posixStatements(removed: [String], values: [(name: String, value: String)]) -> [UInt8] {
        // The exact size first (a `'` in a value becomes four bytes), then one copy a piece.
        var size = 0
        for name in removed { size += name.utf8.count + 9 }
        for (name, value) in values { size += name.utf8.count + value.utf8.count + 12 + 3 * quotes(in: value) }
        let order = sortedByName(values)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var writer = Writer(buffer: buffer)
            for name in removed {
                writer.write("unset ")
                writer.write(name)
                writer.write(";\n")
            }
            for index in order {
                let (name, value) = values[index]
                writer.write("export ")
                writer.write(name)
                writer.write("='")
                writer.writeSHQuotedContent(value)
                writer.write("';\n")
            }
            count = writer.index
        }
    }

    /// How many `'` bytes `value` holds.
    static func quotes(in value: String) -> Int {
        guard contains(value, 0x27) else { return 0 }
        return value.utf8.reduce(0) { $0 + ($1 == 0x27 ? 1 : 0) }
    }

    /// Bytes written into a buffer sized beforehand.
    struct Writer {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var index = 0

        mutating func write(_ text: StaticString) {
            text.withUTF8Buffer { write($0) }
        }

        mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
            precondition(index + bytes.count <= buffer.count, "the output's size was computed too small")
            UnsafeMutableRawPointer(buffer.baseAddress! + index).copyMemory(from: source, byteCount: bytes.count)
            index += bytes.count
        }

        mutating func write(_ text: String) {
            if text.utf8.withContiguousStorageIfAvailable({ write($0) }) == nil { write(Array(text.utf8)) }
        }

        mutating func write(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { write($0) }
        }

        /// The value between single quotes: each `'` as `'\\''`.
        mutating func writeSHQuotedContent(_ value: String) {
            guard EnvironmentShell.contains(value, 0x27) else { return write(value) }
            var piece: [UInt8] = []
            piece.reserveCapacity(value.utf8.count + 16)
            for byte in value.utf8 {
                if byte == 0x27 { piece.append(contentsOf: "'\\''".utf8) } else { piece.append(byte) }
            }
            write(piece)
        }
    }

    /// The positions of the variables in String's order of their names. When every name is
    /// ASCII (where that order is the order of the bytes), the sort moves plain keys (the names'
    /// first 16 bytes as two integers, and the variable's position) and compares the names
    /// themselves only on a tie; no copy of the variables is made.
    static func sortedByName(_ values: [(name: String, value: String)]) -> [Int] {
        var keys: [SortKey] = []
        keys.reserveCapacity(values.count)
        for index in values.indices {
            var name = values[index].name
            let key = name.withUTF8 { bytes -> SortKey? in
                var high: UInt64 = 0, low: UInt64 = 0
                for offset in 0..<bytes.count {
                    let byte = bytes[offset]
                    if byte >= 0x80 { return nil }
                    if offset < 8 { high |= UInt64(byte) << (56 - 8 * offset) } else if offset < 16 { low |= UInt64(byte) << (56 - 8 * (offset - 8)) }
                }
                return SortKey(high: high, low: low, index: index)
            }
            guard let key else { return values.indices.sorted { values[$0].name < values[$1].name } }
            keys.append(key)
        }
        keys.sort { a, b in
            if a.high != b.high { return a.high < b.high }
            if a.low != b.low { return a.low < b.low }
            return values[a.index].name < values[b.index].name
        }
        return keys.map(\.index)
    }

    /// A name's first 16 bytes as two integers (big-endian: their order is the bytes' order),
    /// and where its element is.
    struct SortKey {
        var high: UInt64, low: UInt64
        var index: Int
    }

    /// The UTF-8 of `text` appended with one copy (not byte by byte).
    static func append(_ text: String, to out: inout [UInt8]) {
        if text.utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil { out.append(contentsOf: text.utf8) }
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
        var result: [UInt8] = []
        result.reserveCapacity(value.utf8.count + 2)
        appendSHQuoted(value, to: &result)
        return String(decoding: result, as: UTF8.self)
    }

    /// `shQuote(value)` appended to `out` as UTF-8 (a `'` byte is always the quote itself:
    /// UTF-8 never uses ASCII bytes inside a longer character).
    static func appendSHQuoted(_ value: String, to out: inout [UInt8]) {
        out.append(0x27)
        if !Self.contains(value, 0x27) {
            append(value, to: &out)
        } else {
            for byte in value.utf8 {
                if byte == 0x27 { out.append(contentsOf: "'\\''".utf8) } else { out.append(byte) }
            }
        }
        out.append(0x27)
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
