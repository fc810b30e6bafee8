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
        "A = { \"x\" #y, \"z\" };\nB = 1;\n",
    ])
    func listsWithExpressionElementsKeepTheirMeaning(_ text: String) throws {
        try Self.roundTrips(text)
    }
}
