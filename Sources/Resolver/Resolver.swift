import Basics
import Foundation
import AlienModel
public import Recipes

/// Resolves recipes into a `BuildPlan` exactly as aliBuild 1.17.48 does (same closure,
/// versions and package hashes), without touching a disk, a clock, git or a process:
/// recipes come from a `RecipeProvider`, system checks from a `SystemChecker`.
public struct Resolver: Sendable {
    public let provider: any RecipeProvider
    public let checker: any SystemChecker

    public init(provider: any RecipeProvider, checker: any SystemChecker = AssumedSystem()) {
        self.provider = provider
        self.checker = checker
    }

    /// Resolves for a build: a failed system requirement or defaults that the closure does
    /// not accept are errors.
    public func resolve(_ request: ResolutionRequest) throws(ResolverError) -> BuildPlan {
        var run = try ResolutionRun(request: request, provider: provider, checker: checker)
        return try run.resolve(strict: true)
    }

    /// Resolves for a diagnosis (`doctor`): failed requirements and invalid defaults are
    /// reported in the plan instead of stopping.
    public func diagnose(_ request: ResolutionRequest) throws(ResolverError) -> BuildPlan {
        var run = try ResolutionRun(request: request, provider: provider, checker: checker)
        return try run.resolve(strict: false)
    }
}

/// The mutable state of one resolution (aliBuild's `getPackageList` and the part of
/// `doBuild` that follows it).
struct ResolutionRun {
    let request: ResolutionRequest
    let provider: any RecipeProvider
    let checker: any SystemChecker
    let defaults: DefaultsFile
    var overrides: [DefaultsFile.Override]
    var patterns = PatternMatcher()
    var disable: [String]
    var specs: [String: WorkingSpec] = [:]
    var discovery: [String] = []
    var requiredBy: [String: String] = [:]
    var fromSystem: Set<String> = []
    var builtHere: Set<String> = []
    var failedRequirements: Set<String> = []
    /// nil once the closure's valid_defaults have nothing in common; empty while unconstrained.
    var validDefaults: [String]? = []
    var validDefaultsOwners: [String] = []
    var checkCache: [SystemCheckRequest: SystemCheckResult] = [:]
    /// Recipes read ahead of the walk, by package name.
    var parsed: [String: Result<Recipe?, RecipeError>] = [:]
    var warnings: [String] = []

    init(request: ResolutionRequest, provider: any RecipeProvider, checker: any SystemChecker) throws(ResolverError) {
        self.request = request
        self.provider = provider
        self.checker = checker
        do {
            defaults = try provider.defaults(named: request.defaults)
        } catch {
            throw .recipe(error)
        }
        // aliBuild 1.17.48 reads the main defaults file a second time where it means to merge
        // `defaults-<arch>.sh`, so the arch file's content is ignored; and the merge only works
        // when the main file has `env:` and `overrides:` mappings and no `disable:`.
        let archDefaults: RecipeFile?
        do { archDefaults = try provider.file(named: "defaults-\(request.architecture).sh") } catch { throw .recipe(error) }
        if let archDefaults {
            let header = defaults.recipe.header
            for (key, wanted) in [("disable", false), ("env", true), ("overrides", true)] where header.contains(key) != wanted {
                throw .wrongType(
                    defaults.recipe.location(of: key), key: key,
                    expected: wanted
                        ? "present when \(archDefaults.path) exists (aliBuild 1.17.48 fails without it)"
                        : "absent when \(archDefaults.path) exists (aliBuild 1.17.48 cannot merge it)",
                    got: wanted ? "nothing" : header[key]!.kindName)
            }
            warnings.append("\(archDefaults.path) is ignored, as aliBuild 1.17.48 ignores it (it re-reads \(defaults.recipe.file))")
        }
        let env = defaults.env
        var common = RecipeMap()
        if let env { common["env"] = .map(env) }
        var overrides = [DefaultsFile.Override(pattern: "defaults-release", fields: common, location: defaults.recipe.location(of: "env"))]
        for override in defaults.overrides {
            if override.pattern == "defaults-release" {
                overrides[0].fields = override.fields
                overrides[0].location = override.location
            } else {
                overrides.append(override)
            }
        }
        self.overrides = overrides
        disable = request.disable + defaults.disable
    }

    mutating func resolve(strict: Bool) throws(ResolverError) -> BuildPlan {
        var queue = request.targets.map(\.rawValue)
        for target in queue { requiredBy[target] = "the command line" }
        var head = 0
        while head < queue.count {
            let name = queue[head]
            head += 1
            if specs[name] != nil { continue }
            if parsed[name] == nil { prefetch(queue[(head - 1)...]) }
            guard let spec = try load(name) else { continue }
            specs[name] = spec.spec
            discovery.append(name)
            for dependency in spec.requires where requiredBy[dependency] == nil {
                requiredBy[dependency] = name
            }
            queue += spec.requires
        }
        return try finish(strict: strict)
    }

