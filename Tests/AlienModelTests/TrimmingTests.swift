import AlienModel
import Foundation
import Testing

@Suite struct TrimmingTests {
    /// Every scalar: the same answer as Foundation's `CharacterSet.whitespaces`.
    @Test func whitespaceIsFoundationsWhitespaces() {
        var differences: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if Trimming.isWhitespace(scalar) != CharacterSet.whitespaces.contains(scalar) { differences.append(value) }
        }
        #expect(differences.isEmpty, "\(differences.prefix(10).map { String($0, radix: 16) })")
    }

    @Test(arguments: ["", " ", "\t a b \t", "\u{3000}ROOT\u{A0}", "x", " \n y \n ", "\u{2003}\u{2003}"])
    func trimsAsFoundationDoes(text: String) {
        #expect(Trimming.whitespace(text) == text.trimmingCharacters(in: .whitespaces))
        #expect(Trimming.whitespace(Substring(text)) == text.trimmingCharacters(in: .whitespaces))
    }

    @Test func trimsAnyScalarSet() {
        #expect(Trimming.trimmed("\"'x y'\"\n", where: { "\n \"'".unicodeScalars.contains($0) }) == "x y")
        #expect(Trimming.trimmed("''", where: { $0 == "'" }) == "")
        // A combining mark after a trimmed quote stays (scalars, not characters, are trimmed).
        #expect(Trimming.trimmed("'\u{301}x'", where: { $0 == "'" }) == "\u{301}x")
    }
}
