import Basics
import Foundation
@testable import Recipes
import Testing

/// PyYAML SafeLoader (YAML 1.1) typing of header scalars, checked through whole recipes, through
/// the internal resolver, and differentially against the real PyYAML when it is installed.
@Suite struct PyYAMLScalarTests {
    /// The value of `v:` when the header line is `v: <yaml>`, parsed as a whole recipe.
    static func headerValue(_ yaml: String) throws -> RecipeValue? {
        let recipe = try Recipe(text: "package: zlib\nversion: v1\nv: \(yaml)\n---\n", file: "zlib.sh")
        return recipe.header["v"]
    }

    // MARK: bools

    @Test(arguments: [
        ("yes", true), ("Yes", true), ("YES", true), ("no", false), ("No", false), ("NO", false),
        ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false),
        ("on", true), ("On", true), ("ON", true), ("off", false), ("Off", false), ("OFF", false)
    ])
    func bools(_ text: String, _ expected: Bool) throws {
        #expect(try Self.headerValue(text) == .bool(expected))
        #expect(try PyYAMLScalar.resolvePlain(text) == .bool(expected))
    }

    @Test(arguments: ["yEs", "nO", "tRUE", "oN", "y", "n", "Y", "N", "yes!", "truex", "enabled"])
    func boolLookalikesAreStrings(_ text: String) throws {
        #expect(try Self.headerValue(text) == .string(text))
    }

    // MARK: ints

    @Test(arguments: [
        ("0", "0"), ("-12", "-12"), ("+12", "12"), ("-0", "0"), ("42", "42"),
        ("0x1F", "31"), ("0x1f", "31"), ("-0x1F", "-31"), ("0x_1F", "31"),
        ("0b101", "5"), ("-0b11", "-3"), ("0b1_0", "2"),
        ("017", "15"), ("-017", "-15"), ("0_1", "1"), ("00", "0"),
        ("1_000", "1000"), ("1__", "1"), ("1_000_000", "1000000"),
        ("1:20", "80"), ("-1:20", "-80"), ("12:5", "725"), ("1:20:30", "4830"), ("190:20:30", "685230"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("-123456789012345678901234567890", "-123456789012345678901234567890"),
        ("0xFFFFFFFFFFFFFFFFFFFF", "1208925819614629174706175"),
        ("9223372036854775808", "9223372036854775808")
    ])
    func ints(_ text: String, _ expected: String) throws {
        #expect(try Self.headerValue(text) == .int(expected))
        #expect(try PyYAMLScalar.resolvePlain(text).pythonRepr == expected)
    }

    // MARK: floats

    @Test(arguments: [
        ("1.0", 1.0), ("1.", 1.0), (".5", 0.5), ("0.", 0.0), ("00.5", 0.5), ("-1.5e+3", -1500.0), ("1.0e+5", 100000.0),
        ("1.5E-3", 0.0015), (".5e+1", 5.0), ("+1.5", 1.5), ("1_0.5", 10.5), (".5_", 0.5), ("1.e+3", 1000.0),
        ("190:20:30.15", 685230.15), ("1:2:3.5", 3723.5), ("-1:30.5", -90.5),
        ("3.14159", 3.14159), ("6.02e+23", 6.02e23)
    ])
    func floats(_ text: String, _ expected: Double) throws {
        #expect(try Self.headerValue(text) == .float(expected))
    }

    @Test(arguments: [
        (".inf", "inf"), (".Inf", "inf"), (".INF", "inf"), ("+.inf", "inf"),
        ("-.inf", "-inf"), ("-.Inf", "-inf"), ("-.INF", "-inf"),
        (".nan", "nan"), (".NaN", "nan"), (".NAN", "nan")
    ])
    func specialFloats(_ text: String, _ repr: String) throws {
        let value = try #require(try Self.headerValue(text))
        guard case let .float(number) = value else {
            Issue.record("\(text) gave \(value)")
            return
        }
        #expect(repr == "nan" ? number.isNaN : number.isInfinite)
        #expect(value.pythonRepr == repr)
    }

    // MARK: strings that look like numbers

    @Test(arguments: [
        "1e5", "1.0e5", "1.0E5", "1.0e+", "09", "-.5", "+.5", "._5", "0o17", "1:60", "0:30", "0x", "0b", "0b2", "0x1G",
        "1.2.3", "v1", "_1", ".", "+", "-.", ".inf.", "inf", "nan", "-nan", ".Nan", "1_000e5", "2024-1-31",
        "v6-32-06", "6-32-06", "1.2-3", "0x1F.5", "1,000", "1 000", ":12", "2024-01-31T10:00"
    ])
    func numberLookalikesAreStrings(_ text: String) throws {
        #expect(try Self.headerValue(text) == .string(text))
    }

    // MARK: nulls

    @Test(arguments: ["~", "null", "Null", "NULL", ""])
    func nulls(_ text: String) throws {
        #expect(try Self.headerValue(text) == .null)
    }

    @Test(arguments: ["nULL", "nil", "None", "none", "~~"])
    func nullLookalikesAreStrings(_ text: String) throws {
        #expect(try Self.headerValue(text) == .string(text))
    }

    // MARK: dates

    @Test(arguments: [
        ("2024-01-31", 2024, 1, 31), ("1999-12-01", 1999, 12, 1), ("2000-02-29", 2000, 2, 29)
    ])
    func dates(_ text: String, _ year: Int, _ month: Int, _ day: Int) throws {
        let value = try Self.headerValue(text)
        #expect(value == .date(year: year, month: month, day: day))
        #expect(value?.pythonRepr == "datetime.date(\(year), \(month), \(day))")
    }

    @Test(arguments: [
        "2024-13-01", "2024-00-10", "2024-01-32", "2024-01-00", "2024-02-30", "2023-02-29", "2024-04-31", "1900-02-29",
        "2024-01-31 24:00:00", "2024-01-31 10:60:00", "2024-01-31 10:00:60", "2024-02-30 10:00:00"
    ])
    func impossibleDatesAreRefusedWithTheirLine(_ text: String) {
        #expect {
            try Self.headerValue(text)
        } throws: { error in
            guard let error = error as? RecipeError, case let .unsupportedValue(location, message) = error else { return false }
            return location.line == 3 && message.contains(text) && error.description.hasPrefix("zlib.sh:3: ")
        }
    }

    @Test(arguments: [
        ("2000-02-29", "datetime.date(2000, 2, 29)"),
        ("2024-01-31 10:00:00", "datetime.datetime(2024, 1, 31, 10, 0)"),
        ("2024-1-5 1:02:03", "datetime.datetime(2024, 1, 5, 1, 2, 3)"),
        (
            "2001-12-14t21:59:43.10-05:00",
            "datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=68400)))"
        ),
        ("2001-12-15T02:59:43.1Z", "datetime.datetime(2001, 12, 15, 2, 59, 43, 100000, tzinfo=datetime.timezone.utc)"),
        ("2001-12-15 2:59:43.1234567", "datetime.datetime(2001, 12, 15, 2, 59, 43, 123456)"),
        ("2024-01-31 10:00:00 +00:00", "datetime.datetime(2024, 1, 31, 10, 0, tzinfo=datetime.timezone.utc)"),
        ("2024-01-31 10:00:00+05:30", "datetime.datetime(2024, 1, 31, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(seconds=19800)))"),
        ("2024-01-31 10:00:00.", "datetime.datetime(2024, 1, 31, 10, 0)")
    ])
    func timestamps(_ text: String, _ repr: String) throws {
        let value = try #require(try Self.headerValue(text))
        #expect(value.pythonRepr == repr)
        #expect(value.kindName == (repr.hasPrefix("datetime.date(") ? "a date" : "a timestamp"))
    }

    @Test(arguments: ["2024-01-31T10:00", "2024-01-31_12:00", "2024-05-06:patches", "2024-01-31 10:00:00 UTC", "2024-01-31t"])
    func dateLikeStringsThatAreNotTimestampsAreStrings(_ text: String) throws {
        #expect(try Self.headerValue(text) == .string(text))
    }

    @Test
    func yearZeroIsRefused() {
        #expect(throws: RecipeError.self) { try Self.headerValue("0000-01-01") }
    }

    @Test
    func zoneOffsetsOfADayAreRefused() {
        #expect(throws: RecipeError.self) { try Self.headerValue("2024-01-31 10:00:00 +24") }
    }

    @Test
    func explicitTimestampWithOneDigitMonth() throws {
        #expect(try Self.headerValue("!!timestamp 2024-1-5") == .date(year: 2024, month: 1, day: 5))
    }

    // MARK: quoted and block scalars are strings

    @Test(arguments: [
        ("\"yes\"", "yes"), ("'no'", "no"), ("\"12\"", "12"), ("'0x1F'", "0x1F"), ("\"1.0\"", "1.0"), ("'null'", "null"),
        ("'~'", "~"), ("\"\"", ""), ("''", ""), ("\"2024-01-31\"", "2024-01-31"), ("'.inf'", ".inf"), ("\"1:20\"", "1:20"),
        ("|-\n  12", "12"), ("|\n  yes", "yes\n"), (">-\n  1.0", "1.0")
    ])
    func quotedScalarsAreStrings(_ yaml: String, _ expected: String) throws {
        #expect(try Self.headerValue(yaml) == .string(expected))
    }

    // MARK: explicit tags

    @Test(arguments: [
        ("!!str 12", RecipeValue.string("12")), ("!!str yes", .string("yes")), ("!!str", .string("")), ("! 12", .string("12")),
        ("!!int \"12\"", .int("12")), ("!!int '0x1F'", .int("31")), ("!!int -0b11", .int("-3")),
        ("!!float 1", .float(1)), ("!!float '1e5'", .float(100000)), ("!!float -0", .float(-0.0)),
        ("!!bool yEs", .bool(true)), ("!!bool \"OFF\"", .bool(false)),
        ("!!null x", .null), ("!!timestamp 2024-01-31", .date(year: 2024, month: 1, day: 31)),
        ("!!seq [1, a]", .list([.int("1"), .string("a")])),
        ("!<tag:yaml.org,2002:str> 5", .string("5"))
    ])
    func explicitTags(_ yaml: String, _ expected: RecipeValue) throws {
        let value = try Self.headerValue(yaml)
        #expect(value == expected)
        #expect(value?.pythonRepr == expected.pythonRepr)
    }

    @Test(arguments: [
        "!!int abc", "!!int 1.5", "!!float abc", "!!bool maybe", "!!timestamp yesterday", "!!binary aGk=",
        "!!python/name:os.system", "!custom x", "!!set {a}", "!!omap [a: 1]"
    ])
    func unconstructibleTagsAreRefusedWithTheirLine(_ yaml: String) {
        #expect {
            try Self.headerValue(yaml)
        } throws: { error in
            guard let error = error as? RecipeError, case let .unsupportedValue(location, _) = error else { return false }
            return location.line == 3 && error.description.hasPrefix("zlib.sh:3: ")
        }
    }

    @Test(arguments: [
        ("base: &b {a: 1}\nv:\n  <<: *b\n", 5),
        ("v: =\n", 3)
    ])
    func mergeKeysAndValueKeysAreRefused(_ yaml: String, _ line: Int) {
        #expect {
            try Recipe(text: "package: zlib\nversion: v1\n" + yaml + "---\n", file: "zlib.sh")
        } throws: { error in
            guard let error = error as? RecipeError, case .unsupportedValue = error else { return false }
            return error.location == SourceLocation(file: "zlib.sh", line: line) && error.description.hasPrefix("zlib.sh:\(line): ")
        }
    }

    @Test func anchorsAndAliasesResolve() throws {
        let recipe = try Recipe(text: "package: zlib\nversion: &v v1.3\ntag: *v\nlist: &l [a, 1]\ncopy: *l\n---\n", file: "zlib.sh")
        #expect(recipe.header["tag"] == .string("v1.3"))
        #expect(recipe.header["copy"] == .list([.string("a"), .int("1")]))
    }

    @Test func keysAreTypedToo() throws {
        let recipe = try Recipe(text: "package: zlib\nversion: v1\nenv:\n  yes: 1\n  1.5: a\n  ~: b\n  '12': c\n---\n", file: "zlib.sh")
        let env = try #require(recipe.header["env"]?.mapValue)
        #expect(env.keys == [.bool(true), .float(1.5), .null, .string("12")])
        #expect(env.entries.map(\.value) == [.int("1"), .string("a"), .string("b"), .string("c")])
    }

    @Test
    func fullWidthHexDigitsAreNotInts() throws {
        #expect(try Self.headerValue("0x\u{FF26}") == .string("0x\u{FF26}"))
    }

    @Test
    func digitWithCombiningMarkIsAString() throws {
        #expect(try Self.headerValue("1\u{301}") == .string("1\u{301}"))
    }

    @Test
    func explicitTagsFollowPythonsIntAndFloat() throws {
        #expect(try Self.headerValue("!!int 0o17") == .int("15"))
        #expect(throws: RecipeError.self) { try Self.headerValue("!!float 0x10") }
    }

    // MARK: differential against PyYAML

    /// Plain and tagged scalars whose PyYAML typing is compared one by one with `python3 -c 'yaml.safe_load'`.
    static let differentialScalars: [String] = [
        "yes", "No", "ON", "off", "True", "yEs", "y", "0", "-12", "+12", "-0", "0x1F", "-0x1f", "0x_1F", "0b101", "017", "0_1",
        "00", "1_000", "1__", "1:20", "-1:20", "12:5", "1:20:30", "123456789012345678901234567890", "1.0", "1.", ".5", "0.",
        "00.5", "-1.5e+3", "1.0e+5", "1.5E-3", ".5e+1", "+1.5", "1_0.5", ".5_", "1.e+3", ".inf", "-.Inf", "+.INF", ".nan",
        "190:20:30.15", "1:2:3.5", "-1:30.5", "59:59.99", "1:0.1", "3.14159", "6.02e+23", "1e5", "1.0e5", "09", "-.5",
        "+.5", "._5", "0o17", "1:60", "0:30", "0x", "0b2", "1.2.3", "v1", "_1", ".", "-.", "inf", "~", "null", "NULL", "nULL",
        "", "2024-01-31", "2024-1-31", "\"yes\"", "'12'", "!!str 12", "!!int \"12\"", "!!float 1", "!!bool yEs", "!!null x",
        "0.1", "0.30000000000000004", "1e+16", "1.0e+16", "1.0e-5", "123456789.123", "5.0e-324", "1.7976931348623157e+308",
        "2.5e-05", "100000000000000000.0", "9999999999999999.0", "0.0001", "0.00001", "v5-09-59", "1.2-3", "3.0.0",
        "!!float -0", "!!int -0b11", "!!int 0x_1f", "!!float 1_0", "20:30.15_5",
        "2024-01-31 10:00:00", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-12-15T02:59:43.1Z",
        "2001-12-15 2:59:43.1234567", "2024-01-31 10:00:00 +00:00", "2024-01-31 10:00:00+05:30", "2024-01-31 10:00:00.",
        "2024-1-5 1:02:03", "2024-01-31 10:00:00 -00:30", "2024-01-31 10:00:00 +23:59", "2024-01-31 10:00:00 +12:99",
        "2024-01-31 10:00:00 -0", "2024-02-29", "2024-02-30", "1900-02-29", "2024-01-31 24:00:00",
        "2024-01-31T10:00", "2024-01-31_12:00", "2024-05-06:patches"
    ]

    static let pyyamlAvailable: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return false }
        return (try? python("import yaml", arguments: [])) != nil
    }()

    /// Runs `/usr/bin/python3 -c script arguments…` and returns its standard output; throws on a non-zero exit.
    static func python(_ script: String, arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return data
    }

    @Test(.enabled(if: pyyamlAvailable, "needs /usr/bin/python3 with PyYAML"))
    func agreesWithPyYAML() throws {
        let script = """
            import sys, json, yaml
            out = []
            for s in json.loads(sys.argv[1]):
                try:
                    out.append(repr(yaml.safe_load("v: " + s)["v"]))
                except Exception:
                    out.append("ERROR")
            print(json.dumps(out))
            """
        let argument = String(decoding: try JSONEncoder().encode(Self.differentialScalars), as: UTF8.self)
        let data = try Self.python(script, arguments: [argument])
        let expected = try JSONDecoder().decode([String].self, from: data)
        try #require(expected.count == Self.differentialScalars.count)
        var mismatches: [String] = []
        for (text, python) in zip(Self.differentialScalars, expected) {
            let swift: String
            do {
                swift = try Self.headerValue(text)?.pythonRepr ?? "<missing>"
            } catch {
                swift = "ERROR"
            }
            if swift != python { mismatches.append("v: \(text) → PyYAML \(python), Recipes \(swift)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }
}
