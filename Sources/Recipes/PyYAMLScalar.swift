/// PyYAML's SafeLoader scalar semantics (YAML 1.1): which plain scalars become bools, ints,
/// floats, nulls and dates, and how explicitly tagged scalars are constructed.
/// Written from PyYAML's resolver patterns and constructors, so that aliBuild's hash inputs
/// (Python reprs of these values) come out the same.
enum PyYAMLScalar {
    enum Failure: Error, Equatable {
        /// PyYAML would refuse this scalar; the text says why.
        case unsupported(String)
    }

    static let yamlTag = "tag:yaml.org,2002:"

    /// An untagged plain scalar.
    static func resolvePlain(_ text: String) throws(Failure) -> RecipeValue {
        if let value = boolValues[text] { return .bool(value) }
        if isFloat(text) { return try .float(constructFloat(text)) }
        if isInt(text) { return try .int(constructInt(text)) }
        if text == "<<" { throw .unsupported("YAML merge keys ('<<') are not supported") }
        if ["", "~", "null", "Null", "NULL"].contains(text) { return .null }
        if let date = try matchTimestamp(text) { return date }
        if text == "=" { throw .unsupported("a plain '=' is a YAML 1.1 value key, which PyYAML's SafeLoader refuses") }
        return .string(text)
    }

    /// A scalar with an explicit tag such as `!!int 12` or `!!str yes`.
    static func construct(_ text: String, tag: String) throws(Failure) -> RecipeValue {
        guard tag.hasPrefix(yamlTag) else {
            throw .unsupported("tag '\(tag)' has no constructor in PyYAML's SafeLoader")
        }
        switch tag.dropFirst(yamlTag.count) {
        case "str": return .string(text)
        case "int": return try .int(constructInt(text))
        case "float": return try .float(constructFloat(text))
        case "bool":
            guard let value = boolValues[text.lowercased()] else { throw .unsupported("'\(text)' is not a boolean") }
            return .bool(value)
        case "null": return .null
        case "timestamp":
            guard let date = try matchTimestamp(text) else { throw .unsupported("'\(text)' is not a timestamp") }
            return date
        default:
            throw .unsupported("tag '\(tag)' is not supported in recipes")
        }
    }

    // MARK: bool

    private static let boolValues: [String: Bool] = [
        "yes": true, "no": false, "true": true, "false": false, "on": true, "off": false,
        "Yes": true, "No": false, "True": true, "False": false, "On": true, "Off": false,
        "YES": true, "NO": false, "TRUE": true, "FALSE": false, "ON": true, "OFF": false,
    ]

    // MARK: numbers

