import AlienModel
import Recipes
import Testing
import TestSupport

@Suite struct RecipeProviderTests {
    static let files = [
        "zlib.sh": RecipeFixtures.text("package: zlib\nversion: v1.3.1", body: "make"),
        "root.sh": RecipeFixtures.text("package: ROOT\nversion: v6-32-06\nrequires: [zlib]"),
        "broken.sh": "package: broken\nversion: 1.0\n---\n",
        "defaults-release.sh": RecipeFixtures.defaultsRelease,
        "defaults-o2.sh": RecipeFixtures.text("package: defaults-o2\nversion: v1"),
        "defaults-dev.sh": RecipeFixtures.text("package: defaults-dev\nversion: v1"),
        "defaults-bad.sh": RecipeFixtures.text("package: defaults-bad\nversion: v1\noverrides: [x]"),
        "defaults-notes.txt": "not a defaults file",
        "README.md": "# alidist"
    ]

    @Test func fileLookup() throws {
        let provider = InMemoryRecipeProvider(files: Self.files, label: "memory")
        #expect(provider.searchPath == ["memory"])
        #expect(provider.file(named: "zlib.sh") == RecipeFile(path: "memory/zlib.sh", text: Self.files["zlib.sh"]!))
        #expect(provider.file(named: "nope.sh") == nil)
        #expect(provider.file(named: "ROOT.sh") == nil)  // keyed by the exact file name
        #expect(InMemoryRecipeProvider(files: [:]).searchPath == ["memory"])
    }

    @Test func recipeLookup() throws {
        let provider = RecipeFixtures.provider(Self.files)
        #expect(provider.searchPath == ["fixtures"])
        let root = try #require(try provider.recipe(named: "root.sh"))
        #expect(root.package.rawValue == "ROOT")
        #expect(root.file == "fixtures/root.sh")
        #expect(root.header["requires"] == .list([.string("zlib")]))
        let zlib = try #require(try provider.recipe(named: "zlib.sh"))
        #expect(zlib.script == "make")
        #expect(try provider.recipe(named: "missing.sh") == nil)
    }

    @Test func parseErrorsNameTheProvidersPath() {
        let provider = RecipeFixtures.provider(Self.files)
        #expect(
            throws: RecipeError.wrongType(
                SourceLocation(file: "fixtures/broken.sh", line: 2), key: "version",
                expected: "a string (quote it: \"1.0\")", got: "a float")
        ) {
            try provider.recipe(named: "broken.sh")
        }
    }

    @Test func availableDefaultsAreSortedNames() {
        #expect(RecipeFixtures.provider(Self.files).availableDefaults() == ["bad", "dev", "o2", "release"])
        #expect(RecipeFixtures.provider(["zlib.sh": ""]).availableDefaults() == [])
    }

    @Test func defaultsByName() throws {
        let provider = RecipeFixtures.provider(Self.files)
        let release = try provider.defaults(named: "release")
        #expect(release.name == "release")
        #expect(release.recipe.package.rawValue == "defaults-release")
        #expect(try provider.defaults(named: "o2").recipe.file == "fixtures/defaults-o2.sh")
    }

    @Test func unknownDefaultsListTheAvailableOnes() {
        let provider = RecipeFixtures.provider(Self.files)
        #expect(throws: RecipeError.unknownDefaults("o3", available: ["bad", "dev", "o2", "release"], searched: ["fixtures"])) {
            try provider.defaults(named: "o3")
        }
        do {
            _ = try provider.defaults(named: "o3")
        } catch {
            #expect(
                error.description
                    == "defaults 'o3' not found (looked for defaults-o3.sh in fixtures); available: bad, dev, o2, release")
            #expect(error.location == nil)
        }
    }

    @Test func unknownDefaultsWithNoneAvailable() {
        let provider = RecipeFixtures.provider(["zlib.sh": Self.files["zlib.sh"]!])
        do {
            _ = try provider.defaults(named: "release")
            Issue.record("found defaults in a set without any")
        } catch {
            #expect(error == .unknownDefaults("release", available: [], searched: ["fixtures"]))
            #expect(error.description == "defaults 'release' not found (looked for defaults-release.sh in fixtures)")
        }
    }

    @Test func invalidDefaultsFileReportsItsLine() {
        #expect {
            try RecipeFixtures.provider(Self.files).defaults(named: "bad")
        } throws: { error in
            (error as? RecipeError)?.description.hasPrefix("fixtures/defaults-bad.sh:3: 'overrides' must be") == true
        }
    }

    /// A provider whose files cannot be read: the protocol's helpers pass the error on.
    struct UnreadableProvider: RecipeProvider {
        var searchPath: [String] { ["/a", "/b"] }
        func file(named name: String) throws(RecipeError) -> RecipeFile? {
            if name == "zlib.sh" { return RecipeFile(path: "/b/zlib.sh", text: "package: zlib\nversion: v1\n---\n") }
            throw .unreadable(SourceLocation(file: "/a/\(name)"), "permission denied")
        }
        func availableDefaults() -> [String] { [] }
    }

    @Test func helpersPassProviderErrorsOn() throws {
        let provider = UnreadableProvider()
        #expect(try provider.recipe(named: "zlib.sh")?.file == "/b/zlib.sh")
        #expect(throws: RecipeError.unreadable(SourceLocation(file: "/a/root.sh"), "permission denied")) {
            try provider.recipe(named: "root.sh")
        }
        #expect(throws: RecipeError.unreadable(SourceLocation(file: "/a/defaults-o2.sh"), "permission denied")) {
            try provider.defaults(named: "o2")
        }
        #expect(
            RecipeError.unreadable(SourceLocation(file: "/a/root.sh"), "permission denied").description
                == "/a/root.sh: cannot read: permission denied")
        #expect(RecipeError.recipeNotFound("root.sh", searched: ["/a", "/b"]).description == "no recipe root.sh in /a, /b")
    }
}
