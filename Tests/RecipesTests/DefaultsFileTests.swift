import AlienModel
import Recipes
import TestSupport
import Testing

@Suite struct DefaultsFileTests {
    static func defaults(_ header: String, name: String = "o2", body: String = "") throws(RecipeError) -> DefaultsFile {
        let file = "alidist/defaults-\(name).sh"
        let recipe = try Recipe(text: "package: defaults-\(name)\nversion: v1\n" + header + "\n---\n" + body, file: file)
        return try DefaultsFile(name: name, recipe: recipe)
    }

    /// Expects `DefaultsFile` to refuse the header with this case at this line.
    static func refuses(
        _ header: String, line: Int, saying fragments: [String] = [],
        where matches: (RecipeError) -> Bool, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        do {
            let file = try defaults(header)
            Issue.record("accepted: \(file)", sourceLocation: sourceLocation)
        } catch {
            #expect(matches(error), "\(error)", sourceLocation: sourceLocation)
            #expect(error.location?.line == line, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("alidist/defaults-o2.sh:\(line): "), "\(error)", sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func minimalDefaults() throws {
        let file = try Self.defaults("", name: "release")
        #expect(file.name == "release")
        #expect(file.recipe.package.rawValue == "defaults-release")
        #expect(file.disable.isEmpty)
        #expect(file.env == nil)
        #expect(file.overrides.isEmpty)
    }

    @Test func bodyIsKeptButNotAnError() throws {
        let file = try Self.defaults("", body: "echo ignored\n")
        #expect(file.recipe.script == "echo ignored")
    }

    // MARK: disable

    @Test(arguments: [
        ("disable: AliEn-Runtime", ["AliEn-Runtime"]),
        ("disable: [AliEn-Runtime, MonALISA-gSOAP-client]", ["AliEn-Runtime", "MonALISA-gSOAP-client"]),
        ("disable:\n  - arrow\n  - GCC-Toolchain\n  - arrow", ["arrow", "GCC-Toolchain", "arrow"]),
        ("disable: []", []),
        ("disable: 'yes'", ["yes"])
    ])
    func disable(_ header: String, _ expected: [String]) throws {
        #expect(try Self.defaults(header).disable == expected)
    }

    @Test func disableEntriesMustBeStrings() {
        Self.refuses("env: {}\ndisable: [a, 5]", line: 4, saying: ["'disable' must be a package name or a list of them, got an integer"]) {
            if case .wrongType(_, "disable", _, _) = $0 { true } else { false }
        }
        Self.refuses("disable: yes", line: 3, saying: ["got a boolean"]) {
            if case .wrongType(_, "disable", _, _) = $0 { true } else { false }
        }
    }

    // MARK: env

    @Test func env() throws {
        let file = try Self.defaults("env:\n  CFLAGS: -O2\n  CMAKE_BUILD_TYPE: RELWITHDEBINFO\n  CXXSTD: 20")
        let env = try #require(file.env)
        #expect(env.keys == [.string("CFLAGS"), .string("CMAKE_BUILD_TYPE"), .string("CXXSTD")])
        #expect(env["CXXSTD"] == .int("20"))
        #expect(env.line(of: "CMAKE_BUILD_TYPE") == 5)
        #expect(try Self.defaults("env: {}").env == RecipeMap())
    }

    @Test func envMustBeAMapping() {
        Self.refuses("\nenv: CFLAGS=-O2", line: 4, saying: ["'env' must be a mapping", "got a string"]) {
            if case .wrongType(_, "env", _, _) = $0 { true } else { false }
        }
        Self.refuses("env:\n  - A", line: 3, saying: ["got a list"]) {
            if case .wrongType(_, "env", _, _) = $0 { true } else { false }
        }
    }

    // MARK: overrides

    static let overrides = """
        overrides:
          ROOT:
            version: "v6-32-06-alice1"
            tag: v6-32-06-alice1
          GCC-Toolchain:
            requires: []
          "O2(Physics)?":
            version: "%(tag_basename)s"
          boost: ~
        """

    @Test func overridesKeepFileOrderWithLowerCasedPatterns() throws {
        let file = try Self.defaults(Self.overrides)
        #expect(file.overrides.map(\.pattern) == ["root", "gcc-toolchain", "o2(physics)?", "boost"])
        #expect(file.overrides.map(\.location.line) == [4, 7, 9, 11])
        #expect(file.overrides.allSatisfy { $0.location.file == "alidist/defaults-o2.sh" })
        let root = file.overrides[0].fields
        #expect(root.keys == [.string("version"), .string("tag")])
        #expect(root["version"] == .string("v6-32-06-alice1"))
        #expect(root.line(of: "tag") == 6)
        #expect(file.overrides[1].fields["requires"] == .list([]))
        #expect(file.overrides[2].fields["version"] == .string("%(tag_basename)s"))
    }

    @Test func nullOverrideHasNoFields() throws {
        let file = try Self.defaults(Self.overrides)
        let boost = try #require(file.overrides.last)
        #expect(boost.pattern == "boost")
        #expect(boost.fields.isEmpty)
        #expect(
            try Self.defaults("overrides:\n  zlib:\n").overrides == [
                DefaultsFile.Override(pattern: "zlib", fields: RecipeMap(), location: SourceLocation(file: "alidist/defaults-o2.sh", line: 4))
            ])
    }

