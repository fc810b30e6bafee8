import JDL
import Testing

/// Malformed JDLs: each refused with the right line and column.
@Suite struct JDLParserTests {
    static func refuses(_ text: String, arguments: [String]? = nil, line: Int, column: Int,
                        saying fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let document = try JDLDocument(parsing: text, arguments: arguments)
            Issue.record("accepted: \(document)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.location?.line == line, "\(error)", sourceLocation: sourceLocation)
            #expect(error.location?.column == column, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("\(line):\(column): "), "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func unterminatedString() {
        Self.refuses("A = 1;\nExecutable = \"/bin/x;\nB = 2;", line: 2, column: 14, saying: "unterminated string")
        Self.refuses("A = \"abc\\", line: 1, column: 5, saying: "unterminated string")
    }

    @Test func unterminatedComment() {
        Self.refuses("A = 1;\n  /* never\nclosed\n", line: 2, column: 3, saying: "unterminated comment")
        Self.refuses("A = f(1) /* x", line: 1, column: 10, saying: "'/*'")
    }

    @Test func unbalancedBraces() {
        Self.refuses("Packages = {\"a\",\n  \"b\";\nTTL = 1;", line: 1, column: 12, saying: "'{' opened here")
        Self.refuses("P = {{\"a\"};", line: 1, column: 5, saying: "'{'")
        Self.refuses("A = \"a\"};", line: 1, column: 8, saying: "unexpected '}'")
        Self.refuses("R = member(other.X, \"y\";\n", line: 1, column: 11, saying: "'(' opened here")
        Self.refuses("R = f(x]);", line: 1, column: 8, saying: "')' to close the '(' at 1:6")
    }

    @Test func missingEquals() {
        Self.refuses("A = 1;\nExecutable \"x\";", line: 2, column: 12, saying: "expected '=' after the attribute name 'Executable'")
        Self.refuses("A == 1;", line: 1, column: 3, saying: "expected '='")
    }

    @Test func missingValueAndSemicolon() {
        Self.refuses("A = ;", line: 1, column: 5, saying: "'A' has no value")
        Self.refuses("L = {1,,2};", line: 1, column: 8, saying: "no value")
        Self.refuses("A = f(1)\nB = 2;", line: 1, column: 9, saying: "missing ';' after the value of 'A'")
        Self.refuses("  = 1;", line: 1, column: 3, saying: "expected an attribute name")
    }

    @Test func badPlaceholder() {
        Self.refuses("Arguments = \"$1 $2\";\nOutput = \"x/$3\";", arguments: ["a", "b"], line: 2, column: 13,
                     saying: "placeholder $3 needs 3 arguments, but 2 were given")
        Self.refuses("N = $3;", arguments: ["a", "b"], line: 1, column: 5, saying: "$3")
        Self.refuses("N = \"$0\";", arguments: ["a"], line: 1, column: 6, saying: "$0 is not a placeholder")
    }

    @Test func continuationLinesAreNotStatements() throws {
        let document = try JDLDocument(parsing: "R = a\n  == b\n  && c =?= d\n  || e =!= f;\nS = 1;")
        #expect(document["R"] == .expression("a\n  == b\n  && c =?= d\n  || e =!= f"))
    }

    @Test func placeholderOnlyInCommentIsNotRequired() throws {
        let document = try JDLDocument(parsing: "# uses $3\nA = \"$1\"; // $2\n/* $9 */", arguments: ["x"])
        #expect(document["A"] == .string("x"))
    }

    @Test func descriptionShowsLineAndCaret() {
        do {
            _ = try JDLDocument(parsing: "A = 1;\n\tB = \"open\n")
            Issue.record("accepted")
        } catch {
            #expect(error.description == "2:6: unterminated string: the '\"' opened here is not closed on this line\n    \tB = \"open\n    \t    ^")
        }
    }

    @Test func crlfLocations() {
        Self.refuses("A = 1;\r\nB = \"x\r\n", line: 2, column: 5, saying: "unterminated string")
    }
}
