import AlienModel
import Foundation
import HostEnvironment
import Recipes
import Resolver
import Testing

/// Our resolver against aliBuild 1.17.48 itself (Tests/interop/alibuild_plan.py drives
/// aliBuild's own getPackageList / topological_sort / resolve_version / storeHashes):
/// package set, discovery order, versions, commits, dependencies and both hashes must be
/// identical, on the shipped recipes and on generated recipe sets.
@Suite(.enabled(if: Interop.available, Interop.skipReason))
struct AliBuildDifferentialTests {
    /// What aliBuild said (the harness's JSON).
    struct AliBuildPlan: Decodable {
        struct Package: Decodable {
            var version: String?
            var hash: String?
            var local_hash: String?
            var commit_hash: String?
            var tag: String?
            var requires: [String]?
            var build_requires: [String]?
            var runtime_requires: [String]?
        }
        var order: [String]?
        var disabled: [String]?
        var packages: [String: Package]?
        var error: String?
    }

    struct Case {
        var configDir: URL
        var targets: [String]
        var defaults: String
        var arch: String
        var disable: [String] = []
        var noSystem: String?
        var date = "2026-11-25-14"
        var branches: [String: [String: String]] = [:]
        var recipesBranch = "master"
        /// true: every package is a localN revision (compare local hashes); false: remote.
        var local = false
        /// true: no check runs on either side (the pure `AssumedSystem`); false: real bash checks.
        var assumeSystem = false
        /// true: `resolve`'s offline default (`RecipeContext` without --check-system) against
        /// aliBuild's `--no-system --assume-requirements`.
        var offlineDefault = false
        var label: String
    }

    // MARK: the shipped recipes

    static let shippedCases: [(String, String)] = [
        ("release", "slc7_x86-64"), ("release", "slc9_x86-64"), ("release", "ubuntu2204_x86-64"),
        ("root6next", "slc9_x86-64"), ("root6next", "osx_arm64"), ("release", "slc9_aarch64")
    ]

    @Test(arguments: shippedCases)
    func shippedRecipes(defaults: String, arch: String) throws {
        let configDir = Interop.root.appendingPathComponent("recipes")
        let all = try FileManager.default.contentsOfDirectory(atPath: configDir.path)
            .filter { $0.hasSuffix(".sh") && !$0.hasPrefix("defaults-") }
            .map { try Recipe(text: String(contentsOf: configDir.appendingPathComponent($0), encoding: .utf8), file: $0).package.rawValue }
            .sorted()
        #expect(all.count >= 20)
        for (index, targets) in ([all] + [["AliRoot"], ["ROOT"], ["AliEn-Runtime"], ["xrootd"]]).enumerated() {
            // Offline (no check runs), in both hash worlds: independent of this host.
            for local in [false, true] {
                let outcome = try Self.compare(
                    Case(
                        configDir: configDir, targets: targets, defaults: defaults, arch: arch,
                        local: local, assumeSystem: true, label: "recipes/ \(defaults) \(arch) #\(index)"))
                #expect(outcome == .bothResolved, "the shipped recipes must resolve offline")
            }
            // Real checks on this host (both sides see the same host; both may refuse).
            try Self.compare(
                Case(
                    configDir: configDir, targets: targets, defaults: defaults, arch: arch,
                    label: "recipes/ \(defaults) \(arch) with checks #\(index)"))
            try Self.compare(
                Case(
                    configDir: configDir, targets: targets, defaults: defaults, arch: arch,
                    noSystem: "*", label: "recipes/ \(defaults) \(arch) --no-system #\(index)"))
        }
    }

