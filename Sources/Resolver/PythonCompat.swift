import Foundation

/// The few pieces of Python semantics that aliBuild's resolution depends on:
/// `re.match` / `re.fullmatch`, `%`-formatting with a mapping, `shlex.quote`,
/// `str.strip()` and `os.path.basename`.
struct PatternMatcher {
    enum Failure: Error {
        case invalid(pattern: String, reason: String)
    }

    private var cache: [String: Regex<AnyRegexOutput>] = [:]

    /// `re.match(pattern, text)`: a match anchored at the start only.
    mutating func matchesPrefix(_ pattern: String, _ text: String) throws(Failure) -> Bool {
        // The patterns recipes use most need no regex engine.
        if pattern == ".*" || pattern.isEmpty { return true }
        if pattern == "(?!.*)" { return false }
        if Self.isLiteral(pattern) { return text.unicodeScalars.starts(with: pattern.unicodeScalars) }
        let regex = try compiled(pattern)
        do { return try regex.prefixMatch(in: text) != nil } catch {
            throw .invalid(pattern: pattern, reason: "\(error)")
        }
    }

    /// `re.fullmatch(pattern, text)`.
    mutating func matchesWhole(_ pattern: String, _ text: String) throws(Failure) -> Bool {
        if Self.isLiteral(pattern) { return pattern.unicodeScalars.elementsEqual(text.unicodeScalars) }
        let regex = try compiled(pattern)
        do { return try regex.wholeMatch(in: text) != nil } catch {
            throw .invalid(pattern: pattern, reason: "\(error)")
        }
    }

    private mutating func compiled(_ pattern: String) throws(Failure) -> Regex<AnyRegexOutput> {
        if let regex = cache[pattern] { return regex }
        do {
            let regex = try Regex(Self.translate(pattern)).matchingSemantics(.unicodeScalar)
            cache[pattern] = regex
            return regex
        } catch {
            throw .invalid(pattern: pattern, reason: "\(error)")
        }
    }

    /// Whether a pattern matches only its own text: letters, digits, `_`, `-`, `=`, `,`, `/`,
    /// `@`, `%`, `:`, `#`, `!`, `~`, `'`, `"`, `<`, `>`, `&`, `;` and spaces have no regex meaning.
    static func isLiteral(_ pattern: String) -> Bool {
        pattern.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || literalPunctuation.contains(byte)
        }
    }

    private static let literalPunctuation = Set("_-=,/@%:#!~'\"<>&; ".utf8)

    /// Python-only spellings → the syntax Swift's regex engine reads.
    static func translate(_ pattern: String) -> String {
        pattern.replacingOccurrences(of: "(?P<", with: "(?<")
            .replacingOccurrences(of: "\\Z", with: "\\z")
    }
}

public enum PythonFormat {
    enum Failure: Error, Equatable {
        case missingKey(String)
        case unsupported(String)
    }

    /// `template % mapping` for the conversions recipes use: `%(key)s`, `%(key)r`, `%%`.
    static func format(_ template: String, _ values: [String: String]) throws(Failure) -> String {
        guard template.contains("%") else { return template }
        var out = ""
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            guard character == "%" else {
                out.append(character)
                index = template.index(after: index)
                continue
            }
            let next = template.index(after: index)
            guard next < template.endIndex else { throw .unsupported("incomplete format: a lone '%' at the end") }
            if template[next] == "%" {
                out.append("%")
                index = template.index(after: next)
                continue
            }
            guard template[next] == "(", let close = template[next...].firstIndex(of: ")") else {
                throw .unsupported("only %(name)s placeholders and %% are supported")
            }
            let key = String(template[template.index(after: next)..<close])
            let conversionIndex = template.index(after: close)
            guard conversionIndex < template.endIndex else { throw .unsupported("incomplete format after %(\(key))") }
            guard let value = values[key] else { throw .missingKey(key) }
            switch template[conversionIndex] {
            case "s": out += value
            case "r": out += RecipeReprBridge.stringRepr(value)
            default: throw .unsupported("conversion %(\(key))\(template[conversionIndex]) is not supported; use %(\(key))s")
            }
            index = template.index(after: conversionIndex)
        }
        return out
    }

    /// `shlex.quote`.
    public static func shellQuote(_ text: String) -> String {
        if text.isEmpty { return "''" }
        let safe = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_@%+=:,./-".unicodeScalars.contains(scalar))
        }
        if safe { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\"'\"'") + "'"
    }

    /// `str.strip()` with no argument: Unicode whitespace on both ends.
    static func strip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }

    /// `os.path.basename`: the part after the last `/`.
    static func basename(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

import Recipes

/// `repr()` of a plain string, shared with the hash inputs.
enum RecipeReprBridge {
    static func stringRepr(_ text: String) -> String { RecipeValue.string(text).pythonRepr }
}
