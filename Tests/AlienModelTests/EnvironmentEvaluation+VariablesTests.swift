@testable import AlienModel
import Testing

@Suite struct EnvironmentEvaluationVariablesTests {
    typealias Variable = EnvironmentEvaluation.Variable

    static func variable(_ value: String, exported: Bool = true) -> Variable { Variable(value: value, exported: exported) }

    @Test func setsFindsAndReplacesByName() {
        var table = EnvironmentEvaluation.Variables()
        table.set("PATH", Self.variable("/usr/bin"))
        table.set("HOME", Self.variable("/home/u", exported: false))
        table.set("PATH", Self.variable("/bin"))
        #expect(table.count == 2)
        #expect(table.names == ["PATH", "HOME"])
        #expect(table["PATH"]?.value == "/bin")
        #expect(table["HOME"]?.exported == false)
        #expect(table["MISSING"] == nil)
        #expect(table.index(of: "HOME") == 1)
        #expect(table.dictionary == ["PATH": Self.variable("/bin"), "HOME": Self.variable("/home/u", exported: false)])
    }

    @Test func growsPastItsCapacityKeepingEveryName() {
        var table = EnvironmentEvaluation.Variables(minimumCapacity: 2)
        for index in 0..<1000 { table.set("PKG\(index)_ROOT", Self.variable("/sw/\(index)")) }
        table.reserveCapacity(3000)
        for index in 1000..<1200 { table.set("PKG\(index)_ROOT", Self.variable("/sw/\(index)")) }
        #expect(table.count == 1200)
        #expect((0..<1200).allSatisfy { table["PKG\($0)_ROOT"]?.value == "/sw/\($0)" })
        #expect(table["PKG1200_ROOT"] == nil)
    }

    /// A Dictionary's keys are equal when the strings are canonically equivalent; so are the
    /// table's, before and after a non-ASCII name switches its hashing.
    @Test func nonASCIINamesFollowStringEquality() {
        var table = EnvironmentEvaluation.Variables()
        table.set("KELVIN", Self.variable("ascii"))
        // U+212A KELVIN SIGN is canonically "K": looked up while every name is ASCII.
        #expect(table["\u{212A}ELVIN"]?.value == "ascii")
        table.set("\u{212A}ELVIN", Self.variable("sign"))
        #expect(table.count == 1)
        #expect(table["KELVIN"]?.value == "sign")
        table.set("E\u{301}T\u{C9}", Self.variable("decomposed"))
        table.set("\u{C9}TE\u{301}", Self.variable("precomposed"))
        #expect(table.count == 2)
        #expect(table["\u{C9}T\u{C9}"]?.value == "precomposed")
        for index in 0..<100 { table.set("V\(index)", Self.variable("\(index)")) }
        #expect(table["V42"]?.value == "42")
        #expect(table["KELVIN"]?.value == "sign")

        var dictionary: [String: String] = [:]
        for name in ["KELVIN", "\u{212A}ELVIN", "E\u{301}T\u{C9}", "\u{C9}TE\u{301}"] { dictionary[name] = name }
        #expect(dictionary.count == 2)
    }

    @Test func evaluationReadsAndWritesThroughTheTable() throws {
        var evaluation = EnvironmentEvaluation(environment: ["PATH": "/usr/bin", "\u{C9}T\u{C9}": "x"])
        evaluation.export("WORK_DIR", "/sw")
        #expect(evaluation.value("WORK_DIR") == "/sw")
        #expect(evaluation.value("E\u{301}T\u{C9}") == "x")
        #expect(evaluation.table.count == evaluation.variables.count)
        // bash's own default for TERM is there, unexported.
        #expect(evaluation.variables["TERM"]?.exported == false)
        #expect(evaluation.environment == ["PATH": "/usr/bin", "\u{C9}T\u{C9}": "x", "WORK_DIR": "/sw"])
    }
}
