import AlienModel
import Foundation
import HostEnvironment
import Recipes
import Testing

@Suite struct DirectoryRecipeProviderTests {
    static func tree(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("alien-provider-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func bitsPathFoldersComeFirstThenTheConfigDir() throws {
        let root = try Self.tree([
            "zlib.sh": "package: zlib\nversion: top\n---\n",
            "overlay/zlib.sh": "package: zlib\nversion: overlay\n---\n",
            "extra/root.sh": "package: ROOT\nversion: v6\n---\n",
            "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n",
            "extra/defaults-next.sh": "package: defaults-next\nversion: v1\n---\n"
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let plain = DirectoryRecipeProvider(configDir: root.path)
        #expect(plain.searchPath == [root.path])
        #expect(try plain.recipe(named: "zlib.sh")?.header["version"] == .string("top"))
        #expect(try plain.recipe(named: "root.sh") == nil)

        let layered = DirectoryRecipeProvider(configDir: root.path, bitsPath: "overlay:extra:")
        #expect(layered.searchPath == [root.path + "/overlay", root.path + "/extra", root.path])
        #expect(try layered.recipe(named: "zlib.sh")?.header["version"] == .string("overlay"))
        #expect(try layered.recipe(named: "root.sh")?.package.rawValue == "ROOT")
        #expect(layered.availableDefaults() == ["next", "release"])
    }

    @Test func unreadableAndMissingFilesAreTypedErrors() throws {
        let root = try Self.tree(["bad.sh": ""])
        defer { try? FileManager.default.removeItem(at: root) }
        try Data([0xFF, 0xFE, 0x00]).write(to: root.appendingPathComponent("bad.sh"))
        let provider = DirectoryRecipeProvider(configDir: root.path)
        #expect { try provider.file(named: "bad.sh") } throws: { error in
            guard case let .unreadable(location, reason)? = error as? RecipeError else { return false }
            return location.file.hasSuffix("bad.sh") && reason.contains("UTF-8")
        }
        #expect { try provider.defaults(named: "nope") } throws: { error in
            "\(error)".contains("defaults-nope.sh")
        }
    }
}
