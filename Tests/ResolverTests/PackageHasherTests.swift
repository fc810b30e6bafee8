import AlienModel
import Recipes
import Resolver
import Testing
import TestSupport

/// aliBuild's own hash test vectors (spec: recipe-format.md, "Test vectors").
@Suite struct PackageHasherTests {
    static let build = "./configure\nmake\nmake install"

    static func vectorProvider() -> InMemoryRecipeProvider {
        func envBlock(_ key: String, _ prefix: String, _ value: String) -> String {
            "\(key):\n" + (1...6).map { "  \(prefix)\($0): \"\(value) \($0)\"" }.joined(separator: "\n")
        }
        let root = [
            "package: ROOT", "version: v6-08-30", "tag: v6-08-00-patches", "source: https://github.com/root-mirror/root",
            "requires:\n  - zlib",
            envBlock("env", "ROOT_TEST_", "root test"),
            envBlock("append_path", "APPEND_ROOT_", "append root"),
            envBlock("prepend_path", "PREPEND_ROOT_", "prepend root")
        ].joined(separator: "\n")
        return RecipeFixtures.provider([
            "defaults-release.sh": RecipeFixtures.defaultsRelease,
            "zlib.sh": RecipeFixtures.text("package: zlib\nversion: v1.3.1\ntag: master\nsource: https://github.com/madler/zlib", body: build),
            "root.sh": RecipeFixtures.text(root, body: build),
            "extra.sh": RecipeFixtures.text("package: Extra\nversion: v1\ntag: v1\nsource: file:///dev/null\nrequires:\n  - ROOT")
        ])
    }

    static let branches = [
        "https://github.com/madler/zlib": ["master": "8822efa61f2a385e0bc83ca5819d608111b2168a"],
        "https://github.com/root-mirror/root": ["v6-08-00-patches": "f7b336611753f1f4aaa94222b0d620748ae230c0"],
        "file:///dev/null": ["v1": "ba22"]
    ]

    @Test func aliBuildVectors() throws {
        let resolver = Resolver(provider: Self.vectorProvider())
        let plan = try resolver.resolve(
            ResolutionRequest(
                targets: RecipeFixtures.names("Extra"), architecture: RecipeFixtures.architecture(), branches: Self.branches))
        let hashes = plan.hashes { $0.rawValue == "defaults-release" ? .remote : .local }
        #expect(hashes[try PackageName("defaults-release")] == "27ce49698e818e8efb56b6eff6dd785e503df341")
        #expect(hashes[try PackageName("zlib")] == "4d6a75f214dc7931a2a7d5ba82ea0568e652cd84")
        #expect(hashes[try PackageName("ROOT")] == "1f3c771080f71b6c0d2e3d7a285698a20035da12")
        #expect(hashes[try PackageName("Extra")] == "6e7bc4976abf77b558cf7faf575ec51670f8d0e5")
        #expect(plan[try PackageName("defaults-release")]?.remoteHash == "27ce49698e818e8efb56b6eff6dd785e503df341")
    }
}
