import AlienModel
import Builder
import Foundation
import HostEnvironment
import Resolver
import Testing
import TestSupport

/// The Builder's environment manifest is what its init.sh says: for every package of the shipped
/// recipe sets, the strict parser reads the generated init.sh back into the same manifest, and
/// the environment computed from the manifests equals bash sourcing the init.sh files.
@Suite struct InitScriptManifestTests {
    static let recipes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("recipes")

    static func check(configDir: URL, targets: [String], defaults: String) throws {
        // System requirements assumed present (no check runs): every package gets an init.sh.
        let plan = try RecipeContext(
            configDir: configDir.path, defaults: defaults, architecture: try Architecture("slc9_x86-64"),
            systemChecks: .assume, recipesBranch: "master"
        ).resolve(targets: try targets.map { try PackageName($0) })
        var identities: [PackageName: PackageIdentity] = [:]
        for package in plan.orderedPackages {
            identities[package.name] = PackageIdentity(
                build: PackageBuild(name: package.name, version: PackageVersion(version: package.version, revision: "1")),
                hash: package.remoteHash, commitHash: package.commitHash)
        }
        var tree = try InitScriptTree(arch: plan.architecture.rawValue)
        defer { tree.remove() }
        for package in plan.orderedPackages {
            let text = try InitScript.generate(for: package, identities: identities, architecture: plan.architecture, postBuild: true)
            let manifest = try InitScript.manifest(for: package, identities: identities, architecture: plan.architecture)
            #expect(try InitScriptParser.parse(text + "\n", file: "\(package.name)/init.sh") == manifest, "\(configDir.lastPathComponent) \(package.name)")
            #expect(try EnvironmentManifest(jsonBytes: manifest.jsonBytes, file: "m") == manifest)
            try tree.add(manifest, initScript: text)
        }
        #expect(tree.manifests.count == plan.orderedPackages.count)
        let result = try tree.compare()
        #expect(result.compared == plan.orderedPackages.count)
        #expect(result.differences == [], "\(configDir.lastPathComponent) \(defaults)")
    }

    @Test(arguments: ["release", "root6next"])
    func shippedRecipes(defaults: String) throws {
        try Self.check(configDir: Self.recipes, targets: ["AliRoot", "AliEn-Runtime"], defaults: defaults)
    }

    @Test func demoRecipes() throws {
        try Self.check(configDir: Self.recipes.appendingPathComponent("demo"), targets: ["GridDemo"], defaults: "release")
    }

    @Test func valuesNoManifestCanHoldFailTheBuildNamingTheKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-manifest-recipes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "package: defaults-release\nversion: v1\n---\n".write(
            to: directory.appendingPathComponent("defaults-release.sh"), atomically: true, encoding: .utf8)
        for (value, reason) in [("$(brew --prefix)/x", "command substitution"), ("${X:-y}", "parameter expansion"), ("`id`", "backticks")] {
            let recipe = "package: Tool\nversion: v1\nenv:\n  TOOL_HOME: '\(value)'\n---\ntrue\n"
            try recipe.write(to: directory.appendingPathComponent("tool.sh"), atomically: true, encoding: .utf8)
            let plan = try RecipeContext(
                configDir: directory.path, architecture: try Architecture("slc9_x86-64"), systemChecks: .noSystem,
                recipesBranch: "master"
            ).resolve(targets: [try PackageName("Tool")])
            let tool = try #require(plan.orderedPackages.first { $0.name.rawValue == "Tool" })
            var identities: [PackageName: PackageIdentity] = [:]
            for package in plan.orderedPackages {
                identities[package.name] = PackageIdentity(
                    build: PackageBuild(name: package.name, version: PackageVersion(version: package.version, revision: "1")),
                    hash: "h", commitHash: "c")
            }
            do {
                _ = try InitScript.manifest(for: tool, identities: identities, architecture: plan.architecture)
                Issue.record("accepted \(value)")
            } catch {
                #expect(error.description.hasPrefix("Tool: 'env.TOOL_HOME' column 1: \(reason)") || error.description.contains(reason), "\(error)")
                #expect(error.description.contains("sites compute environments without running init.sh"))
            }
        }
    }
}