    static let shippedPackages: [String] = {
        let directory = Interop.root.appendingPathComponent("recipes")
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".sh") && !$0.hasPrefix("defaults-") }
            .compactMap { try? Recipe(text: String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8), file: $0).package.rawValue }
            .sorted()
    }()

    /// Every shipped package as the only target, with both defaults files.
    @Test(arguments: shippedPackages)
    func everyShippedPackageAlone(package: String) throws {
        let configDir = Interop.root.appendingPathComponent("recipes")
        for defaults in ["release", "root6next"] {
            try Self.compare(
                Case(
                    configDir: configDir, targets: [package], defaults: defaults, arch: "slc9_x86-64",
                    assumeSystem: true, label: "recipes/ \(package) \(defaults)"))
        }
    }

    // MARK: generated recipe sets

    static let firstSeed = Int(ProcessInfo.processInfo.environment["ALIEN_DIFF_FIRST_SEED"] ?? "") ?? 1
    static let seedCount = Int(ProcessInfo.processInfo.environment["ALIEN_DIFF_SEEDS"] ?? "") ?? 240

    @Test(arguments: Array(firstSeed..<(firstSeed + seedCount)))
    func generatedRecipeSet(seed: Int) throws {
        let directory = try Interop.temporaryDirectory("gen-\(seed)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = try Interop.python("gen_recipes.py", ["--seed", "\(seed)", "--out", directory.path])
        try #require(generated.status == 0, "gen_recipes.py --seed \(seed) failed: \(generated.stderr)")
        struct CaseFile: Decodable {
            var targets: [String], defaults: String, arch: String, disable: [String]?, date: String?
            var git_refs: [String: [String: String]]?, no_system: String?, alidist_branch: String?
        }
        let file = try JSONDecoder().decode(CaseFile.self, from: Data(contentsOf: directory.appendingPathComponent("case.json")))
        try Self.compare(
            Case(
                configDir: directory, targets: file.targets, defaults: file.defaults, arch: file.arch, disable: file.disable ?? [],
                noSystem: file.no_system, date: file.date ?? "2026-11-25-14", branches: file.git_refs ?? [:],
                recipesBranch: file.alidist_branch ?? "master", local: seed % 2 == 1,
                label: "seed \(seed) (Tests/interop/gen_recipes.py --seed \(seed) --out DIR)"))
    }

    // MARK: comparison

    enum Outcome { case bothResolved, bothRefused, knownDifference, mismatch }

    @discardableResult
    static func compare(_ testCase: Case) throws -> Outcome {
        let theirs = try aliBuild(testCase)
        let ours = Result { try resolve(testCase) }
        let label = testCase.label
        switch (theirs.error, ours) {
        case let (theirError?, .success(plan)):
            Issue.record("\(label): aliBuild failed (\(theirError)) but we resolved \(plan.packages.count) packages")
            return .mismatch
        case let (nil, .failure(error)) where isDuplicateKeyRefusal(error):
            // Deliberate difference (README): PyYAML keeps the last of duplicate keys, we refuse.
            return .knownDifference
        case let (nil, .failure(error)):
            Issue.record("\(label): aliBuild resolved, we failed: \(error)")
            return .mismatch
        case (.some, .failure):
            return .bothRefused  // messages differ by design
        case let (nil, .success(plan)):
            let theirPackages = theirs.packages ?? [:]
            #expect(plan.discoveryOrder.map(\.rawValue) == (theirs.order ?? []), "\(label): discovery order")
            #expect(Set(plan.disabled) == Set(theirs.disabled ?? []), "\(label): disabled")
            #expect(Set(plan.packages.keys.map(\.rawValue)) == Set(theirPackages.keys), "\(label): package set")
            for (name, their) in theirPackages.sorted(by: { $0.key < $1.key }) {
                guard let mine = plan[try PackageName(name)] else { continue }
                #expect(mine.version == their.version, "\(label): \(name) version")
                #expect(mine.commitHash == their.commit_hash, "\(label): \(name) commit")
                #expect(mine.tag == their.tag, "\(label): \(name) tag")
                #expect(mine.runtimeRequires.map(\.rawValue) == their.runtime_requires, "\(label): \(name) runtime_requires")
                #expect(mine.buildRequires.map(\.rawValue) == their.build_requires, "\(label): \(name) build_requires")
                #expect(mine.requires.map(\.rawValue) == their.requires, "\(label): \(name) requires")
                // The harness reports storeHashes' remote_revision_hash and local_revision_hash with
                // dependencies contributing what `--local` chose; with every package local the
                // latter is our local world, with none the former is our remote world.
                if testCase.local {
                    #expect(mine.localHash == their.local_hash, "\(label): \(name) local hash")
                } else {
                    #expect(mine.remoteHash == their.hash, "\(label): \(name) remote hash")
                }
            }
            return .bothResolved
        }
    }

    static func isDuplicateKeyRefusal(_ error: any Error) -> Bool {
        guard case let .recipe(.invalidYAML(_, _, problem))? = error as? ResolverError else { return false }
        return problem.hasPrefix("duplicate keys")
    }

    static func aliBuild(_ testCase: Case) throws -> AliBuildPlan {
        var arguments = [
            "--config-dir", testCase.configDir.path, "--defaults", testCase.defaults, "--arch", testCase.arch,
            "--date", testCase.date, "--alidist-branch", testCase.recipesBranch
        ]
        if !testCase.disable.isEmpty { arguments += ["--disable", testCase.disable.joined(separator: ",")] }
        switch testCase.noSystem {
        case nil: break
        case "*"?: arguments.append("--no-system")
        case let names?: arguments += ["--no-system-packages", names]
        }
        if testCase.assumeSystem { arguments.append("--assume-system") }
        if testCase.offlineDefault { arguments += ["--no-system", "--assume-requirements"] }
        if testCase.local { arguments += ["--local", "*"] }
        let refs = FileManager.default.temporaryDirectory.appendingPathComponent("alien-git-refs-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: refs) }
        if !testCase.branches.isEmpty {
            try JSONEncoder().encode(testCase.branches).write(to: refs)
            arguments += ["--git-refs", refs.path]
        }
        let result = try Interop.python("alibuild_plan.py", arguments + testCase.targets)
        try #require(result.status == 0, "\(testCase.label): alibuild_plan.py exited \(result.status): \(result.stderr)")
        return try JSONDecoder().decode(AliBuildPlan.self, from: result.stdout)
    }

    static func resolve(_ testCase: Case) throws -> BuildPlan {
        let architecture = try Architecture(testCase.arch)
        if testCase.offlineDefault {
            let context = RecipeContext(
                configDir: testCase.configDir.path, defaults: testCase.defaults, architecture: architecture,
                disable: testCase.disable, systemChecks: .assume, date: testCase.date,
                recipesBranch: testCase.recipesBranch)
            return try context.resolve(targets: try testCase.targets.map { try PackageName($0) })
        }
        let provider = DirectoryRecipeProvider(configDir: testCase.configDir.path)
        let probe = SystemProbe(architecture: testCase.arch, configDir: testCase.configDir.path)
        let policy: SystemPolicy
        switch testCase.noSystem {
        case nil: policy = SystemPolicy()
        case "*"?: policy = SystemPolicy(noSystem: .all)
        case let names?: policy = SystemPolicy(noSystem: .packages(Set(names.split(separator: ",").map(String.init))))
        }
        let fields = testCase.date.split(separator: "-").compactMap { Int($0) }
        let branch = testCase.recipesBranch
        let request = ResolutionRequest(
            targets: try testCase.targets.map { try PackageName($0) }, defaults: testCase.defaults, architecture: architecture,
            disable: testCase.disable, systemPolicy: policy, branches: testCase.branches,
            date: ResolutionDate(year: fields[0], month: fields[1], day: fields[2], hour: fields.count > 3 ? fields[3] : 0),
            recipesBranch: { branch })
        let checker: any SystemChecker = testCase.assumeSystem ? AssumedSystem() : probe
        return try Resolver(provider: provider, checker: checker).resolve(request)
    }
}
