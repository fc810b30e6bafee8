import JDL
import Testing

/// Malformed JDLs: each refused with the right line and column.
@Suite struct JDLParserTests {
    static func refuses(
        _ text: String, arguments: [String]? = nil, line: Int, column: Int,
        saying fragment: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
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
        Self.refuses(
            "Arguments = \"$1 $2\";\nOutput = \"x/$3\";", arguments: ["a", "b"], line: 2, column: 13,
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
            #expect(error.description == "2:6: unterminated string: the '\"' opened here is never closed\n    \tB = \"open\n    \t    ^")
        }
    }

    @Test func crlfLocations() {
        Self.refuses("A = 1;\r\nB = \"x\r\n", line: 2, column: 5, saying: "unterminated string")
    }

    // MARK: issue 15 §3, production JDLs

    @Test func multiLineStringsAreAccepted() throws {
        // The shape of what AliEn's production system writes: one string over two lines.
        let text = "Executable = \"/bin/prod\";\nLPMMetaData = \"Packages=[VO_ALICE@Prod::v1];\nOutputDir=/alice/sim/2020/X;Run=42;\";\nTTL = 100;\n"
        let document = try JDLDocument(parsing: text)
        #expect(document["LPMMetaData"] == .string("Packages=[VO_ALICE@Prod::v1];\nOutputDir=/alice/sim/2020/X;Run=42;"))
        #expect(document["TTL"] == .number("100"))
        #expect(document.attribute(named: "TTL")?.location?.line == 4)
        // And it prints back to text that parses to the same document.
        #expect(try JDLDocument(parsing: document.description) == document)
        // Inside an expression and a list too.
        let more = try JDLDocument(parsing: "L = {\"a\nb\", \"c\"};\nR = member(other.X, \"x\ny\");")
        #expect(more["L"] == .list([.string("a\nb"), .string("c")]))
        #expect(more["R"] == .expression("member(other.X, \"x\ny\")"))
    }

    @Test func unterminatedMultiLineStringNamesItsStart() {
        Self.refuses("A = 1;\nB = \"never\nclosed;\nC = 2;\n", line: 2, column: 5, saying: "never closed")
    }

    @Test func twoStatementsOnOneLineWithoutSemicolon() {
        Self.refuses("TTL = \"72000\" Price = 1;", line: 1, column: 14, saying: "missing ';' after the value of 'TTL'")
        Self.refuses("A = 1;\nTTL = 72000 Price = 1;", line: 2, column: 12, saying: "missing ';' after the value of 'TTL'")
        Self.refuses("R = other.A > 1 && other.B Price = 1;", line: 1, column: 27, saying: "missing ';' after the value of 'R'")
        Self.refuses("A = B = 1;", line: 1, column: 5, saying: "another assignment")
        Self.refuses("A = x == 1 = 2;", line: 1, column: 12, saying: "unexpected '='")
    }

    @Test func assignmentsInsideRecordsAndComparisonsStayAccepted() throws {
        let document = try JDLDocument(parsing: "R = other.A == 1 && other.B =?= \"x\" && other.C =!= UNDEFINED && a <= b && c >= d;\nX = [a = 1; b = 2];")
        #expect(document["R"] == .expression("other.A == 1 && other.B =?= \"x\" && other.C =!= UNDEFINED && a <= b && c >= d"))
        #expect(document["X"] == .expression("[a = 1; b = 2]"))
        #expect(try JDLDocument(parsing: "R = a && !b || !(c);")["R"] == .expression("a && !b || !(c)"))
        #expect(try JDLDocument(parsing: "O = /alice/out/;")["O"] == .expression("/alice/out/"))
    }

    @Test func binaryOperatorWithoutRightOperand() {
        Self.refuses("Requirements = ( other.TTL > ) && other.Price < 10;", line: 1, column: 28, saying: "the operator '>' has no right operand")
        Self.refuses("R = a &&;", line: 1, column: 7, saying: "'&&' has no right operand")
        Self.refuses("R = a ||\n  // nothing\n;", line: 1, column: 7, saying: "'||' has no right operand")
        Self.refuses("R = a == && b;", line: 1, column: 7, saying: "'==' has no right operand")
        Self.refuses("R = f(a >= );", line: 1, column: 9, saying: "'>=' has no right operand")
        Self.refuses("R = !;", line: 1, column: 5, saying: "'!' has no right operand")
        Self.refuses("L = {a <};", line: 1, column: 8, saying: "'<' has no right operand")
    }

    @Test func nulAndInvalidUTF8AreRefusedWithTheirPlace() throws {
        Self.refuses("A = 1;\nB = \"x\u{0}y\";", line: 2, column: 7, saying: "NUL")
        Self.refuses("A = 1;\u{0}", line: 1, column: 7, saying: "NUL")
        let bytes = Array("A = 1;\nB = \"ab".utf8) + [0xFF, 0xFE] + Array("\";\n".utf8)
        do {
            let document = try JDLDocument(parsing: bytes)
            Issue.record("accepted: \(document)")
        } catch {
            #expect(error == .invalidUTF8(JDLLocation(line: 2, column: 8, lineText: "B = \"ab")))
            #expect(error.description.hasPrefix("2:8: the text is not valid UTF-8 here"))
        }
        // A truncated sequence at the very end, and an overlong encoding.
        #expect(throws: JDLError.invalidUTF8(JDLLocation(line: 1, column: 5, lineText: "A = "))) { try JDLDocument(parsing: Array("A = ".utf8) + [0xE2, 0x82]) }
        #expect(throws: JDLError.invalidUTF8(JDLLocation(line: 1, column: 6, lineText: "A = \""))) {
            try JDLDocument(parsing: Array("A = \"".utf8) + [0xC0, 0xAF] + Array("\";".utf8))
        }
        // Valid UTF-8 bytes parse as the text does.
        #expect(try JDLDocument(parsing: Array("A = \"é\";".utf8))["A"] == .string("é"))
    }
}
