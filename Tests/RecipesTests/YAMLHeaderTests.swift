import AlienModel
import Recipes
import Testing

/// Limits of the YAML header reader (issue 15 §4): alias expansion, nesting, and other
/// malformed input, each refused with the file (and line) named.
@Suite struct YAMLHeaderTests {
    /// The 1 KB "billion laughs": anchors nested 9 deep, each alias list repeating the
    /// previous one 10 times (10^9 strings once expanded).
    static let laughs: String = {
        var text = "package: laughs\nversion: v1\na0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        for level in 1...8 {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        return text + "env:\n  BOOM: *a8\n---\necho\n"
    }()

    @Test func billionLaughsIsRefusedNamingTheFile() throws {
        #expect(Self.laughs.utf8.count < 1_100)
        do {
            let recipe = try Recipe(text: Self.laughs, file: "alidist/laughs.sh")
            Issue.record("accepted \(recipe.package)")
        } catch {
            guard case let .aliasExpansion(location, limit) = error else {
                Issue.record("wrong error: \(error)")
                return
            }
            #expect(location.file == "alidist/laughs.sh")
            #expect(location.line >= 1)
            #expect(limit == 100_000)
            #expect(error.description.hasPrefix("alidist/laughs.sh:"))
            #expect(error.description.contains("YAML aliases expand the header to more than 100000 values"))
        }
    }

    @Test func modestAliasesAreExpandedAsPyYAMLDoes() throws {
        let text = """
            package: shared
            version: v1
            common: &paths ["$SHARED_ROOT/bin", "$SHARED_ROOT/sbin"]
            prepend_path:
              PATH: *paths
              EXTRA: *paths
            env: &env {A: "1"}
            append_path: *env
            ---
            """
        let recipe = try Recipe(text: text, file: "shared.sh")
        let paths = RecipeValue.list([.string("$SHARED_ROOT/bin"), .string("$SHARED_ROOT/sbin")])
        #expect(recipe.header["prepend_path"]?.mapValue?["PATH"] == paths)
        #expect(recipe.header["prepend_path"]?.mapValue?["EXTRA"] == paths)
        #expect(recipe.header["append_path"] == recipe.header["env"])
    }

    @Test func expansionJustBelowTheLimitIsAccepted() throws {
        // b0 is 10 values, b1 101, b2 1 011, b3 10 111, b4 (8 × b3) 80 889: 92 122 in all.
        var text = "package: wide\nversion: v1\nb0: &b0 [" + Array(repeating: "x", count: 9).joined(separator: ", ") + "]\n"
        for level in 1...4 {
            text += "b\(level): &b\(level) [" + Array(repeating: "*b\(level - 1)", count: level == 4 ? 8 : 10).joined(separator: ", ") + "]\n"
        }
        let recipe = try Recipe(text: text + "---\n", file: "wide.sh")
        guard case let .list(top)? = recipe.header["b4"] else {
            Issue.record("b4 is not a list")
            return
        }
        #expect(top.count == 8)
    }

    @Test func undefinedAliasAndRecursiveAnchorAreRefused() {
        for text in ["package: a\nversion: v1\nx: *nowhere\n---\n", "package: a\nversion: v1\nx: &l [*l]\n---\n"] {
            #expect(throws: RecipeError.self) { try Recipe(text: text, file: "a.sh") }
            do { _ = try Recipe(text: text, file: "a.sh") } catch {
                #expect(error.description.hasPrefix("a.sh:"), "\(error)")
            }
        }
    }

    @Test func nestingBeyondTheLimitIsRefused() throws {
        // The header's mapping is level 1: 99 lists inside it make 100 levels.
        let limit = String(repeating: "[", count: 99) + String(repeating: "]", count: 99)
        #expect(try Recipe(text: "package: deep\nversion: v1\nx: \(limit)\n---\n", file: "deep.sh").header["x"] != nil)
        for depth in [101, 1_001, 50_000] {
            let flow = "package: deep\nversion: v1\nx: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n---\n"
            #expect(throws: RecipeError.self) { try Recipe(text: flow, file: "deep.sh") }
            do { _ = try Recipe(text: flow, file: "deep.sh") } catch {
                #expect(error.description.hasPrefix("deep.sh:3:"), "\(error)")
                #expect(error.description.contains("nesting"), "\(error)")
            }
        }
    }

    @Test func otherMalformedHeaders() {
        let cases: [(String, String)] = [
            ("package: a\nversion: v1\n\t- tab\n---\n", "invalid YAML"),
            ("package: a\nversion: \"open\n---\n", "invalid YAML"),
            ("package: a\nversion: v1\n? [x]\n: y\n---\n", "a list cannot be a mapping key"),
            ("package: a\nversion: !!python/object:os.system x\n---\n", "not supported"),
            ("package: a\nversion: v1\nx: \u{0}\n---\n", "a.sh"),
            ("%YAML 9.9\n---\npackage: a\n", "a.sh")
        ]
        for (text, fragment) in cases {
            do {
                let recipe = try Recipe(text: text, file: "a.sh")
                Issue.record("accepted \(recipe.header) for \(text.debugDescription)")
            } catch {
                #expect(error.description.hasPrefix("a.sh"), "\(error)")
                #expect(error.description.contains(fragment), "\(text.debugDescription): \(error)")
            }
        }
    }
}
