import AlienModel
import Builder
import Foundation
import HostEnvironment
import Resolver
import Testing
import TestSupport

/// The strict init.sh parser on aliBuild's own `generate_initdotsh` output, for the shipped
/// recipes and for generated recipe sets: it reads each into the Builder's manifest (or both
/// refuse), and the environment computed from the manifests equals bash sourcing aliBuild's text.
@Suite(.enabled(if: Interop.available, Interop.skipReason))
struct ManifestInteropTests {
    static func compare(
        configDir: URL, targets: [String], defaults: String, arch: String, extra: [String],
        plan: () throws -> BuildPlan, label: String
    ) throws {
        let result = try Interop.python("alibuild_initsh.py", ["--config-dir", configDir.path, "--defaults", defaults, "--arch", arch] + extra + targets)
        try #require(result.status == 0, "\(label): \(result.stderr)")
        let theirs = try JSONDecoder().decode(InitScriptDifferentialTests.AliBuildInit.self, from: result.stdout)
        guard theirs.error == nil, let plan = try? plan() else { return }
        var identities: [PackageName: PackageIdentity] = [:]
        for package in plan.orderedPackages {
            identities[package.name] = PackageIdentity(
                build: PackageBuild(name: package.name, version: PackageVersion(version: package.version, revision: "1")),
                hash: package.remoteHash, commitHash: package.commitHash)
        }
        var tree = try InitScriptTree(arch: arch)
        defer { tree.remove() }
        for package in plan.orderedPackages {
            guard let entry = theirs.`init`[package.name.rawValue], let text = entry else { continue }
            let parsed = Result { try InitScriptParser.parse(text + "\n", file: "\(package.name)/etc/profile.d/init.sh") }
            let built = Result { try InitScript.manifest(for: package, identities: identities, architecture: plan.architecture) }
            switch (parsed, built) {
            case let (.success(manifest), .success(mine)):
                #expect(manifest == mine, "\(label): \(package.name)")
                try tree.add(manifest, initScript: text)
            case let (.success(manifest), .failure(error)):
                Issue.record("\(label): \(package.name): the Builder refused (\(error)) what the parser reads as \(manifest)")
            case (.failure, .success):
                // The Builder is never more lenient than the parser.
                Issue.record("\(label): \(package.name): the parser refused aliBuild's init.sh the Builder describes")
            case (.failure, .failure):
                break  // both refuse: a value only a shell could evaluate
            }
        }
        // Packages are evaluated with their dependencies: those whose closure could all be read.
        let outcome = try tree.compare()
        #expect(outcome.differences == [], "\(label)")
        if ProcessInfo.processInfo.environment["ALIEN_MANIFEST_STATS"] == "1" {
            print("manifest-stats \(label): compared \(outcome.compared) of \(plan.orderedPackages.count)")
        }
    }

    @Test(arguments: ["release", "root6next"])
    func shippedRecipes(defaults: String) throws {
        let configDir = Interop.root.appendingPathComponent("recipes")
        try Self.compare(
            configDir: configDir, targets: ["AliRoot", "AliEn-Runtime"], defaults: defaults, arch: "slc9_x86-64",
            extra: ["--assume-system"],
            plan: {
                try Resolver(provider: DirectoryRecipeProvider(configDir: configDir.path)).resolve(
                    ResolutionRequest(
                        targets: [try PackageName("AliRoot"), try PackageName("AliEn-Runtime")], defaults: defaults,
                        architecture: try Architecture("slc9_x86-64"), recipesBranch: { "master" }))
            }, label: "recipes/ \(defaults)")
    }

    @Test(arguments: Array(1...60))
    func generatedRecipeSet(seed: Int) throws {
        let directory = try Interop.temporaryDirectory("manifest-\(seed)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = try Interop.python("gen_recipes.py", ["--seed", "\(seed)", "--out", directory.path])
        try #require(generated.status == 0, "gen_recipes.py --seed \(seed): \(generated.stderr)")
        struct CaseFile: Decodable { var targets: [String], defaults: String, arch: String, date: String? }
        let file = try JSONDecoder().decode(CaseFile.self, from: Data(contentsOf: directory.appendingPathComponent("case.json")))
        let date = file.date ?? "2026-11-25-14"
        let fields = date.split(separator: "-").compactMap { Int($0) }
        try Self.compare(
            configDir: directory, targets: file.targets, defaults: file.defaults, arch: file.arch,
            extra: ["--assume-system", "--date", date],
            plan: {
                try Resolver(provider: DirectoryRecipeProvider(configDir: directory.path)).resolve(
                    ResolutionRequest(
                        targets: try file.targets.map { try PackageName($0) }, defaults: file.defaults, architecture: try Architecture(file.arch),
                        date: ResolutionDate(year: fields[0], month: fields[1], day: fields[2], hour: fields.count > 3 ? fields[3] : 0),
                        recipesBranch: { "master" }))
            }, label: "seed \(seed)")
    }
}
