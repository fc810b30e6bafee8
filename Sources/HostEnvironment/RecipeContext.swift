public import AlienModel
import Basics
public import Foundation
import Recipes
public import Resolver

/// How system checks are answered for a resolution.
public enum SystemCheckMode: String, Sendable, CaseIterable {
    /// The offline default: aliBuild `build`'s own default on its store architectures
    /// (`noSystem="*"`: everything is built here), with system requirements assumed present.
    /// What still runs is what aliBuild runs to decide versions and hashes even then: the
    /// `track_env` commands and the prefer checks of `allow_system_package_upload` recipes
    /// (alidist's gpu-system). No git, no network.
    case assume
    /// aliBuild's `--no-system`: build everything; system requirements are still checked.
    case noSystem = "no-system"
    /// Run the recipes' prefer_system and system_requirement checks with bash.
    case check
}

/// Everything the commands that read recipes share: where recipes are, which defaults,
/// which architecture, how to answer system checks. Turns into a `Resolver` and a
/// `ResolutionRequest`; this is where the disk, the clock and git are consulted.
public struct RecipeContext: Sendable {
    public var configDir: String?
    public var defaults: String
    public var architecture: Architecture?
    public var disable: [String]
    public var systemChecks: SystemCheckMode
    /// `YYYY-MM-DD[-HH]` for date templates; now (local time) when nil.
    public var date: String?
    /// The alidist branch for `%(branch_basename)s`; asked of git when nil.
    public var recipesBranch: String?
    /// A JSON file `{url: {branch: commit}}` standing in for `git ls-remote`.
    public var branchesFile: String?
    public var environment: [String: String]

    public init(
        configDir: String? = nil, defaults: String = "release", architecture: Architecture? = nil,
        disable: [String] = [], systemChecks: SystemCheckMode = .assume, date: String? = nil,
        recipesBranch: String? = nil, branchesFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.configDir = configDir
        self.defaults = defaults
        self.architecture = architecture
        self.disable = disable
        self.systemChecks = systemChecks
        self.date = date
        self.recipesBranch = recipesBranch
        self.branchesFile = branchesFile
        self.environment = environment
    }

    /// The recipe directory: `--config-dir`, else `$ALIEN_RECIPES`, else `./recipes`, else the
    /// `recipes/` folder of the source tree this program was built in.
    public func resolvedConfigDir() throws -> String {
        if let configDir { return configDir }
        if let fromEnvironment = environment["ALIEN_RECIPES"], !fromEnvironment.isEmpty { return fromEnvironment }
        var candidates = [FileManager.default.currentDirectoryPath + "/recipes"]
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("recipes").path)
            directory.deleteLastPathComponent()
        }
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate + "/defaults-release.sh") {
            return candidate
        }
        throw HostError.noRecipes(searched: Array(candidates.prefix(2)))
    }

    public func resolvedArchitecture() throws -> Architecture {
        if let architecture { return architecture }
        return try HostArchitecture.current(environment: environment)
    }

    /// A resolver over the recipe directory and the request for `targets`.
    public func prepare(targets: [PackageName]) throws -> (resolver: Resolver, request: ResolutionRequest, probe: SystemProbe?) {
        let configDir = try resolvedConfigDir()
        let architecture = try resolvedArchitecture()
        let provider = DirectoryRecipeProvider(configDir: configDir, bitsPath: environment["BITS_PATH"])
        var probe: SystemProbe?
        let checker: any SystemChecker
        var policy = SystemPolicy()
        switch systemChecks {
        case .assume:
            let real = SystemProbe(architecture: architecture.rawValue, configDir: configDir)
            probe = real
            checker = RequirementsAssumed(real)
            policy.noSystem = .all
        case .noSystem:
            let real = SystemProbe(architecture: architecture.rawValue, configDir: configDir)
            probe = real
            checker = real
            policy.noSystem = .all
        case .check:
            let real = SystemProbe(architecture: architecture.rawValue, configDir: configDir)
            probe = real
            checker = real
        }
        let request = ResolutionRequest(
            targets: targets, defaults: defaults, architecture: architecture, disable: disable, systemPolicy: policy,
            branches: try branchesFile.map { try JSONDecoder().decode([String: [String: String]].self, from: Data(contentsOf: URL(fileURLWithPath: $0))) }
                ?? [:],
            date: try resolvedDate(), recipesBranch: { [recipesBranch] in recipesBranch ?? Self.gitBranch(of: configDir) })
        return (Resolver(provider: provider, checker: checker), request, probe)
    }

    func resolvedDate() throws -> ResolutionDate {
        guard let date else {
            let parts = Calendar.current.dateComponents([.year, .month, .day, .hour], from: Date())
            return ResolutionDate(year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!)
        }
        let fields = date.split(separator: "-").map { Int($0) }
        guard (3...4).contains(fields.count), fields.allSatisfy({ $0 != nil }) else { throw HostError.badDate(date) }
        return ResolutionDate(year: fields[0]!, month: fields[1]!, day: fields[2]!, hour: fields.count == 4 ? fields[3]! : 0)
    }

    /// What aliBuild takes as the recipes' branch: `git symbolic-ref -q HEAD` in the config
    /// dir without `refs/heads/` (empty on a detached HEAD or outside git).
    static func gitBranch(of directory: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "symbolic-ref", "-q", "HEAD"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.start()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return "" }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            .replacingOccurrences(of: "refs/heads/", with: "")
    }
}

extension RecipeContext {
    /// Resolves `targets` for a build (errors stop it).
    public func resolve(targets: [PackageName]) throws -> BuildPlan {
        let (resolver, request, _) = try prepare(targets: targets)
        return try resolver.resolve(request)
    }

    /// aliDoctor: resolves with real system checks and reports instead of failing.
    public func diagnose(targets: [PackageName]) throws -> DoctorReport {
        var context = self
        if context.systemChecks == .assume { context.systemChecks = .check }
        let configDir = try context.resolvedConfigDir()
        let provider = DirectoryRecipeProvider(configDir: configDir, bitsPath: environment["BITS_PATH"])
        var present: [PackageName] = [], missing: [String] = []
        for target in targets {
            if (try? provider.file(named: target.recipeFileName)) != nil { present.append(target) } else { missing.append(target.rawValue) }
        }
        let (resolver, request, probe) = try context.prepare(targets: present)
        let plan = try resolver.diagnose(request)
        return DoctorReport(plan: plan, checks: probe?.history ?? [], missingRecipes: missing)
    }
}
