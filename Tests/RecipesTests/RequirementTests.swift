import AlienModel
import Recipes
import Testing

@Suite struct RequirementTests {
    static let here = SourceLocation(file: "alidist/o2.sh", line: 7)

    @Test(arguments: [
        ("ROOT", "ROOT", Requirement.Condition.architecture(pattern: ".*")),
        ("GCC-Toolchain:(?!osx)", "GCC-Toolchain", .architecture(pattern: "(?!osx)")),
        ("AliEn-Runtime:(?!.*ppc64)", "AliEn-Runtime", .architecture(pattern: "(?!.*ppc64)")),
        ("Python:defaults=o2.*", "Python", .defaults(pattern: "o2.*")),
        ("O2Physics:defaults=(?!release)", "O2Physics", .defaults(pattern: "(?!release)")),
        ("ROOT:", "ROOT", .architecture(pattern: "")),
        ("ROOT:defaults=", "ROOT", .defaults(pattern: "")),
        ("A:b:c", "A", .architecture(pattern: "b:c")),
        ("A:slc.*:defaults=x", "A", .architecture(pattern: "slc.*:defaults=x")),
        ("A:Defaults=x", "A", .architecture(pattern: "Defaults=x")),
        ("A: defaults=x", "A", .architecture(pattern: " defaults=x")),
        ("A:defaults=a:b", "A", .defaults(pattern: "a:b")),
        ("defaults-release", "defaults-release", .architecture(pattern: ".*"))
    ])
    func parses(_ text: String, _ name: String, _ condition: Requirement.Condition) throws {
        let requirement = try Requirement(parsing: text, location: Self.here)
        #expect(requirement.name.rawValue == name)
        #expect(requirement.condition == condition)
        #expect(requirement.text == text)
        #expect(requirement.description == text)
    }

    @Test(arguments: [
        ("", "the name is empty"),
        (":slc7", "the name is empty"),
        (":defaults=o2", "the name is empty"),
        ("bad name", "character \" \" is not allowed"),
        ("ROOT ", "character \" \" is not allowed"),
        (" ROOT", "a name starts with a letter or a digit"),
        ("a/b:slc7", "character \"/\" is not allowed"),
        ("-x", "a name starts with a letter or a digit")
    ])
    func refusesInvalidNames(_ text: String, _ reasonFragment: String) {
        #expect {
            try Requirement(parsing: text, location: Self.here, key: "build_requires")
        } throws: { error in
            guard let error = error as? RecipeError,
                case let .invalidRequirement(location, key, entry, reason) = error
            else { return false }
            return location == Self.here && key == "build_requires" && entry == text && reason.description.contains(reasonFragment)
                && error.description.hasPrefix("alidist/o2.sh:7: 'build_requires' entry \"\(text)\": invalid package name")
        }
    }

    @Test func theKeyDefaultsToRequires() {
        #expect(
            throws: RecipeError.invalidRequirement(
                Self.here, key: "requires", entry: "a b",
                reason: .invalidPackageName("a b", reason: "character \" \" is not allowed (letters, digits, '-', '_', '.', '+')")
            )
        ) {
            try Requirement(parsing: "a b", location: Self.here)
        }
    }

    @Test func equalityIsByText() throws {
        let a = try Requirement(parsing: "ROOT:slc.*", location: Self.here)
        let b = try Requirement(parsing: "ROOT:slc.*", location: SourceLocation(file: "other.sh", line: 1), key: "build_requires")
        let c = try Requirement(parsing: "ROOT", location: Self.here)
        #expect(a == b)
        #expect(a != c)
        #expect(a.name == c.name)
    }

    @Test func recipesKeepTheirRequirementsAsWritten() throws {
        let recipe = try Recipe(
            text: """
                package: O2
                version: v1
                requires:
                  - ROOT
                  - "GCC-Toolchain:(?!osx)"
                build_requires:
                  - "Python:defaults=o2.*"
                ---
                """, file: "o2.sh")
        let parsed = try (recipe.header["requires"]?.asList ?? []).map {
            try Requirement(parsing: $0.stringValue ?? "", location: recipe.location(of: "requires"))
        }
        #expect(parsed.map(\.name.rawValue) == ["ROOT", "GCC-Toolchain"])
        #expect(parsed.map(\.condition) == [.architecture(pattern: ".*"), .architecture(pattern: "(?!osx)")])
    }
}
