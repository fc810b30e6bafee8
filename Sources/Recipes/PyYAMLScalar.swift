import Foundation

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
        // PyYAML picks implicit resolvers by the first character; nothing else can be typed.
        guard let first = text.utf8.first else { return .null }
        guard firstCharacters.contains(first) else { return .string(text) }
        // Every implicit type's pattern is ASCII: anything else stays a string.
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return .string(text) }
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
            guard let date = try matchTimestamp(text, explicit: true) else { throw .unsupported("'\(text)' is not a timestamp") }
            return date
        default:
            throw .unsupported("tag '\(tag)' is not supported in recipes")
        }
    }

    /// First characters of PyYAML's implicit resolvers (bool, float, int, merge, null,
    /// timestamp, value).
    private static let firstCharacters = Set("yYnNtTfFoO-+0123456789.<~=".utf8)

    // MARK: bool

    private static let boolValues: [String: Bool] = [
        "yes": true, "no": false, "true": true, "false": false, "on": true, "off": false,
        "Yes": true, "No": false, "True": true, "False": false, "On": true, "Off": false,
        "YES": true, "NO": false, "TRUE": true, "FALSE": false, "ON": true, "OFF": false
    ]

    // MARK: numbers

    private static func isDigit(_ c: Character) -> Bool { c.isASCII && c >= "0" && c <= "9" }

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
                exponent.count > 1, exponent.dropFirst().allSatisfy(isDigit)
            else { return false }
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
        if body.hasPrefix("0x") { return body.count > 2 && body.dropFirst(2).allSatisfy { $0.isASCII && $0.isHexDigit || $0 == "_" } }
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
        } else if value.hasPrefix("0o") {
            magnitude = Decimal.fromDigits(value.dropFirst(2), base: 8)
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
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ".eE+-".unicodeScalars.contains($0) }) else {
            return nil
        }
        var normalized = text
        if normalized.hasPrefix(".") { normalized = "0" + normalized }
        if let dot = normalized.firstIndex(of: ".") {
            let next = normalized.index(after: dot)
            if next == normalized.endIndex || normalized[next] == "e" { normalized.insert("0", at: next) }
        }
        return Double(normalized)
    }

    // MARK: timestamps

    /// PyYAML's timestamp: a date alone becomes `datetime.date`, a date with a time
    /// `datetime.datetime` (with a `datetime.timezone` when an offset or `Z` is given).
    private static func matchTimestamp(_ text: String, explicit: Bool = false) throws(Failure) -> RecipeValue? {
        guard let parts = TimestampParts(text, explicit: explicit) else { return nil }
        guard parts.year >= 1 else { throw .unsupported("'\(text)': year 0 is out of range; quote it to keep it a string") }
        guard (1...12).contains(parts.month), (1...daysIn(parts.month, parts.year)).contains(parts.day) else {
            throw .unsupported("'\(text)' looks like a date but is not a valid one; quote it to keep it a string")
        }
        guard let hour = parts.hour else { return .date(year: parts.year, month: parts.month, day: parts.day) }
        guard hour < 24, parts.minute < 60, parts.second < 60 else {
            throw .unsupported("'\(text)' looks like a timestamp but is not a valid one; quote it to keep it a string")
        }
        // str(): "YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]"
        var text =
            RecipeValue.pad(parts.year, 4) + "-" + RecipeValue.pad(parts.month, 2) + "-" + RecipeValue.pad(parts.day, 2)
            + " " + RecipeValue.pad(hour, 2) + ":" + RecipeValue.pad(parts.minute, 2) + ":" + RecipeValue.pad(parts.second, 2)
        if parts.microsecond != 0 { text += "." + RecipeValue.pad(parts.microsecond, 6) }
        if let offset = parts.offsetMinutes {
            text += (offset < 0 ? "-" : "+") + RecipeValue.pad(abs(offset) / 60, 2) + ":" + RecipeValue.pad(abs(offset) % 60, 2)
        }
        var fields = [parts.year, parts.month, parts.day, hour, parts.minute, parts.second, parts.microsecond]
        for _ in 0..<2 where fields.last == 0 { fields.removeLast() }
        var repr = "datetime.datetime(" + fields.map(String.init).joined(separator: ", ")
        if let offsetMinutes = parts.offsetMinutes {
            guard abs(offsetMinutes) < 24 * 60 else {
                throw .unsupported("'\(text)': a time zone offset must be less than 24 hours")
            }
            if offsetMinutes == 0 {
                repr += ", tzinfo=datetime.timezone.utc"
            } else {
                // timedelta normalises to days and 0 <= seconds < 86400.
                let seconds = offsetMinutes * 60
                let days = Int((Double(seconds) / 86400).rounded(.down))
                let rest = seconds - days * 86400
                var args: [String] = []
                if days != 0 { args.append("days=\(days)") }
                if rest != 0 { args.append("seconds=\(rest)") }
                repr += ", tzinfo=datetime.timezone(datetime.timedelta(\(args.joined(separator: ", "))))"
            }
        }
        return .datetime(repr: repr + ")", text: text)
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The fields of PyYAML's timestamp pattern, when `text` matches it.
    private struct TimestampParts {
        var year = 0, month = 0, day = 0
        var hour: Int?
        var minute = 0, second = 0, microsecond = 0
        /// nil without a zone; 0 for `Z`.
        var offsetMinutes: Int?

        /// `explicit`: a `!!timestamp` tag, whose constructor also takes one-digit month and day alone.
        init?(_ text: String, explicit: Bool) {
            var scanner = Scanner(Array(text.unicodeScalars))
            guard let year = scanner.digits(4...4), scanner.take("-"), let month = scanner.digits(1...2),
                scanner.take("-"), let day = scanner.digits(1...2)
            else { return nil }
            self.year = year
            self.month = month
            self.day = day
            if scanner.atEnd {
                // The date-only form needs two-digit month and day.
                guard explicit || text.count == 10 else { return nil }
                return
            }
            guard scanner.take("T") || scanner.take("t") || scanner.skipBlanks() > 0 else { return nil }
            guard let hour = scanner.digits(1...2), scanner.take(":"), let minute = scanner.digits(2...2),
                scanner.take(":"), let second = scanner.digits(2...2)
            else { return nil }
            self.hour = hour
            self.minute = minute
            self.second = second
            if scanner.take(".") {
                var fraction = scanner.digitText()
                fraction = String(fraction.prefix(6))
                while fraction.count < 6 { fraction += "0" }
                microsecond = Int(fraction) ?? 0
            }
            _ = scanner.skipBlanks()
            if scanner.take("Z") {
                offsetMinutes = 0
            } else if let sign = scanner.sign() {
                guard let zoneHour = scanner.digits(1...2) else { return nil }
                var zoneMinute = 0
                if scanner.take(":") {
                    guard let minutes = scanner.digits(2...2) else { return nil }
                    zoneMinute = minutes
                }
                offsetMinutes = sign * (zoneHour * 60 + zoneMinute)
            }
            guard scanner.atEnd else { return nil }
        }
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { index == scalars.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < scalars.count, scalars[index] == character else { return false }
            index += 1
            return true
        }

        mutating func skipBlanks() -> Int {
            let start = index
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
            return index - start
        }

        mutating func sign() -> Int? {
            if take("+") { return 1 }
            if take("-") { return -1 }
            return nil
        }

        mutating func digitText() -> String {
            var text = ""
            while index < scalars.count, ("0"..."9").contains(scalars[index]) {
                text.unicodeScalars.append(scalars[index])
                index += 1
            }
            return text
        }

        /// Between `count.lowerBound` and `count.upperBound` digits (greedy), as a number.
        mutating func digits(_ count: ClosedRange<Int>) -> Int? {
            let start = index
            while index < scalars.count, index - start < count.upperBound, ("0"..."9").contains(scalars[index]) { index += 1 }
            guard index - start >= count.lowerBound else {
                index = start
                return nil
            }
            return Int(String(String.UnicodeScalarView(scalars[start..<index])))
        }
    }
}

/// Unsigned decimal-text arithmetic for integers of any size (PyYAML ints are unbounded).
enum Decimal {
    static func fromDigits(_ digits: Substring, base: Int) -> String? {
        guard !digits.isEmpty else { return nil }
        var total = "0"
        for character in digits {
            guard character.isASCII, let digit = character.hexDigitValue, digit < base else { return nil }
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
