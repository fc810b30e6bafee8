import AlienModel
import Foundation
import Testing
import TestSupport

@Suite struct EnvironmentTemplateTests {
    @Test func referencesLiteralsAndEscapes() throws {
        let template = try EnvironmentTemplate(shellDoubleQuoted: #"$A_ROOT/x:${B}y \$HOME \"q\" \\ \a back`\`"#.replacingOccurrences(of: "`\\`", with: "\\`"))
        #expect(template.parts == [.variable("A_ROOT"), .literal("/x:"), .variable("B"), .literal("y $HOME \"q\" \\ \\a back`")])
        #expect(template.evaluate { ["A_ROOT": "/r", "B": "b"][$0] } == "/r/x:by $HOME \"q\" \\ \\a back`")
        #expect(template.references == ["A_ROOT", "B"])
    }

    @Test func canonicalTextMeansTheSameAndIsUnique() throws {
        for text in ["${A}", "$A/b", "${A}b", "${A}_b", "x\\y", "\\$A", "a\\\\b", "${PATH}:${X}", "", "grüße ✓ ! ~ * ; & |"] {
            let template = try EnvironmentTemplate(shellDoubleQuoted: text)
            let again = try EnvironmentTemplate(shellDoubleQuoted: template.description)
            #expect(again == template, "\(text)")
            #expect(again.description == template.description)
        }
        #expect(try EnvironmentTemplate(shellDoubleQuoted: "${A}/b").description == "$A/b")
        #expect(try EnvironmentTemplate(shellDoubleQuoted: "$A{b}").description == "$A{b}")
        #expect(try EnvironmentTemplate(shellDoubleQuoted: "${A}b").description == "${A}b")
        #expect(try EnvironmentTemplate(shellDoubleQuoted: "x\\y").description == "x\\\\y")
    }

    @Test(arguments: [
        ("$(id)", "command substitution"), ("`id`", "backticks"), ("$((1+2))", "arithmetic"), ("$[1+2]", "arithmetic"),
        ("${A:-x}", "parameter expansion"), ("${A+x}", "parameter expansion"), ("${#A}", "only ${NAME}"), ("${A", "parameter expansion"),
        ("$1", "positional"), ("$@", "special"), ("$$", "special"), ("$?", "special"), ("cost $", "starts no variable"),
        ("a $ b", "starts no variable"), ("a\"b", "double quote"), ("a\nb", "control character"), ("trailing\\", "trailing backslash"),
        ("$BASH_VERSION", "bash sets itself"), ("${RANDOM}", "bash sets itself"), ("$PWD/x", "bash sets itself")
    ])
    func refusedConstructs(text: String, reason: String) {
        #expect(throws: TemplateError.self) { try EnvironmentTemplate(shellDoubleQuoted: text) }
        do { _ = try EnvironmentTemplate(shellDoubleQuoted: text) } catch {
            #expect(error.description.contains(reason), "\(text): \(error)")
        }
    }

    @Test func colonsSplitAndJoin() throws {
        let template = try EnvironmentTemplate(shellDoubleQuoted: "$A/bin:/x::$B:")
        let items = template.splitAtColons()
        #expect(items.map(\.description) == ["$A/bin", "/x", "", "$B", ""])
        #expect(EnvironmentTemplate.joined(items) == template)
        #expect(EnvironmentTemplate.literal("").splitAtColons() == [EnvironmentTemplate.literal("")])
    }

    @Test func longTemplatesAreRefusedAndParsingIsLinear() throws {
        #expect(throws: TemplateError.self) { try EnvironmentTemplate(shellDoubleQuoted: String(repeating: "a", count: EnvironmentTemplate.maximumLength + 1)) }
        let many = String(repeating: "$A:", count: 10_000)
        #expect(try EnvironmentTemplate(shellDoubleQuoted: many).references.count == 10_000)
    }

    @Test func shlexQuoteAsPython() {
        #expect(ShellVariables.shlexQuote("v6-32-06") == "v6-32-06")
        #expect(ShellVariables.shlexQuote("") == "''")
        #expect(ShellVariables.shlexQuote("a b") == "'a b'")
        #expect(ShellVariables.shlexQuote("it's") == "'it'\"'\"'s'")
        #expect(ShellVariables.shlexQuote("ü") == "'ü'")
        #expect(ShellVariables.isName("A_1") && !ShellVariables.isName("1A") && !ShellVariables.isName("A-B") && !ShellVariables.isName(""))
    }

    /// `init(canonical:)` is `init(shellDoubleQuoted:)` restricted to texts equal to their
    /// canonical form, on random texts over the characters that matter.
    @Test func canonicalReaderAgreesWithTheParser() {
        var random = SeededGenerator(seed: 7)
        let pieces = ["$", "{", "}", "\\", "\"", "`", "A", "_", "z", "9", ":", "/", "é", "\n", "\t", " ", "$A", "${A}", "\\$", "$PWD", "${B}c", "$(", "\u{301}"]
        var agreed = 0
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let parsed = try? EnvironmentTemplate(shellDoubleQuoted: text)
            let expected = parsed?.description == text ? parsed : nil
            #expect(EnvironmentTemplate(canonical: text) == expected, "\(text.debugDescription)")
            if expected != nil { agreed += 1 }
        }
        #expect(agreed > 1000)
        // Every canonical text reads back to its template.
        for text in ["${A}b", "$A/b", #"\$x \" \\ \`"#, "plain", "", "$A$B"] {
            let template = try! EnvironmentTemplate(shellDoubleQuoted: text)
            #expect(EnvironmentTemplate(canonical: template.description) == template)
        }
    }
}