    private static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }

    /// Splits an optional leading sign.
    private static func unsigned(_ text: Substring) -> Substring {
        text.first == "-" || text.first == "+" ? text.dropFirst() : text
    }

    /// `[0-9][0-9_]*`
    private static func isDigitRun(_ text: Substring) -> Bool {
        guard let first = text.first, isDigit(first) else { return false }
        return text.allSatisfy { isDigit($0) || $0 == "_" }
    }

    /// `(:[0-5]?[0-9])+` after a leading digit run.
    private static func isSexagesimalTail(_ parts: [Substring]) -> Bool {
        guard parts.count >= 2 else { return false }
        return parts.dropFirst().allSatisfy { part in
            guard (1...2).contains(part.count), part.allSatisfy(isDigit) else { return false }
            return part.count == 1 || part.first! <= "5"
        }
    }

    static func isFloat(_ text: String) -> Bool {
        let body = Substring(text)
        if [".inf", ".Inf", ".INF"].contains(String(unsigned(body))) { return true }
        if [".nan", ".NaN", ".NAN"].contains(text) { return true }
        // Mantissa and the optional exponent `[eE][-+][0-9]+` (the sign is mandatory).
        var mantissa = body
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let exponent = body[body.index(after: e)...]
            guard let sign = exponent.first, sign == "+" || sign == "-",
                  exponent.count > 1, exponent.dropFirst().allSatisfy(isDigit) else { return false }
            mantissa = body[..<e]
        }
        guard let dot = mantissa.firstIndex(of: ".") else { return false }
        let fraction = mantissa[mantissa.index(after: dot)...]
        guard fraction.allSatisfy({ isDigit($0) || $0 == "_" }) else { return false }
        let integer = mantissa[..<dot]
        if integer.isEmpty {
            // `\.[0-9][0-9_]*` (no sign allowed here)
            return mantissa.startIndex == body.startIndex && fraction.first.map(isDigit) == true
        }
        let unsignedInteger = unsigned(integer)
        if isDigitRun(unsignedInteger) { return true }
        // Sexagesimal `[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`, never with an exponent.
        let parts = unsignedInteger.split(separator: ":", omittingEmptySubsequences: false)
        return mantissa.endIndex == body.endIndex && isDigitRun(parts[0]) && isSexagesimalTail(parts)
    }

    static func isInt(_ text: String) -> Bool {
        let body = unsigned(Substring(text))
        guard !body.isEmpty else { return false }
        if body.hasPrefix("0b") { return body.count > 2 && body.dropFirst(2).allSatisfy { "01_".contains($0) } }
        if body.hasPrefix("0x") { return body.count > 2 && body.dropFirst(2).allSatisfy { $0.isHexDigit || $0 == "_" } }
        if body == "0" { return true }
        if body.first == "0" { return body.count > 1 && body.dropFirst().allSatisfy { ("0"..."7").contains($0) || $0 == "_" } }
        if isDigitRun(body) { return true }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        return parts[0].first != "0" && isDigitRun(parts[0]) && isSexagesimalTail(parts)
    }

    /// PyYAML's `construct_yaml_int`, producing decimal text of any size.
    static func constructInt(_ text: String) throws(Failure) -> String {
        var value = text.replacingOccurrences(of: "_", with: "")
        var negative = false
        if value.first == "-" { negative = true }
        if value.first == "-" || value.first == "+" { value.removeFirst() }
        let magnitude: String?
        if value == "0" {
            return "0"
        } else if value.hasPrefix("0b") {
            magnitude = Decimal.fromDigits(value.dropFirst(2), base: 2)
        } else if value.hasPrefix("0x") {
            magnitude = Decimal.fromDigits(value.dropFirst(2), base: 16)
        } else if value.first == "0" {
            magnitude = Decimal.fromDigits(value.dropFirst(), base: 8)
        } else if value.contains(":") {
            var total = "0"
            for part in value.split(separator: ":", omittingEmptySubsequences: false) {
                guard let digits = Decimal.fromDigits(part, base: 10) else { throw .unsupported("'\(text)' is not an integer") }
                total = Decimal.add(Decimal.multiply(total, by: 60), digits)
            }
            magnitude = total
        } else {
            magnitude = Decimal.fromDigits(Substring(value), base: 10)
        }
        guard let magnitude else { throw .unsupported("'\(text)' is not an integer") }
        return negative && magnitude != "0" ? "-" + magnitude : magnitude
    }

    /// PyYAML's `construct_yaml_float`.
    static func constructFloat(_ text: String) throws(Failure) -> Double {
        var value = text.replacingOccurrences(of: "_", with: "").lowercased()
        var sign = 1.0
        if value.first == "-" { sign = -1 }
        if value.first == "-" || value.first == "+" { value.removeFirst() }
        if value == ".inf" { return sign * .infinity }
        if value == ".nan" { return .nan }
        if value.contains(":") {
            var total = 0.0
            for part in value.split(separator: ":", omittingEmptySubsequences: false) {
                guard let number = pythonFloat(String(part)) else { throw .unsupported("'\(text)' is not a float") }
                total = total * 60 + number
            }
            return sign * total
        }
        guard let number = pythonFloat(value) else { throw .unsupported("'\(text)' is not a float") }
        return sign * number
    }

    /// Python's `float()` on the digit forms YAML allows (`1.`, `.5`, `1.e+3`).
    private static func pythonFloat(_ text: String) -> Double? {
        var normalized = text
        if normalized.hasPrefix(".") { normalized = "0" + normalized }
        if let dot = normalized.firstIndex(of: ".") {
            let next = normalized.index(after: dot)
            if next == normalized.endIndex || normalized[next] == "e" { normalized.insert("0", at: next) }
        }
        return Double(normalized)
    }

    // MARK: timestamps

    /// A date-only timestamp becomes `datetime.date`; one with a time is refused (no recipe uses it).
    private static func matchTimestamp(_ text: String) throws(Failure) -> RecipeValue? {
        let scalars = Array(text.unicodeScalars)
        let digit: (Unicode.Scalar) -> Bool = { $0.value >= 48 && $0.value <= 57 }
        if scalars.count == 10, scalars[4] == "-", scalars[7] == "-",
           [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy({ digit(scalars[$0]) }) {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
                throw .unsupported("'\(text)' looks like a date but is not a valid one")
            }
            return .date(year: parts[0], month: parts[1], day: parts[2])
        }
        if scalars.count > 10, scalars.prefix(4).allSatisfy(digit), scalars[4] == "-",
           text.contains(":"), text.dropFirst(5).first.map({ $0.isNumber }) == true {
            throw .unsupported("'\(text)' is a YAML timestamp with a time; quote it to keep it a string")
        }
        return nil
    }
}

/// Unsigned decimal-text arithmetic for integers of any size (PyYAML ints are unbounded).
enum Decimal {
    static func fromDigits(_ digits: Substring, base: Int) -> String? {
        guard !digits.isEmpty else { return nil }
        var total = "0"
        for character in digits {
            guard let digit = character.hexDigitValue, digit < base else { return nil }
            total = add(multiply(total, by: base), String(digit))
        }
        return total
    }

    static func multiply(_ number: String, by factor: Int) -> String {
        var result: [UInt8] = []
        var carry = 0
        for character in number.utf8.reversed() {
            let product = Int(character - 48) * factor + carry
            result.append(UInt8(product % 10) + 48)
            carry = product / 10
        }
        while carry > 0 {
            result.append(UInt8(carry % 10) + 48)
            carry /= 10
        }
        return normalized(result)
    }

    static func add(_ lhs: String, _ rhs: String) -> String {
        let a = Array(lhs.utf8.reversed()), b = Array(rhs.utf8.reversed())
        var result: [UInt8] = []
        var carry = 0
        for index in 0..<max(a.count, b.count) {
            let sum = (index < a.count ? Int(a[index] - 48) : 0) + (index < b.count ? Int(b[index] - 48) : 0) + carry
            result.append(UInt8(sum % 10) + 48)
            carry = sum / 10
        }
        if carry > 0 { result.append(UInt8(carry) + 48) }
        return normalized(result)
    }

    private static func normalized(_ reversedDigits: [UInt8]) -> String {
        var digits = reversedDigits
        while digits.count > 1 && digits.last == 48 { digits.removeLast() }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}
