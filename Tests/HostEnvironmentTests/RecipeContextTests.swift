import AlienModel
import Foundation
import HostEnvironment
import Recipes
import Resolver
import Testing

@Suite struct RecipeContextTests {
    static let recipes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("recipes").path

    @Test func resolvesTheShippedRecipesOffline() throws {
        let context = RecipeContext(
            configDir: Self.recipes, architecture: try Architecture("slc7_x86-64"),
            date: "2026-01-02", recipesBranch: "master")
        let plan = try context.resolve(targets: [try PackageName("AliRoot")])
        #expect(plan.packages.count > 15)
        #expect(plan[try PackageName("AliEn-Runtime")] != nil)
        #expect(plan.orderedPackages.last?.name.rawValue == "AliRoot")
    }

    /// The offline default runs what aliBuild build runs under noSystem="*": track_env and the
    /// prefer check of allow_system_package_upload recipes; other prefer checks are skipped and
    /// system requirements taken as present (issue 15 §1).
    @Test func offlineDefaultRunsOnlyWhatAliBuildRunsUnderNoSystem() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-offline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let marker = directory.appendingPathComponent("plain-check-ran").path
        let files = [
            "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n",
            "top.sh": "package: top\nversion: v1\nrequires: [gpu, plain, missing]\ntrack_env:\n  WHO: echo tracked-$ALIBUILD_VERSION\n---\n",
            "gpu.sh": """
            package: gpu
            version: "error"
            allow_system_package_upload: true
            prefer_system: .*
            prefer_system_check: 'echo "alibuild_system_replace: seen-$ALIBUILD_VERSION"'
            prefer_system_replacement_specs:
              ".*":
                version: "%(key)s"
                recipe: "true"
            ---

            """,
            "plain.sh": "package: plain\nversion: v2\nprefer_system: .*\nprefer_system_check: touch \(marker)\n---\necho\n",
            "missing.sh": "package: missing\nversion: v1\nsystem_requirement: .*\nsystem_requirement_check: exit 1\n---\n"
        ]
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let context = RecipeContext(
            configDir: directory.path, architecture: try Architecture("slc9_x86-64"),
            date: "2026-01-02", recipesBranch: "master")
        let plan = try context.resolve(targets: [try PackageName("top")])
        #expect(plan[try PackageName("gpu")]?.version == "seen-1.17.48")
        #expect(plan[try PackageName("top")]?.trackEnv?["WHO"] == .string("tracked-1.17.48"))
        #expect(plan[try PackageName("plain")]?.version == "v2")
        #expect(!FileManager.default.fileExists(atPath: marker), "a plain prefer check must not run offline")
        #expect(plan.disabled.contains("missing"))
    }

    @Test func configDirComesFromTheEnvironmentWhenNotGiven() throws {
        let context = RecipeContext(environment: ["ALIEN_RECIPES": "/somewhere/recipes"])
        #expect(try context.resolvedConfigDir() == "/somewhere/recipes")
    }

    @Test func architectureOverrideAndDetection() throws {
        let forced = RecipeContext(environment: ["ALIEN_ARCHITECTURE": "slc9_aarch64"])
        #expect(try forced.resolvedArchitecture().rawValue == "slc9_aarch64")
        let detected = try RecipeContext(environment: [:]).resolvedArchitecture()
        #expect(!detected.cpu.isEmpty)
        #expect { try RecipeContext(environment: ["ALIEN_ARCHITECTURE": "x86_64"]).resolvedArchitecture() } throws: { _ in true }
    }

    @Test(arguments: ["2026-13", "yesterday", "2026-1-2-3-4"])
    func badDatesAreRefused(_ date: String) throws {
        let context = RecipeContext(configDir: Self.recipes, architecture: try Architecture("slc7_x86-64"), date: date)
        #expect { try context.resolve(targets: [try PackageName("zlib")]) } throws: { error in
            "\(error)".contains("date \(date): expected")
        }
    }

    @Test func doctorReportsMissingRecipesAndRunsChecks() throws {
        let context = RecipeContext(configDir: Self.recipes, architecture: try Architecture("slc7_x86-64"), recipesBranch: "master")
        let report = try context.diagnose(targets: [try PackageName("zlib"), try PackageName("NoSuchThing")])
        #expect(report.missingRecipes == ["NoSuchThing"])
        #expect(report.exitCode == 1)
        #expect(report.text.contains("No recipe found for"))
    }
}
