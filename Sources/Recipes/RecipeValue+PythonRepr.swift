import Foundation

extension RecipeValue {
    /// Python 3's `repr()` of the value PyYAML would have built, byte for byte:
    /// `'a'`, `"it's"`, `['a', 1, True, None]`, `1e+16`, `datetime.date(2024, 1, 31)`.
    /// aliBuild feeds these into the package hash.
    public var pythonRepr: String {
        switch self {
        case let .string(text): Self.pythonStringRepr(text)
        case let .int(digits): digits
        case let .float(value): Self.pythonFloatRepr(value)
        case let .bool(value): value ? "True" : "False"
        case .null: "None"
        case let .date(year, month, day): "datetime.date(\(year), \(month), \(day))"
        case let .datetime(repr, _): repr
        case let .list(items): "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case let .map(map):
            // aliBuild's loader builds every mapping as an OrderedDict (Python 3.11 repr).
            map.isEmpty
                ? "OrderedDict()"
                : "OrderedDict([" + map.entries.map { "(\($0.key.pythonRepr), \($0.value.pythonRepr))" }.joined(separator: ", ") + "])"
        }
    }

    /// Python 3's `str()`: the text of a string, ISO dates for dates, the repr of the rest.
    public var pythonStr: String {
        switch self {
        case let .string(text): text
        case let .date(year, month, day): Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
        case let .datetime(_, text): text
        default: pythonRepr
        }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `repr(str)`: single quotes unless the text has a `'` and no `"`; backslash escapes for
    /// `\\`, `\n`, `\r`, `\t`, the quote in use, and every non-printable character.
    static func pythonStringRepr(_ text: String) -> String {
        // Printable ASCII without a backslash and without both quotes (nearly every recipe
        // string): the text as it is, between the quote Python picks.
        var hasSingle = false, hasDouble = false, plain = true
        for byte in text.utf8 {
            if byte < 0x20 || byte > 0x7E || byte == 0x5C { plain = false; break }
            if byte == 0x27 { hasSingle = true } else if byte == 0x22 { hasDouble = true }
        }
        if plain, !(hasSingle && hasDouble) {
            let quote = hasSingle ? "\"" : "'"
            return quote + text + quote
        }
        let scalars = text.unicodeScalars
        let useDouble = scalars.contains("'") && !scalars.contains("\"")
        let quote: Unicode.Scalar = useDouble ? "\"" : "'"
        var out = String(quote)
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar == quote {
                    out += "\\" + String(quote)
                } else if isPythonPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x100 {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        out.unicodeScalars.append(quote)
        return out
    }

    /// `str.isprintable()` for one character: everything but the "Other" and "Separator"
    /// general categories, except the ASCII space.
    static func isPythonPrintable(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII: space to "~" (no general-category look-up for the common case).
        if scalar.value < 0x80 { return scalar.value >= 0x20 && scalar.value < 0x7F }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
            .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `repr(float)`: the shortest text that reads back to the same double, in fixed
    /// notation when the decimal exponent is in -4..<16, otherwise scientific
    /// with a sign and at least two exponent digits (`1e+16`, `1.5e-05`).
    static func pythonFloatRepr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description is also shortest-round-trip; take its digits and exponent.
        let (negative, digits, exponent) = shortestDigits(value)
        let sign = negative ? "-" : ""
        // `exponent` is the position of the decimal point relative to the digit string:
        // value = 0.d1d2d3... × 10^exponent. Python's decimal exponent is exponent - 1.
        let decimalExponent = exponent - 1
        if decimalExponent >= -4 && decimalExponent < 16 {
            if exponent <= 0 {
                return sign + "0." + String(repeating: "0", count: -exponent) + digits
            } else if exponent >= digits.count {
                return sign + digits + String(repeating: "0", count: exponent - digits.count) + ".0"
            } else {
                let split = digits.index(digits.startIndex, offsetBy: exponent)
                return sign + digits[..<split] + "." + digits[split...]
            }
        }
        var mantissa = String(digits.prefix(1))
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let expSign = decimalExponent < 0 ? "-" : "+"
        let expDigits = String(abs(decimalExponent))
        return sign + mantissa + "e" + expSign + (expDigits.count < 2 ? "0" + expDigits : expDigits)
    }

    /// The shortest round-trip decimal digits of a finite non-zero double, without leading
    /// or trailing zeros, and the exponent such that value = 0.DIGITS × 10^exponent.
    private static func shortestDigits(_ value: Double) -> (negative: Bool, digits: String, exponent: Int) {
        var text = "\(abs(value))"  // e.g. "1234.5", "1e-07", "1.5e+20", "0.001"
        var exponentPart = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponentPart = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var integer = text, fraction = ""
        if let dot = text.firstIndex(of: ".") {
            integer = String(text[..<dot])
            fraction = String(text[text.index(after: dot)...])
        }
        var digits = integer + fraction
        var exponent = integer.count + exponentPart
        while digits.first == "0" {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { digits = "0" }
        return (value < 0, digits, exponent)
    }
}
