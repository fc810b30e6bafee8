import AlienModel
import Recipes
import Testing

@Suite struct RecipeTests {
    static let zlib = """
        package: zlib
        version: "%(tag_basename)s"
        tag: v1.3.1
        source: https://github.com/madler/zlib
        requires:
          - "GCC-Toolchain:(?!osx)"
        build_requires:
          - CMake
          - "alibuild-recipe-tools"
        env:
          ZLIB_ROOT: "$ZLIB_ROOT"
        prepend_path:
          PATH: "$ZLIB_ROOT/bin"
          LD_LIBRARY_PATH: ["$ZLIB_ROOT/lib", "$ZLIB_ROOT/lib64"]
        ---

        #!/bin/bash -e
        ./configure --prefix="$INSTALLROOT"
        make ${JOBS+-j $JOBS}
        make install

        """

    @Test func parsesAGoodRecipe() throws {
        let recipe = try Recipe(text: Self.zlib, file: "alidist/zlib.sh")
        #expect(recipe.file == "alidist/zlib.sh")
        #expect(recipe.package == (try PackageName("zlib")))
        #expect(
            recipe.header.keys
                == ["package", "version", "tag", "source", "requires", "build_requires", "env", "prepend_path"]
                .map(RecipeValue.string))
        #expect(recipe.header["version"] == .string("%(tag_basename)s"))
        #expect(recipe.header["tag"] == .string("v1.3.1"))
        #expect(recipe.header["source"] == .string("https://github.com/madler/zlib"))
        #expect(recipe.header["requires"] == .list([.string("GCC-Toolchain:(?!osx)")]))
        #expect(recipe.header["build_requires"] == .list([.string("CMake"), .string("alibuild-recipe-tools")]))
        #expect(recipe.header["env"]?.mapValue?.entries.map(\.key) == [.string("ZLIB_ROOT")])
        let paths = try #require(recipe.header["prepend_path"]?.mapValue)
        #expect(paths["PATH"] == .string("$ZLIB_ROOT/bin"))
        #expect(paths["LD_LIBRARY_PATH"] == .list([.string("$ZLIB_ROOT/lib"), .string("$ZLIB_ROOT/lib64")]))
        #expect(recipe.separatorLine == 15)
        #expect(recipe.body == "\n\n#!/bin/bash -e\n./configure --prefix=\"$INSTALLROOT\"\nmake ${JOBS+-j $JOBS}\nmake install\n")
        #expect(recipe.script == "#!/bin/bash -e\n./configure --prefix=\"$INSTALLROOT\"\nmake ${JOBS+-j $JOBS}\nmake install")
    }

    @Test func remembersTheLineOfEveryKey() throws {
        let recipe = try Recipe(text: Self.zlib, file: "zlib.sh")
        let expected = ["package": 1, "version": 2, "tag": 3, "source": 4, "requires": 5, "build_requires": 7, "env": 10, "prepend_path": 12]
        for (key, line) in expected {
            #expect(recipe.header.line(of: key) == line, "\(key)")
            #expect(recipe.location(of: key) == SourceLocation(file: "zlib.sh", line: line))
        }
        #expect(recipe.header["prepend_path"]?.mapValue?.line(of: "LD_LIBRARY_PATH") == 14)
        // A key that is not there points at the top of the file.
        #expect(recipe.header.line(of: "license") == nil)
        #expect(recipe.location(of: "license").description == "zlib.sh:1")
    }

    @Test func splitsAtTheFirstSeparatorEvenInsideAValue() throws {
        let recipe = try Recipe(text: "package: zlib\nversion: v1\ntag: a---b\n---\necho body\n", file: "zlib.sh")
        #expect(recipe.header["tag"] == .string("a"))
        #expect(recipe.body == "b\n---\necho body\n")
        #expect(recipe.script == "b\n---\necho body")
        #expect(recipe.separatorLine == 3)
    }

    @Test func splitsAtASeparatorThatIsNotOnItsOwnLine() throws {
        let recipe = try Recipe(text: "package: zlib\nversion: v1 ---echo hi\n--- more", file: "zlib.sh")
        #expect(recipe.header["version"] == .string("v1"))
        #expect(recipe.body == "echo hi\n--- more")
        #expect(recipe.separatorLine == 2)
    }

    @Test func separatorInACommentStillSplits() {
        #expect {
            try Recipe(text: "# --- comment\npackage: zlib\nversion: v1\n---\n", file: "zlib.sh")
        } throws: { error in
            guard let error = error as? RecipeError, case let .emptyHeader(location) = error else { return false }
            return location.line == 1
        }
    }

    @Test(arguments: [
        ("package: zlib\nversion: v1\n---", 3),
        ("package: zlib\nversion: v1\n\n\n---\n", 5),
        ("package: zlib\nversion: v1---", 2),
        ("---", 1)
    ])
    func separatorLine(_ text: String, _ line: Int) throws {
        if text == "---" {
            #expect(throws: RecipeError.emptyHeader(SourceLocation(file: "zlib.sh", line: 1))) {
                try Recipe(text: text, file: "zlib.sh")
            }
        } else {
            #expect(try Recipe(text: text, file: "zlib.sh").separatorLine == line)
        }
    }

    /// aliBuild reads recipes with Python's universal newlines, so "\r\n" and "\r" are line breaks.
    @Test func crlfAndCRLineEndsAreNewlines() throws {
        let recipe = try Recipe(text: "package: zlib\r\nversion: v1\r\n---\r\necho\r\n", file: "zlib.sh")
        #expect(recipe.header["version"] == .string("v1"))
        #expect(recipe.header.line(of: "version") == 2)
        #expect(recipe.separatorLine == 3)
        #expect(recipe.body == "\necho\n")
        #expect(recipe.script == "echo")
        let oldMac = try Recipe(text: "package: zlib\rversion: v1\r\rtag: t\r---\recho\r", file: "zlib.sh")
        #expect(oldMac.header.line(of: "tag") == 4)
        #expect(oldMac.separatorLine == 5)
        #expect(oldMac.script == "echo")
        #expect {
            try Recipe(text: "package: zlib\r\nversion: v1\r\nsystem_requirement: .*\r\n---\r\necho\r\n", file: "zlib.sh")
        } throws: { error in
            guard let error = error as? RecipeError, case .bodyInSystemRequirement = error else { return false }
            return error.location?.line == 4
        }
    }

    @Test(arguments: [
        ("", ""),
        ("\n", ""),
        ("\n\n\n", ""),
        ("echo a", "echo a"),
        ("\n\necho a\n\n", "echo a"),
        ("\n  echo a  \n", "  echo a  "),
        ("\t\necho a\n\t", "\t\necho a\n\t"),
        ("\necho a\n\necho b\n", "echo a\n\necho b")
    ])
    func scriptStripsOnlyNewlines(_ body: String, _ script: String) throws {
        let recipe = try Recipe(text: "package: zlib\nversion: v1\n---" + body, file: "zlib.sh")
        #expect(recipe.body == body)
        #expect(recipe.script == script)
    }

    @Test(arguments: [
        ("\n\nabc\n", "\n", "abc"),
        ("", "\n", ""),
        ("\n\n", "\n", ""),
        ("\t x \n", "\n\t ", "x"),
        ("xyx", "x", "y"),
        ("abc", "", "abc"),
        ("\u{E9}\u{301}", "\u{301}", "\u{E9}"),
        ("\r\n", "\n", "\r")
    ])
    func pythonStrip(_ text: String, _ characters: String, _ expected: String) {
        #expect(text.pythonStrip(characters) == expected)
    }

    @Test func unknownHeaderKeysAreKeptInOrder() throws {
        let text = "package: zlib\nversion: v1\nlicense: Zlib\nfoo:\n  bar: [1, 2]\nvariables: x\ntools: [a]\n---\n"
        let recipe = try Recipe(text: text, file: "zlib.sh")
        #expect(recipe.header.keys == ["package", "version", "license", "foo", "variables", "tools"].map(RecipeValue.string))
        #expect(recipe.header["license"] == .string("Zlib"))
        let foo = try #require(recipe.header["foo"]?.mapValue)
        #expect(foo.keys == [.string("bar")])
        #expect(foo["bar"] == .list([.int("1"), .int("2")]))
        #expect(recipe.header["variables"] == .string("x"))
        #expect(recipe.header.line(of: "tools") == 7)
    }

    @Test func fileNamesWithoutTheShSuffixAreNotChecked() throws {
        let recipe = try Recipe(text: "package: ROOT\nversion: v6\n---\n", file: "<stdin>")
        #expect(recipe.package.rawValue == "ROOT")
        let nested = try Recipe(text: "package: ROOT\nversion: v6\n---\n", file: "/a/Dir.sh/root.sh")
        #expect(nested.package.rawValue == "ROOT")
    }

    @Test func systemRequirementWithABlankBodyIsFine() throws {
        let text = "package: GCC\nversion: v1\nsystem_requirement: \".*\"\nsystem_requirement_check: \"which gcc\"\n---\n \n\t\n\n"
        let recipe = try Recipe(text: text, file: "gcc.sh")
        #expect(recipe.script == " \n\t")
        #expect(recipe.header["system_requirement"] == .string(".*"))
    }

    @Test func optionalKeysOfTheRightTypeAreAccepted() throws {
        let text = """
            package: zlib
            version: v1
            tag: v1
            requires: []
            build_requires: ["CMake:(?!osx)", "Python:defaults=o2.*"]
            env: {}
            append_path: {X: [a, b]}
            track_env: {A: "echo 1"}
            prefer_system: "(?!slc5)"
            prefer_system_check: "true"
            prefer_system_replacement_specs: {"zlib.*": {version: v1}}
            valid_defaults: o2
            force_rebuild: true
            ---
            """
        let recipe = try Recipe(text: text, file: "zlib.sh")
        #expect(recipe.header["force_rebuild"] == .bool(true))
        #expect(recipe.header["valid_defaults"]?.asList == [.string("o2")])
        #expect(
            try Recipe(text: "package: zlib\nversion: v1\nvalid_defaults: [o2, dev]\n---\n", file: "zlib.sh")
                .header["valid_defaults"] == .list([.string("o2"), .string("dev")]))
    }

    // MARK: malformed recipes

    /// Which `RecipeError` case is expected.
    enum Kind: String, Sendable {
        case headerMissing, invalidYAML, emptyHeader, headerNotMapping, missingPackage, invalidPackageName, fileNameMismatch
        case wrongType, invalidRequirement, bodyInSystemRequirement, unsupportedValue

        init(_ error: RecipeError) {
            switch error {
            case .headerMissing: self = .headerMissing
            case .invalidYAML: self = .invalidYAML
            case .emptyHeader: self = .emptyHeader
            case .headerNotMapping: self = .headerNotMapping
            case .missingPackage: self = .missingPackage
            case .invalidPackageName: self = .invalidPackageName
            case .fileNameMismatch: self = .fileNameMismatch
            case .wrongType: self = .wrongType
            case .invalidRequirement: self = .invalidRequirement
            case .bodyInSystemRequirement: self = .bodyInSystemRequirement
            case .unsupportedValue: self = .unsupportedValue
            default: self = .unsupportedValue
            }
        }
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var file = "zlib.sh"
        var kind: Kind
        var line: Int
        /// Fragments the message must contain besides `file:line`.
        var says: [String] = []
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(
            name: "bad indentation of a key", text: "package: zlib\nversion: v1\n  tag: x\n---\n",
            kind: .invalidYAML, line: 3, says: ["mapping values are not allowed"]),
        Malformed(
            name: "bad indentation inside a mapping", text: "package: zlib\nenv:\n  A: 1\n B: 2\n---\n",
            kind: .invalidYAML, line: 4),
        Malformed(name: "unclosed double quote", text: "package: zlib\nversion: \"v1\n---\n", kind: .invalidYAML, line: 3),
        Malformed(name: "unclosed single quote", text: "package: zlib\nversion: 'v1\nfoo: bar\n---\n", kind: .invalidYAML, line: 4),
        Malformed(name: "unclosed bracket", text: "package: zlib\nrequires: [zlib, ROOT\n---\n", kind: .invalidYAML, line: 3),
        Malformed(name: "unclosed brace", text: "package: zlib\nenv: {A: 1\n---\n", kind: .invalidYAML, line: 3),
        Malformed(name: "tab indentation", text: "package: zlib\nenv:\n\tFOO: bar\n---\n", kind: .invalidYAML, line: 3),
        Malformed(name: "colon in a plain value", text: "package: zlib\nversion: a: b\n---\n", kind: .invalidYAML, line: 2),
        Malformed(
            name: "duplicate keys", text: "package: zlib\nversion: v1\nversion: v2\n---\n", kind: .invalidYAML, line: 2,
            says: ["duplicate", "version"]),
        Malformed(
            name: "duplicate keys after others", text: "package: zlib\nversion: v1\ntag: a\nsource: b\ntag: c\n---\n",
            kind: .invalidYAML, line: 3, says: ["duplicate keys tag"]),
        Malformed(name: "empty header", text: "---\necho hi\n", kind: .emptyHeader, line: 1, says: ["header is empty"]),
        Malformed(name: "header of comments only", text: "\n# nothing\n\n---\n", kind: .emptyHeader, line: 1),
        Malformed(name: "explicit null header", text: "~\n---\n", kind: .emptyHeader, line: 1),
        Malformed(
            name: "header is a list", text: "- package: zlib\n- version: v1\n---\n", kind: .headerNotMapping, line: 1,
            says: ["got a list"]),
        Malformed(name: "header is a string", text: "just some text\n---\n", kind: .headerNotMapping, line: 1, says: ["got a string"]),
        Malformed(name: "header is an integer", text: "42\n---\n", kind: .headerNotMapping, line: 1, says: ["got an integer"]),
        Malformed(
            name: "missing package", text: "version: v1\ntag: v1\n---\n", kind: .missingPackage, line: 1,
            says: ["no 'package:' field"]),
        Malformed(name: "empty mapping", text: "{}\n---\n", kind: .missingPackage, line: 1),
        Malformed(
            name: "package is an integer", text: "version: v1\npackage: 5\n---\n", kind: .wrongType, line: 2,
            says: ["'package' must be a string, got an integer"]),
        Malformed(name: "package is a list", text: "package: [zlib]\n---\n", kind: .wrongType, line: 1, says: ["got a list"]),
        Malformed(
            name: "package is a boolean", text: "package: yes\n---\n", file: "yes.sh", kind: .wrongType, line: 1,
            says: ["got a boolean"]),
        Malformed(name: "package is null", text: "version: v1\n\npackage:\n---\n", kind: .wrongType, line: 3, says: ["got null"]),
        Malformed(
            name: "invalid package name (space)", text: "version: v1\npackage: zlib x\n---\n", kind: .invalidPackageName,
            line: 2, says: ["invalid package name \"zlib x\""]),
        Malformed(
            name: "invalid package name (leading dash)", text: "package: -zlib\n---\n", file: "-zlib.sh",
            kind: .invalidPackageName, line: 1, says: ["\"-zlib\""]),
        Malformed(
            name: "file name not lower-case", text: "package: ROOT\nversion: v6\n---\n", file: "alidist/Root.sh",
            kind: .fileNameMismatch, line: 1, says: ["package ROOT must be defined in a file named root.sh"]),
        Malformed(
            name: "file of another package", text: "version: v6\npackage: ROOT\n---\n", file: "alidist/zlib.sh",
            kind: .fileNameMismatch, line: 2, says: ["package ROOT must be defined in a file named root.sh"]),
        Malformed(
            name: "file name upper-case like the package", text: "package: ROOT\n---\n", file: "ROOT.sh",
            kind: .fileNameMismatch, line: 1, says: ["root.sh"]),
        Malformed(
            name: "version is a float", text: "package: zlib\nversion: 1.0\n---\n", kind: .wrongType, line: 2,
            says: ["'version' must be a string (quote it: \"1.0\"), got a float"]),
        Malformed(
            name: "version is an int", text: "package: zlib\nversion: 5\n---\n", kind: .wrongType, line: 2,
            says: ["'version'", "got an integer"]),
        Malformed(
            name: "version is a date", text: "package: zlib\nversion: 2024-01-31\n---\n", kind: .wrongType, line: 2,
            says: ["got a date"]),
        Malformed(name: "version is null", text: "package: zlib\nversion:\n---\n", kind: .wrongType, line: 2, says: ["got null"]),
        Malformed(
            name: "tag is a float", text: "package: zlib\nversion: v1\ntag: 1.2\n---\n", kind: .wrongType, line: 3,
            says: ["'tag' must be a string, got a float"]),
        Malformed(
            name: "requires is a string", text: "package: zlib\nversion: v1\nrequires: ROOT\n---\n", kind: .wrongType,
            line: 3, says: ["'requires' must be a list of package names, got a string"]),
        Malformed(
            name: "build_requires is a mapping", text: "package: zlib\nversion: v1\nbuild_requires:\n  CMake: x\n---\n",
            kind: .wrongType, line: 3, says: ["'build_requires'", "got a mapping"]),
        Malformed(
            name: "requires entry is an int", text: "package: zlib\nversion: v1\nrequires:\n  - ROOT\n  - 5\n---\n",
            kind: .wrongType, line: 3, says: ["'requires' must be a list of strings, got an entry that is an integer"]),
        Malformed(
            name: "build_requires entry is a mapping", text: "package: zlib\nversion: v1\nbuild_requires:\n  - CMake: x\n---\n",
            kind: .wrongType, line: 3, says: ["an entry that is a mapping"]),
        Malformed(
            name: "requires entry is not a package name",
            text: "package: zlib\nversion: v1\n\nrequires:\n  - \"bad name:slc.*\"\n---\n",
            kind: .invalidRequirement, line: 4, says: ["'requires' entry \"bad name:slc.*\"", "invalid package name \"bad name\""]),
        Malformed(
            name: "env is a string", text: "package: zlib\nversion: v1\nenv: FOO=bar\n---\n", kind: .wrongType, line: 3,
            says: ["'env' must be a mapping", "got a string"]),
        Malformed(
            name: "env is a list", text: "package: zlib\nversion: v1\nenv:\n  - FOO: bar\n---\n", kind: .wrongType, line: 3,
            says: ["got a list"]),
        Malformed(
            name: "prepend_path is a string", text: "package: zlib\nversion: v1\nprepend_path: /bin\n---\n", kind: .wrongType,
            line: 3, says: ["'prepend_path'"]),
        Malformed(
            name: "track_env is a list", text: "package: zlib\nversion: v1\ntrack_env: [a]\n---\n", kind: .wrongType,
            line: 3, says: ["'track_env'"]),
        Malformed(
            name: "prefer_system is a boolean", text: "package: zlib\nversion: v1\nprefer_system: yes\n---\n", kind: .wrongType,
            line: 3, says: ["'prefer_system' must be a string, got a boolean"]),
        Malformed(
            name: "system_requirement_check is a list",
            text: "package: zlib\nversion: v1\nsystem_requirement: .*\nsystem_requirement_check: [a]\n---\n",
            kind: .wrongType, line: 4, says: ["'system_requirement_check'"]),
        Malformed(
            name: "valid_defaults holds a number", text: "package: zlib\nversion: v1\nvalid_defaults: [o2, 5]\n---\n",
            kind: .wrongType, line: 3, says: ["'valid_defaults' must be a string or a list of strings"]),
        Malformed(
            name: "body in a system_requirement recipe",
            text: "package: zlib\nversion: v1\nsystem_requirement: \".*\"\nsystem_requirement_check: \"true\"\n---\necho hi\n",
            kind: .bodyInSystemRequirement, line: 5, says: ["must have an empty build script"]),
        Malformed(
            name: "unsupported tag", text: "package: zlib\nversion: v1\nx: !!python/object:os.system x\n---\n",
            kind: .unsupportedValue, line: 3)
    ]

    @Test(arguments: malformed)
    func malformedRecipesAreRefusedWithFileAndLine(_ bad: Malformed) {
        do {
            let recipe = try Recipe(text: bad.text, file: bad.file)
            Issue.record("accepted: \(recipe.header)")
        } catch {
            #expect(Kind(error) == bad.kind, "\(error)")
            #expect(error.location?.file == bad.file)
            #expect(error.location?.line == bad.line, "\(error)")
            #expect(error.description.hasPrefix("\(bad.file):\(bad.line)"), "\(error)")
            for fragment in bad.says {
                #expect(error.description.contains(fragment), "\(error)")
            }
        }
    }

    /// PyYAML's pure-Python scanner (aliBuild's loader) takes only spaces as separators outside quotes:
    /// `version: v1<TAB># note` is a ScannerError there. libyaml (Yams) reads YAML 1.2's rule and
    /// accepts these tabs; the README lists this as a deliberate leniency, pinned here.
    @Test(arguments: [
        "package: zlib\nversion: v1\t# note\n---\n", "package: zlib\nversion: v1\t\n---\n",
        "package: zlib\nversion:\tv1\n---\n", "package: zlib\nversion: v1\nrequires: [a,\tb]\n---\n"
    ])
    func tabsOutsideQuotesAreAcceptedUnlikePyYAML(_ text: String) throws {
        let recipe = try Recipe(text: text, file: "zlib.sh")
        #expect(recipe.header["version"] == .string("v1"))
    }

    @Test func missingSeparator() {
        #expect(throws: RecipeError.headerMissing(SourceLocation(file: "zlib.sh"))) {
            try Recipe(text: "package: zlib\nversion: v1\n", file: "zlib.sh")
        }
        #expect(
            RecipeError.headerMissing(SourceLocation(file: "zlib.sh")).description
                == "zlib.sh: no '---' separates the YAML header from the build script")
        #expect(throws: RecipeError.self) { try Recipe(text: "", file: "zlib.sh") }
    }

    @Test func invalidYAMLReportsTheColumnToo() {
        #expect {
            try Recipe(text: "package: zlib\nversion: v1\n  tag: x\n---\n", file: "zlib.sh")
        } throws: { error in
            guard let error = error as? RecipeError, case let .invalidYAML(location, column, _) = error else { return false }
            return location.line == 3 && column == 6 && error.description.hasPrefix("zlib.sh:3:6: invalid YAML in the header: ")
        }
    }
}
