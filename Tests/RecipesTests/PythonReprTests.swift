import Basics
import Foundation
import Recipes
import Testing
import TestSupport

/// `RecipeValue.pythonRepr` must be byte-identical to CPython's `repr()`: aliBuild hashes it.
@Suite struct PythonReprTests {
    // MARK: known answers

    @Test(arguments: [
        ("", "''"),
        ("abc", "'abc'"),
        ("it's", "\"it's\""),
        ("say \"hi\"", "'say \"hi\"'"),
        ("it's \"x\"", "'it\\'s \"x\"'"),
        ("back\\slash", "'back\\\\slash'"),
        ("a\nb\tc\rd", "'a\\nb\\tc\\rd'"),
        ("\u{0}\u{1}\u{1F}\u{7F}", "'\\x00\\x01\\x1f\\x7f'"),
        ("\u{80}\u{9F}\u{A0}\u{AD}", "'\\x80\\x9f\\xa0\\xad'"),
        ("é ü 日本 😀", "'é ü 日本 😀'"),
        ("\u{200B}\u{2028}\u{2029}\u{FEFF}\u{3000}", "'\\u200b\\u2028\\u2029\\ufeff\\u3000'"),
        ("\u{E000}\u{378}\u{FFFF}", "'\\ue000\\u0378\\uffff'"),
        ("\u{F0000}\u{10FFFF}\u{E0001}", "'\\U000f0000\\U0010ffff\\U000e0001'"),
        ("$ZLIB_ROOT/lib", "'$ZLIB_ROOT/lib'")
    ])
    func strings(_ text: String, _ repr: String) {
        #expect(RecipeValue.string(text).pythonRepr == repr)
    }

    @Test(arguments: [
        (1e16, "1e+16"), (1e15, "1000000000000000.0"), (9999999999999998.0, "9999999999999998.0"),
        (1e-5, "1e-05"), (1e-4, "0.0001"), (0.00015, "0.00015"), (1.5e-5, "1.5e-05"),
        (0.1, "0.1"), (0.1 + 0.2, "0.30000000000000004"), (123456789.123, "123456789.123"),
        (-0.0, "-0.0"), (0.0, "0.0"), (1.0, "1.0"), (-1.5, "-1.5"), (100.0, "100.0"),
        (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (1e22, "1e+22"), (1.5e300, "1.5e+300"), (123456789012345678.0, "1.2345678901234568e+17"),
        (Double.infinity, "inf"), (-Double.infinity, "-inf"), (Double.nan, "nan")
    ])
    func floats(_ value: Double, _ repr: String) {
        #expect(RecipeValue.float(value).pythonRepr == repr)
    }

    @Test func otherKinds() {
        #expect(RecipeValue.int("-12").pythonRepr == "-12")
        #expect(RecipeValue.int("123456789012345678901234567890").pythonRepr == "123456789012345678901234567890")
        #expect(RecipeValue.bool(true).pythonRepr == "True")
        #expect(RecipeValue.bool(false).pythonRepr == "False")
        #expect(RecipeValue.null.pythonRepr == "None")
        #expect(RecipeValue.date(year: 2024, month: 1, day: 31).pythonRepr == "datetime.date(2024, 1, 31)")
        #expect(RecipeValue.list([]).pythonRepr == "[]")
        #expect(
            RecipeValue.list([.string("a"), .int("1"), .bool(true), .null, .list([.float(0.5)])]).pythonRepr
                == "['a', 1, True, None, [0.5]]")
        #expect(RecipeValue.map(RecipeMap()).pythonRepr == "OrderedDict()")
        let map = RecipeMap([
            .init(key: .string("b"), value: .list([.string("x")])),
            .init(key: .string("a"), value: .int("1"))
        ])
        // aliBuild's loader makes every mapping an OrderedDict, nested ones included.
        #expect(RecipeValue.map(map).pythonRepr == "OrderedDict([('b', ['x']), ('a', 1)])")
    }

