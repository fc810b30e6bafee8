import AlienModel
import Builder
import Foundation
import HostEnvironment
import Resolver
import Testing

/// Our `etc/profile.d/init.sh` against aliBuild's own `generate_initdotsh`, byte for byte,
/// for every package of the shipped recipes and of generated recipe sets.
@Suite(.enabled(if: Interop.available, Interop.skipReason))
struct InitScriptDifferentialTests {
    struct AliBuildInit: Decodable {
        var error: String?
        var `init`: [String: String?]
    }

    static func compare(
        configDir: URL, targets: [String], defaults: String, arch: String, extra: [String] = [],
        plan: () throws -> BuildPlan, label: String
    ) throws {
        let result = try Interop.python(
            "alibuild_initsh.py",
            [
                "--config-dir", configDir.path, "--defaults", defaults,
                "--arch", arch
            ] + extra + targets)
        try #require(result.status == 0, "\(label): \(result.stderr)")
        let theirs = try JSONDecoder().decode(AliBuildInit.self, from: result.stdout)
        guard theirs.error == nil, let plan = try? plan() else { return }
        var identities: [PackageName: PackageIdentity] = [:]
        for package in plan.orderedPackages {
            identities[package.name] = PackageIdentity(
                build: PackageBuild(name: package.name, version: PackageVersion(version: package.version, revision: "1")),
                hash: package.remoteHash, commitHash: package.commitHash)
        }
        for package in plan.orderedPackages {
            guard let entry = theirs.`init`[package.name.rawValue] else { continue }
            let mine = Result { try InitScript.generate(for: package, identities: identities, architecture: plan.architecture, postBuild: true) }
            switch (entry, mine) {
            case let (expected?, .success(text)):
                #expect(text == expected, "\(label): init.sh of \(package.name)")
            case let (_?, .failure(error)):
                Issue.record("\(label): \(package.name): we refused (\(error)) what aliBuild wrote")
            case let (nil, .success(text)):
                Issue.record("\(label): \(package.name): aliBuild cannot write this init.sh, we wrote:\n\(text)")
            case (nil, .failure):
                break  // both refuse (a non-string path entry)
            }
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
        let directory = try Interop.temporaryDirectory("initsh-\(seed)")
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
