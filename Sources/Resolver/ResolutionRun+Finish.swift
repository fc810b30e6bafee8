import AlienModel
import Recipes

extension ResolutionRun {
    /// What `doBuild` does between `getPackageList` and building: checks, final dependency
    /// lists, order, commits, versions, closures and hashes.
    mutating func finish(strict: Bool) throws(ResolverError) -> BuildPlan {
        if strict, let valid = validDefaults, !valid.isEmpty, !valid.contains(request.defaults) {
            throw .invalidDefaults(defaults: request.defaults, valid: valid, offenders: validDefaultsOwners)
        }
        if strict, !failedRequirements.isEmpty {
            throw .missingSystemRequirements(failedRequirements.sorted(), defaults: request.defaults)
        }
        let disabled = Set(disable)
        for name in discovery {
            for key in ["runtime_requires", "build_requires"] {
                let kept = (specs[name]!.fields[key]?.asList ?? []).filter { !disabled.contains($0.stringValue ?? "") }
                specs[name]!.fields[key] = .list(kept)
            }
        }
        let graph = discovery.map { name in
            (name, dependencies(of: name))
        }
        let order = try TopologicalOrder.sort(graph)

        let usesBranch = order.contains { (try? specs[$0]!.string("version"))??.utf8.firstRange(of: "%(branch_".utf8) != nil }
        let branchBasename = usesBranch ? request.recipesBranch() : ""
        var branchStream = branchBasename.hasSuffix("-patches") ? String(branchBasename.dropLast("-patches".count)) : branchBasename
        if branchStream == branchBasename { branchStream = "" }

        var packages: [PackageName: ResolvedPackage] = [:]
        let hasher = PackageHasher(stamp: request.forceRebuildStamp)
        for name in order {
            var spec = specs[name]!
            var tag = try spec.string("tag") ?? ""
            var commitHash = "0"
            let source = try spec.string("source")
            if spec.fields["source"] != nil, source == nil {
                throw .wrongType(spec.location(of: "source"), key: "source", expected: "a git URL", got: "null")
            }
            if let source {
                do {
                    tag = try PythonFormat.format(tag, request.date.templateValues)
                } catch {
                    throw .badTemplate(spec.location(of: "tag"), key: "tag", template: tag, reason: Self.describe(error))
                }
                commitHash = request.branches[source]?[tag] ?? tag
            }
            let rawVersion = try spec.string("version") ?? ""
            let version = try expandVersion(
                rawVersion, commitHash: commitHash, tag: tag, branchBasename: branchBasename,
                branchStream: branchStream, location: spec.location(of: "version"))
            spec.fields["tag"] = .string(tag)
            spec.fields["version"] = .string(version)
            spec.fields["commit_hash"] = .string(commitHash)
            let packageName = try PackageName.forResolution(name, spec.location(of: "package"))
            let runtime = try names(spec, "runtime_requires")
            let build = try names(spec, "build_requires")
            let forceRebuild = request.forceRebuild.contains(name) || (spec.fields["force_rebuild"]?.isTruthy ?? false)
            for key in ["env", "append_path", "prepend_path", "track_env"] { _ = try spec.map(key) }
            var package = ResolvedPackage(
                name: packageName, version: version, tag: tag, commitHash: commitHash, source: source,
                recipe: spec.script, recipeFile: spec.recipeFile, fields: spec.fields, origin: spec.origin,
                runtimeRequires: runtime, buildRequires: build, requires: runtime + build, forceRebuild: forceRebuild)
            hasher.hash(&package, architecture: request.architecture, dependencies: packages)
            packages[packageName] = package
        }
        let buildOrder = order.compactMap { try? PackageName($0) }
        Self.closeRequirements(of: &packages, order: buildOrder)
        return BuildPlan(
            targets: request.targets, defaults: request.defaults, architecture: request.architecture,
            packages: packages,
            discoveryOrder: discovery.compactMap { try? PackageName($0) },
            buildOrder: buildOrder,
            disabled: Array(Set(disable)).sorted(),
            fromSystem: fromSystem.sorted().compactMap { try? PackageName($0) },
            builtHere: builtHere.sorted().compactMap { try? PackageName($0) },
            failedRequirements: failedRequirements.sorted().compactMap { try? PackageName($0) },
            validDefaults: validDefaults, warnings: warnings, forceRebuildStamp: request.forceRebuildStamp)
    }

    private func dependencies(of name: String) -> [String] {
        let spec = specs[name]!
        return ((spec.fields["runtime_requires"]?.asList ?? []) + (spec.fields["build_requires"]?.asList ?? []))
            .compactMap(\.stringValue)
    }

    private func names(_ spec: WorkingSpec, _ key: String) throws(ResolverError) -> [PackageName] {
        var result: [PackageName] = []
        for value in spec.fields[key]?.asList ?? [] {
            result.append(try PackageName.forResolution(value.stringValue ?? "", spec.location(of: key)))
        }
        return result
    }

    /// aliBuild's `full_requires`, `full_runtime_requires`, `full_build_requires`: one graph
    /// shared by the packages, which compute their closures from it when asked.
    static func closeRequirements(of packages: inout [PackageName: ResolvedPackage], order: [PackageName]) {
        let graph = RequirementGraph(order: order, packages: packages)
        for name in order { packages[name]!.graph = graph }
    }
}

/// Kahn's algorithm with the ready set kept sorted by name, so that the order is the same
/// on every run (aliBuild's depends on Python's set iteration order).
enum TopologicalOrder {
    static func sort(_ graph: [(String, [String])]) throws(ResolverError) -> [String] {
        var remaining: [String: Set<String>] = [:]
        var dependants: [String: [String]] = [:]
        for (name, dependencies) in graph {
            remaining[name] = Set(dependencies)
            for dependency in Set(dependencies) { dependants[dependency, default: []].append(name) }
        }
        var ready = remaining.filter(\.value.isEmpty).map(\.key).sorted(by: >)
        var order: [String] = []
        while let next = ready.popLast() {
            order.append(next)
            for dependant in dependants[next] ?? [] {
                remaining[dependant]?.remove(next)
                if remaining[dependant]?.isEmpty == true {
                    let position = ready.firstIndex(where: { $0 < dependant }) ?? ready.endIndex
                    ready.insert(dependant, at: position)
                }
            }
            remaining[next] = nil
        }
        guard remaining.isEmpty else { throw .cycle(findCycle(in: remaining)) }
        return order
    }

    /// Follows unresolved edges from the smallest remaining name until a name repeats.
    private static func findCycle(in remaining: [String: Set<String>]) -> [String] {
        var path: [String] = []
        var current = remaining.keys.min()!
        var onPath = Set<String>()
        while onPath.insert(current).inserted {
            path.append(current)
            guard let next = remaining[current]?.filter({ remaining[$0] != nil }).min() else { return path }
            current = next
        }
        return Array(path[path.firstIndex(of: current)!...]) + [current]
    }
}
