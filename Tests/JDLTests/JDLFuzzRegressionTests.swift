import Foundation
import JDL
import Testing

/// Inputs the JDL fuzzer (`make fuzz`) found; each must parse and print back to itself,
/// or be refused with a location.
@Suite struct JDLFuzzRegressionTests {
    static func roundTrips(_ text: String) throws {
        guard let document = try? JDLDocument(parsing: text) else { return }
        let printed = JDLPrinter.print(document)
        let again = try JDLDocument(parsing: printed)
        #expect(again == document, "\(printed)")
    }

    /// A list whose element reads as an expression because of a mid-line `#`.
    @Test(arguments: [
        "JDLVariables = { \"CPUCores\" #########};\n",
        "A = { \"x\" #y, \"z\" };\nB = 1;\n"
    ])
    func listsWithExpressionElementsKeepTheirMeaning(_ text: String) throws {
        try Self.roundTrips(text)
    }

    /// A seeded stand-in for the fuzzer between `make fuzz` runs: statements made of JDL tokens
    /// (multi-line strings, operators, `Name =` on one line, comments, brackets) either parse
    /// and round-trip through the printer, or are refused with a location in the text.
    @Test(arguments: 0..<8)
    func randomTokenSoupRoundTripsOrIsRefusedWithAPlace(seed: UInt64) throws {
        let names = ["A", "Packages", "Requirements", "TTL", "x.y"]
        let operands = [
            "1", "-2.5", "\"s\"", "\"multi\nline\"", "\"a\\\"b\"", "other.TTL", "true", "$1", "{\"X::v1\", \"Y\"}",
            "member(other.P, \"p\")", "{}"
        ]
        let operators = [" == ", " =?= ", " != ", " < ", " >= ", " && ", " || ", " = ", "!"]
        let noise = ["(", ")", "{", "}", "[", "]", ",", "\n", " # c\n", " // c\n", " /* c */ ", "\t", "\u{0}", ";"]
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
        var parsed = 0, refused = 0
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<(1 + next(4)) {
                text += names[next(names.count)] + " = " + operands[next(operands.count)]
                for _ in 0..<next(4) {
                    switch next(10) {
                    case 0: text += noise[next(noise.count)]
                    case 1: text += operands[next(operands.count)]
                    default: text += operators[next(operators.count)] + operands[next(operands.count)]
                    }
                }
                text += ["", ";", ";\n", "\n", "; "][next(5)]
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                let document = try JDLDocument(parsing: text, arguments: next(2) == 0 ? nil : ["arg"])
                let printed = JDLPrinter.print(document)
                let again = try JDLDocument(parsing: printed)
                #expect(again == document, "\(text.debugDescription) printed as \(printed.debugDescription)")
                parsed += 1
            } catch {
                refused += 1
                let location = try #require(error.location, "\(text.debugDescription): \(error)")
                #expect((1...lines).contains(location.line), "\(text.debugDescription): \(error)")
                #expect(location.column >= 1, "\(text.debugDescription): \(error)")
            }
        }
        // Both outcomes are exercised, not only one.
        #expect(parsed >= 25 && refused >= 25, "parsed \(parsed), refused \(refused)")
    }
}