    @Test func laterDuplicateAfterLowerCasingReplacesTheEarlierInPlace() throws {
        let file = try Self.defaults(
            """
            overrides:
              ROOT:
                version: a
                tag: t
              zlib:
                version: z
              root:
                version: b
            """)
        #expect(file.overrides.map(\.pattern) == ["root", "zlib"])
        let root = file.overrides[0]
        // dict.update semantics of aliBuild: the whole value is replaced, not merged.
        #expect(root.fields.keys == [.string("version")])
        #expect(root.fields["version"] == .string("b"))
        #expect(root.location.line == 4)
        #expect(file.overrides[1].fields["version"] == .string("z"))
    }

    @Test func overridesMustBeAMapping() {
        Self.refuses("overrides: [ROOT]", line: 3, saying: ["'overrides' must be a mapping of package patterns, got a list"]) {
            if case .wrongType(_, "overrides", _, _) = $0 { true } else { false }
        }
        Self.refuses("env: {}\noverrides: ROOT", line: 4, saying: ["got a string"]) {
            if case .wrongType(_, "overrides", _, _) = $0 { true } else { false }
        }
        Self.refuses("overrides:", line: 3, saying: ["got null"]) {
            if case .wrongType(_, "overrides", _, _) = $0 { true } else { false }
        }
    }

    @Test func eachOverrideMustBeAMappingOfFieldNames() {
        Self.refuses("overrides:\n  ROOT: v6", line: 4, saying: ["'overrides.ROOT' must be a mapping of header fields, got a string"]) {
            if case .wrongType(_, "overrides.ROOT", _, _) = $0 { true } else { false }
        }
        Self.refuses("overrides:\n  ROOT: [a]", line: 4, saying: ["got a list"]) {
            if case .wrongType(_, "overrides.ROOT", _, _) = $0 { true } else { false }
        }
        Self.refuses("overrides:\n  5:\n    version: x", line: 4, saying: ["package patterns as keys", "got an integer"]) {
            if case .wrongType(_, "overrides", _, _) = $0 { true } else { false }
        }
        Self.refuses("overrides:\n  ROOT:\n    1: x", line: 4, saying: ["field names as keys"]) {
            if case .wrongType(_, "overrides.ROOT", _, _) = $0 { true } else { false }
        }
    }

    @Test(arguments: ["ROOT@v6-32-06", "O2@nightly-20240131", "zlib@master"])
    func overridesReadingAnotherAlidistRefAreRefusedClearly(_ key: String) {
        Self.refuses(
            "overrides:\n  zlib:\n    version: v1\n  \(key):\n    version: x", line: 6,
            saying: ["override '\(key)'", "Name@ref", "git"]
        ) {
            if case .unsupportedValue = $0 { true } else { false }
        }
    }

    @Test func throughTheProvider() throws {
        let provider = RecipeFixtures.provider([
            "defaults-o2.sh": RecipeFixtures.text("package: defaults-o2\nversion: v1\ndisable: [arrow]\nenv: {CXXSTD: '20'}")
        ])
        let file = try provider.defaults(named: "o2")
        #expect(file.name == "o2")
        #expect(file.disable == ["arrow"])
        #expect(file.env?["CXXSTD"] == .string("20"))
        #expect(file.recipe.file == "fixtures/defaults-o2.sh")
    }
}
