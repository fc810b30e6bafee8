import JDL
import Testing

@Suite struct JDLErrorTests {
    @Test func locationExcerptAlignsWithTabs() {
        let location = JDLLocation(line: 3, column: 4, lineText: "\tA =x")
        #expect(location.description == "3:4")
        #expect(location.excerpt == "    \tA =x\n    \t  ^")
    }

    @Test func everyCaseNamesItsLocation() {
        let at = JDLLocation(line: 2, column: 7, lineText: "Foo = bar")
        let errors: [JDLError] = [
            .unterminatedString(at), .unterminatedComment(at), .unclosedBracket(at, opener: "("),
            .unexpectedCharacter(at, found: "'}'", expected: "';'"), .missingEquals(at, attribute: "Foo"),
            .missingValue(at, attribute: "Foo"), .missingSemicolon(at, attribute: "Foo"),
            .missingArgument(at, placeholder: 2, given: 1), .packageNotString(at, found: "a list"),
            .invalidPackage(at, entry: "x", reason: "bad")
        ]
        for error in errors {
            #expect(error.location == at)
            #expect(error.description.hasPrefix("2:7: \(error.message)\n    Foo = bar\n          ^"), "\(error)")
        }
        #expect(JDLError.missingArgument(at, placeholder: 2, given: 1).message.contains("but 1 was given"))
        #expect(JDLError.invalidAttributeName("1").location == nil)
        #expect(JDLError.invalidAttributeName("1").description.hasPrefix("invalid attribute name \"1\""))
    }
}