    @Test func reprOfParsedHeaderValues() throws {
        let recipe = try Recipe(
            text: """
                package: zlib
                version: v1
                env:
                  A: yes
                  B: 017
                  C: 1e5
                  D: 1.0e+5
                  E: [a, "it's", 2024-01-31]
                  F: ~
                ---
                """, file: "zlib.sh")
        let env = try #require(recipe.header["env"]?.mapValue)
        #expect(
            env.entries.map(\.value.pythonRepr) == [
                "True", "15", "'1e5'", "100000.0", "['a', \"it's\", datetime.date(2024, 1, 31)]", "None"
            ])
    }

    @Test(arguments: [
        ("'\u{301}", "\"'\u{301}\""), ("it'\u{301}s", "\"it'\u{301}s\""), ("'\u{FE0F}", "\"'\u{FE0F}\""),
        ("\"\u{301}'", "'\"\u{301}\\''")
    ])
    func quoteFollowedByAnExtendingScalar(_ text: String, _ repr: String) {
        // CPython looks at code points: "'\u0301" holds a "'" and no '"', so it is double-quoted.
        #expect(RecipeValue.string(text).pythonRepr == repr)
    }

    // MARK: differential against /usr/bin/python3

    /// Characters stable since long before Unicode 14 (so any CPython 3.x agrees on printability).
    static let alphabet: [Unicode.Scalar] =
        Array("abcXYZ019 _-$/.:;,()[]{}%@#!?=+*~`^|<>&".unicodeScalars) + [
            "'", "\"", "\\", "\n", "\t", "\r", "\u{0}", "\u{1}", "\u{7}", "\u{1B}", "\u{1F}", "\u{7F}", "\u{80}", "\u{85}", "\u{9F}",
            "\u{A0}", "\u{AD}", "é", "ü", "ß", "µ", "\u{130}", "日", "本", "😀", "\u{1F1E6}", "\u{1D11E}", "\u{200B}", "\u{200E}",
            "\u{2028}", "\u{2029}", "\u{202E}", "\u{2060}", "\u{3000}", "\u{1680}", "\u{FEFF}", "\u{E000}", "\u{F8FF}", "\u{378}",
            "\u{FFFE}", "\u{FFFF}", "\u{FF26}", "\u{F0000}", "\u{10FFFF}", "\u{E0001}", "\u{0301}", "\u{200D}", "\u{2212}",
            "\u{0660}", "\u{00BD}"
        ] + [0xFDD0, 0xFDEF].map { Unicode.Scalar($0)! }

    /// Scalars that fuse with a preceding quote into one Character; never placed after a quote here
    /// (the combining mark is the disabled test above).
    static let extending: Set<Unicode.Scalar> = ["\u{0301}", "\u{200D}"]

    static func randomString(_ rng: inout SeededGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        let length = Int.random(in: 0...12, using: &rng)
        var previous: Unicode.Scalar?
        for _ in 0..<length {
            var scalar = alphabet.randomElement(using: &rng)!
            if extending.contains(scalar), previous == "'" || previous == "\"" { scalar = "a" }
            // A scalar that prepends to what follows (none in the alphabet) would need the same care.
            scalars.append(scalar)
            previous = scalar
        }
        return String(scalars)
    }

    static let specialFloats: [Double] = [
        1e16, 1e-5, 0.1, 123456789.123, -0.0, 0.0, .leastNonzeroMagnitude, 1.7976931348623157e308, 1e15, 9999999999999998,
        1e-4, 0.00015, 2.2250738585072014e-308, -.leastNonzeroMagnitude, 0.1 + 0.2, 1 / 3, 2.0 / 3, 1e23,
        Double(9_007_199_254_740_993 as Int), Double(123_456_789_012_345_678 as Int),
        -1.5, 100, 1e100, 1.5e-300, .infinity, -.infinity, .nan, 0.5, 3.14159, 6.02e23, 1e21, 1e-7, 12345.678
    ]

    static func randomFloat(_ rng: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0:
            var value: Double
            repeat { value = Double(bitPattern: rng.next()) } while !value.isFinite
            return value
        case 1:
            return Double(Int.random(in: -1_000_000_000...1_000_000_000, using: &rng)) / pow(10, Double(Int.random(in: 0...12, using: &rng)))
        default:
            return Double.random(in: -1e20...1e20, using: &rng) * pow(10, Double(Int.random(in: -30...10, using: &rng)))
        }
    }

    static func randomInt(_ rng: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return String(Int.random(in: -1000...1000, using: &rng))
        case 1: return String(Int64(bitPattern: rng.next()))
        default:
            let digits = (0..<Int.random(in: 20...40, using: &rng)).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
            let trimmed = String(digits.drop(while: { $0 == "0" }))
            return (Bool.random(using: &rng) ? "-" : "") + (trimmed.isEmpty ? "7" : trimmed)
        }
    }

    static func randomValue(_ rng: inout SeededGenerator, depth: Int) -> RecipeValue {
        let kinds = depth >= 3 ? 7 : 9
        switch Int.random(in: 0..<kinds, using: &rng) {
        case 0, 1: return .string(randomString(&rng))
        case 2: return .int(randomInt(&rng))
        case 3: return .float(Bool.random(using: &rng) ? specialFloats.randomElement(using: &rng)! : randomFloat(&rng))
        case 4: return .bool(Bool.random(using: &rng))
        case 5:
            return Bool.random(using: &rng)
                ? .null
                : .date(
                    year: Int.random(in: 1...9999, using: &rng),
                    month: Int.random(in: 1...12, using: &rng),
                    day: Int.random(in: 1...28, using: &rng))
        case 6: return .string(randomString(&rng) + "'" + randomString(&rng))
        case 7:
            return .list((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var map = RecipeMap()
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                map[.string(randomString(&rng)), line: 0] = randomValue(&rng, depth: depth + 1)
            }
            return .map(map)
        }
    }

    static func generatedValues() -> [RecipeValue] {
        var rng = SeededGenerator(seed: 20_240_131)
        var values: [RecipeValue] = specialFloats.map(RecipeValue.float)
        values += alphabet.map { .string(String($0)) }
        values += ["'", "\"", "'\"", "\\'", "it's", "\"quoted\"", "a'b\"c"].map(RecipeValue.string)
        values += [.list([]), .list([.list([.list([])])]), .map(RecipeMap())]
        for _ in 0..<400 { values.append(randomValue(&rng, depth: 0)) }
        return values
    }

    /// Tagged JSON the Python side turns back into exactly these values (floats travel as bit patterns).
    static func json(_ value: RecipeValue) -> String {
        switch value {
        case let .string(text): return "{\"s\":\(jsonString(text))}"
        case let .int(digits): return "{\"i\":\"\(digits)\"}"
        case let .float(number):
            let hex = String(number.bitPattern, radix: 16)
            return "{\"f\":\"\(String(repeating: "0", count: 16 - hex.count) + hex)\"}"
        case let .bool(flag): return flag ? "true" : "false"
        case .null: return "null"
        case let .date(year, month, day): return "{\"d\":[\(year),\(month),\(day)]}"
        case .datetime: preconditionFailure("timestamps are not generated; PyYAMLScalarTests compares them with PyYAML")
        case let .list(items): return "[" + items.map(json).joined(separator: ",") + "]"
        case let .map(map):
            return "{\"m\":[" + map.entries.map { "[\(json($0.key)),\(json($0.value))]" }.joined(separator: ",") + "]}"
        }
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    static let pythonScript = """
        import sys, json, struct, datetime, collections
        def dec(x):
            if isinstance(x, list):
                return [dec(i) for i in x]
            if isinstance(x, dict):
                (k, v), = x.items()
                if k == "s": return v
                if k == "i": return int(v)
                if k == "f": return struct.unpack(">d", bytes.fromhex(v))[0]
                if k == "d": return datetime.date(*v)
                if k == "m": return collections.OrderedDict((dec(a), dec(b)) for a, b in v)
                raise ValueError(k)
            return x
        values = json.load(sys.stdin)
        json.dump([repr(dec(v)) for v in values], sys.stdout)
        """

    static let pythonAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    /// Runs CPython once over the whole batch.
    static func pythonReprs(of values: [RecipeValue]) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", pythonScript]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.start()
        let payload = "[" + values.map(json).joined(separator: ",\n") + "]"
        try input.fileHandleForWriting.write(contentsOf: Data(payload.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 failed")
        return try JSONDecoder().decode([String].self, from: data)
    }

    @Test(.enabled(if: pythonAvailable, "needs /usr/bin/python3"))
    func agreesWithCPythonOnGeneratedValues() throws {
        let values = Self.generatedValues()
        #expect(values.count > 450)
        let expected = try Self.pythonReprs(of: values)
        try #require(expected.count == values.count)
        var mismatches = 0
        for (value, python) in zip(values, expected) where value.pythonRepr != python {
            mismatches += 1
            Issue.record("repr mismatch for \(value)\n  python: \(python)\n  swift:  \(value.pythonRepr)")
        }
        #expect(mismatches == 0)
    }

    @Test(.enabled(if: pythonAvailable, "needs /usr/bin/python3"))
    func agreesWithCPythonOnRandomDoubles() throws {
        var rng = SeededGenerator(seed: 7)
        var values: [RecipeValue] = []
        for _ in 0..<300 {
            var value: Double
            repeat { value = Double(bitPattern: rng.next()) } while !value.isFinite
            values.append(.float(value))
        }
        for exponent in -330...310 { values.append(.float(pow(10, Double(exponent)))) }
        let expected = try Self.pythonReprs(of: values)
        try #require(expected.count == values.count)
        let mismatches = zip(values, expected).filter { $0.0.pythonRepr != $0.1 }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20).map { "\($0.0): python \($0.1), swift \($0.0.pythonRepr)" })")
    }
}
