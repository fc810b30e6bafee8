import AlienModel
import Foundation
import HostEnvironment
import Resolver
import Testing

@Suite struct RecipeContextTests {
    static let recipes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("recipes").path

    @Test func resolvesTheShippedRecipesOffline() throws {
        let context = RecipeContext(configDir: Self.recipes, architecture: try Architecture("slc7_x86-64"),
                                    date: "2026-01-02", recipesBranch: "master")
        let plan = try context.resolve(targets: [try PackageName("AliRoot")])
        #expect(plan.packages.count > 15)
        #expect(plan[try PackageName("AliEn-Runtime")] != nil)
        #expect(plan.orderedPackages.last?.name.rawValue == "AliRoot")
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
            "\(error)".contains("--date \(date)")
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