    /// Reads, patches and checks one package; nil when it ends up disabled.
    private mutating func load(_ name: String) throws(ResolverError) -> (spec: WorkingSpec, requires: [String])? {
        let isDefaults = name == "defaults-release"
        let fileStem = isDefaults ? "defaults-\(request.defaults)" : name.lowercased()
        let recipe: Recipe
        if isDefaults {
            recipe = defaults.recipe
        } else {
            let found: Recipe?
            do {
                if let early = parsed[name] { found = try early.get() } else { found = try provider.recipe(named: fileStem + ".sh") }
            } catch {
                throw .recipe(error)
            }
            guard let found else {
                throw .missingRecipe(package: name, requiredBy: requiredBy[name] ?? "the command line", searched: provider.searchPath)
            }
            recipe = found
        }
        var spec = WorkingSpec(recipe: recipe)
        if isDefaults {
            spec.name = "defaults-release"
            spec.fields["package"] = .string("defaults-release")
            let hasScript = recipe.body.split(separator: "\n").contains {
                let line = PythonFormat.strip(String($0))
                return !line.isEmpty && !line.hasPrefix("#")
            }
            if hasScript { warnings.append("\(recipe.file) contains a build script, which is ignored") }
            spec.script = ""
        }
        guard spec.name == name else {
            throw .misspelt(package: name, spelling: spec.name, location: spec.location(of: "package"))
        }
        for override in overrides where try patternWhole(override.pattern, name.lowercased(), override.location, key: "overrides") {
            spec.apply(override.fields, from: override.location)
        }
        try runTrackEnv(&spec)
        try preferSystem(&spec)
        try systemRequirement(&spec)
        if disable.contains(spec.name) { return nil }
        try constrainDefaults(spec)

        let runtime = try filtered(spec.requirements("requires"), spec: spec, key: "requires")
        var build = try filtered(spec.requirements("build_requires"), spec: spec, key: "build_requires")
        if !isDefaults { build.append("defaults-release") }
        spec.fields["runtime_requires"] = .list(runtime.map(RecipeValue.string))
        spec.fields["build_requires"] = .list(build.map(RecipeValue.string))
        guard let versionValue = spec.fields["version"] else {
            throw .wrongType(spec.location(of: "package"), key: "version", expected: "present", got: "nothing")
        }
        guard case let .string(version) = versionValue else {
            throw .wrongType(spec.location(of: "version"), key: "version", expected: "a string", got: versionValue.kindName)
        }
        let tag = try spec.string("tag") ?? version
        spec.fields["tag"] = .string(tag)
        spec.fields["version"] = .string(version.utf8.contains(UInt8(ascii: "/")) ? version.replacingOccurrences(of: "/", with: "_") : version)
        spec.script = spec.script.pythonStrip("\n")
        return (spec, runtime + build)
    }

    /// aliBuild's `filterByArchitectureDefaults`, minus names already disabled.
    private mutating func filtered(_ requirements: [Requirement], spec: WorkingSpec, key: String) throws(ResolverError) -> [String] {
        var names: [String] = []
        let location = spec.location(of: key)
        for requirement in requirements {
            switch requirement.condition {
            case let .defaults(pattern):
                if try patternPrefix(pattern, request.defaults, location, key: key) { names.append(requirement.name.rawValue) }
                if try patternPrefix("defaults=" + pattern, request.architecture.rawValue, location, key: key) {
                    names.append(requirement.name.rawValue)
                }
            case let .architecture(pattern):
                if try patternPrefix(pattern, request.architecture.rawValue, location, key: key) { names.append(requirement.name.rawValue) }
            }
        }
        return names.filter { !disable.contains($0) }
    }

    /// Intersects the closure's `valid_defaults` as aliBuild does (order of the first list kept).
    private mutating func constrainDefaults(_ spec: WorkingSpec) throws(ResolverError) {
        guard validDefaults != nil, let value = spec.fields["valid_defaults"] else { return }
        var valid: [String] = []
        for item in value.asList {
            guard case let .string(text) = item else { return }  // aliBuild ignores such a list
            valid.append(text)
        }
        guard !valid.isEmpty else { return }
        if !valid.contains(request.defaults) { validDefaultsOwners.append(spec.name) }
        let current = validDefaults!
        let next = current.isEmpty ? valid : current.filter { valid.contains($0) }
        validDefaults = next.isEmpty ? nil : next
    }

    /// Reads and parses, on all cores, the recipes of the queued packages not read yet.
    /// Every one of them is read by the breadth-first walk anyway (a package is read even when
    /// it turns out disabled); errors are kept and thrown in walk order, so the outcome is
    /// the same as reading them one by one.
    private mutating func prefetch(_ queued: ArraySlice<String>) {
        var names: [String] = []
        var seen = Set<String>()
        for name in queued where specs[name] == nil && parsed[name] == nil && name != "defaults-release" && seen.insert(name).inserted {
            names.append(name)
        }
        let results = ParallelMap.map(names) { [provider] name in
            Result<Recipe?, RecipeError> { () throws(RecipeError) -> Recipe? in try provider.recipe(named: name.lowercased() + ".sh") }
        }
        for (name, result) in zip(names, results) { parsed[name] = result }
    }

    mutating func patternPrefix(_ pattern: String, _ text: String, _ location: SourceLocation, key: String) throws(ResolverError) -> Bool {
        do { return try patterns.matchesPrefix(pattern, text) } catch {
            guard case let .invalid(pattern, reason) = error else { return false }
            throw .invalidPattern(location, key: key, pattern: pattern, reason: reason)
        }
    }

    mutating func patternWhole(_ pattern: String, _ text: String, _ location: SourceLocation, key: String) throws(ResolverError) -> Bool {
        do { return try patterns.matchesWhole(pattern, text) } catch {
            guard case let .invalid(pattern, reason) = error else { return false }
            throw .invalidPattern(location, key: key, pattern: pattern, reason: reason)
        }
    }

    mutating func check(_ request: SystemCheckRequest) -> SystemCheckResult {
        if let cached = checkCache[request] { return cached }
        let result = checker.run(request)
        checkCache[request] = result
        return result
    }
}

/// `map` over the available cores for independent, CPU-bound work (recipe parsing).
enum ParallelMap {
    static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        guard items.count > 1 else { return items.map(transform) }
        let results = ResultSlots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            results.set(index, transform(items[index]))
        }
        return results.values.map { $0! }
    }
}
