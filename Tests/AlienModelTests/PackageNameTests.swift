import AlienModel
import Foundation
import Testing

@Suite struct PackageNameTests {
    @Test(arguments: [
        "ROOT", "AliEn-Runtime", "defaults-release", "zlib", "GCC-Toolchain", "lib.a", "C++", "3rdparty",
        "x", "0", "Python_modules", "a-b_c.d+e"
    ])
    func acceptsValidNames(_ text: String) throws {
        let name = try PackageName(text)
        #expect(name.rawValue == text)
        #expect(name.description == text)
    }

    @Test(arguments: [
        ("", "empty"),
        ("-x", "starts with a letter or a digit"),
        ("_x", "starts with a letter or a digit"),
        (".hidden", "starts with a letter or a digit"),
        ("+x", "starts with a letter or a digit"),
        ("é", "starts with a letter or a digit"),
        ("a b", "\" \""),
        ("a/b", "\"/\""),
        ("a:b", "\":\""),
        ("a@b", "\"@\""),
        ("ROOT\n", "\"\n\""),
        ("Ali\u{E9}n", "\"\u{E9}\""),
        ("a\tb", "\"\t\"")
    ])
    func refusesInvalidNames(_ text: String, _ reasonFragment: String) {
        #expect {
            try PackageName(text)
        } throws: { error in
            guard let error = error as? ModelError, case let .invalidPackageName(input, reason) = error else { return false }
            return input == text && reason.contains(reasonFragment)
                && error.description.hasPrefix("invalid package name \"\(text)\"")
        }
    }

    @Test(arguments: [
        ("ROOT", "root.sh", "ROOT"),
        ("AliEn-Runtime", "alien-runtime.sh", "ALIEN_RUNTIME"),
        ("defaults-release", "defaults-release.sh", "DEFAULTS_RELEASE"),
        ("GCC-Toolchain", "gcc-toolchain.sh", "GCC_TOOLCHAIN"),
        ("zlib", "zlib.sh", "ZLIB"),
        ("Python_modules", "python_modules.sh", "PYTHON_MODULES")
    ])
    func derivedNames(_ text: String, _ file: String, _ prefix: String) throws {
        let name = try PackageName(text)
        #expect(name.recipeFileName == file)
        #expect(name.environmentPrefix == prefix)
    }

    @Test func caseMattersForEqualityAndOrdering() throws {
        let upper = try PackageName("ROOT"), lower = try PackageName("root")
        #expect(upper != lower)
        #expect(upper.recipeFileName == lower.recipeFileName)
        #expect(upper < lower)  // byte order: upper-case letters sort first
        let sorted = try ["zlib", "ROOT", "AliRoot", "boost"].map { try PackageName($0) }.sorted()
        #expect(sorted.map(\.rawValue) == ["AliRoot", "ROOT", "boost", "zlib"])
    }

    @Test func codableRoundTripAndValidation() throws {
        let names = try ["ROOT", "AliEn-Runtime"].map { try PackageName($0) }
        let data = try JSONEncoder().encode(names)
        #expect(String(decoding: data, as: UTF8.self) == #"["ROOT","AliEn-Runtime"]"#)
        #expect(try JSONDecoder().decode([PackageName].self, from: data) == names)
        #expect(throws: ModelError.self) {
            try JSONDecoder().decode([PackageName].self, from: Data(#"["bad name"]"#.utf8))
        }
    }

    /// The byte map for ASCII names gives what upper-casing gives.
    @Test(arguments: ["AliEn-Runtime", "a.b+c_d", "ROOT", "zlib", "x-1-y", "Ab9z"])
    func environmentPrefixUpperCasesAndMapsDashes(text: String) throws {
        let name = try PackageName(text)
        #expect(name.environmentPrefix == String(text.uppercased().map { $0 == "-" ? "_" : $0 }))
    }
}
