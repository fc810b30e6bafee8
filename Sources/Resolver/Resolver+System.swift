import Foundation
import AlienModel
import Recipes

extension ResolutionRun {
    /// `track_env`: each command runs now and its output replaces the command in the header.
    mutating func runTrackEnv(_ spec: inout WorkingSpec) throws(ResolverError) {
        guard var trackEnv = try spec.map("track_env") else { return }
        let package = try PackageName.forResolution(spec.name, spec.location(of: "package"))
        for entry in trackEnv.entries {
            let variable = entry.key.stringValue ?? entry.key.pythonRepr
            guard case let .string(command) = entry.value else {
                throw .wrongType(spec.location(of: "track_env"), key: "track_env.\(variable)", expected: "a shell command", got: entry.value.kindName)
            }
            let result = check(SystemCheckRequest(package: package, kind: .trackEnv(variable: variable), script: command))
            guard result.succeeded else {
                throw .trackEnvFailed(package: spec.name, variable: variable, output: result.output)
            }
            trackEnv[entry.key, line: entry.line] = .string(result.output)
        }
        spec.fields["track_env"] = .map(trackEnv)
    }

    /// `prefer_system`: decides whether the system's copy replaces the recipe
    /// (aliBuild's `getPackageList`, including replacement specs).
    mutating func preferSystem(_ spec: inout WorkingSpec) throws(ResolverError) {
        let pattern = try spec.string("prefer_system") ?? "(?!.*)"
        let matches = try patternPrefix(pattern, request.architecture.rawValue, spec.location(of: "prefer_system"), key: "prefer_system")
        let excluded = request.systemPolicy.excludes(spec.name)
        let allowUpload = spec.fields["allow_system_package_upload"]?.isTruthy ?? false
        guard (!excluded || allowUpload) && (request.systemPolicy.alwaysPreferSystem || matches) else { return }

        let requestedVersion = try requestedVersion(of: spec)
        let checkText = try spec.string("prefer_system_check") ?? "false"
        let script = PythonFormat.strip("REQUESTED_VERSION=\(PythonFormat.shellQuote(requestedVersion))\n\(checkText)")
        let package = try PackageName.forResolution(spec.name, spec.location(of: "package"))
        let result = check(SystemCheckRequest(package: package, kind: .preferSystem, script: script))
        guard result.succeeded else {
            builtHere.insert(spec.name)
            return
        }
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        guard let keyLine = lines.first(where: { $0.hasPrefix("alibuild_system_replace:") }) else {
            if excluded {
                builtHere.insert(spec.name)
            } else {
                fromSystem.insert(spec.name)
                disable.append(spec.name)
            }
            return
        }
        let key = PythonFormat.strip(String(keyLine.dropFirst("alibuild_system_replace:".count)))
        guard let replacements = try spec.map("prefer_system_replacement_specs") else {
            throw .malformedReplacement(
                package: spec.name, detail: "the check printed alibuild_system_replace: \(key) but the recipe has no prefer_system_replacement_specs")
        }
        var chosen: RecipeMap?
        for entry in replacements.entries {
            guard case let .string(matcher) = entry.key else {
                throw .malformedReplacement(package: spec.name, detail: "keys must be patterns (strings)")
            }
            if try patternPrefix(matcher, key, spec.location(of: "prefer_system_replacement_specs"), key: "prefer_system_replacement_specs") {
                guard case let .map(map) = entry.value else {
                    throw .malformedReplacement(package: spec.name, detail: "the entry for '\(matcher)' must be a mapping, got \(entry.value.kindName)")
                }
                chosen = map
                break
            }
        }
        guard var replacement = chosen else {
            warnings.append("no replacement spec of \(spec.name) matches '\(key)': building it here")
            return
        }
        replacement["package"] = .string(spec.name)
        if replacement["version"] == nil { replacement["version"] = .string(requestedVersion) }
        guard case let .string(version) = replacement["version"]! else {
            throw .malformedReplacement(package: spec.name, detail: "version must be a string")
        }
        replacement["version"] = .string(version.replacingOccurrences(of: "%(key)s", with: key))
        replacement["key"] = .string(key)
        for what in ["requires", "build_requires"] {
            let prefix = "alibuild_system_replace_\(what):"
            let extras = lines.filter { $0.hasPrefix(prefix) }.map { PythonFormat.strip(String($0.dropFirst(prefix.count))) }
            guard !extras.isEmpty else { continue }
            var deps = replacement[what]?.asList ?? []
            if replacement[what] == nil || replacement[what] == .null { deps = [] }
            for extra in extras where !extra.isEmpty && !deps.contains(.string(extra)) { deps.append(.string(extra)) }
            replacement[what] = .list(deps)
        }
        let trackPrefix = "alibuild_system_replace_track_env:"
        for line in lines where line.hasPrefix(trackPrefix) {
            let extra = PythonFormat.strip(String(line.dropFirst(trackPrefix.count)))
            guard let equals = extra.firstIndex(of: "="), !PythonFormat.strip(String(extra[..<equals])).isEmpty else {
                throw .malformedReplacement(package: spec.name, detail: "malformed alibuild_system_replace_track_env: \(extra) (expected NAME=value)")
            }
            var track = replacement["track_env"]?.mapValue ?? RecipeMap()
            track[PythonFormat.strip(String(extra[..<equals]))] = .string(String(extra[extra.index(after: equals)...]))
            replacement["track_env"] = .map(track)
        }
        var replacementScript = ""
        if let recipeValue = replacement["recipe"] {
            guard case let .string(text) = recipeValue else {
                throw .malformedReplacement(package: spec.name, detail: "recipe must be a string")
            }
            replacementScript = text
        }
        let location = spec.location(of: "prefer_system_replacement_specs")
        spec.fields = replacement
        spec.origins = [:]
        for entry in replacement.entries { if case let .string(field) = entry.key { spec.origins[field] = location } }
        spec.script = replacementScript
        spec.origin = .systemReplacement(key: key, built: !replacementScript.isEmpty)
        if replacementScript.isEmpty { fromSystem.insert(spec.name) } else { builtHere.insert(spec.name) }
    }

    /// `system_requirement`: the check must pass; the package is then provided by the system.
    mutating func systemRequirement(_ spec: inout WorkingSpec) throws(ResolverError) {
        if spec.fields["system_requirement"] != nil, !spec.script.pythonStrip("\n\t ").isEmpty {
            throw .bodyInSystemRequirement(package: spec.name, location: spec.location(of: "system_requirement"))
        }
        let pattern = try spec.string("system_requirement") ?? "(?!.*)"
        guard try patternPrefix(pattern, request.architecture.rawValue, spec.location(of: "system_requirement"), key: "system_requirement") else {
            return
        }
        let script = PythonFormat.strip(try spec.string("system_requirement_check") ?? "false")
        let package = try PackageName.forResolution(spec.name, spec.location(of: "package"))
        if check(SystemCheckRequest(package: package, kind: .systemRequirement, script: script)).succeeded {
            disable.append(spec.name)
        } else {
            failedRequirements.insert(spec.name)
            spec.fields["version"] = .string("failed")
        }
    }

    /// The version a prefer check is asked about (`REQUESTED_VERSION`): templates expanded
    /// with the branch fields "unavailable" and no commit known yet.
    func requestedVersion(of spec: WorkingSpec) throws(ResolverError) -> String {
        guard let versionValue = spec.fields["version"] else {
            throw .wrongType(spec.location(of: "package"), key: "version", expected: "present", got: "nothing")
        }
        guard case let .string(version) = versionValue else {
            throw .wrongType(spec.location(of: "version"), key: "version", expected: "a string", got: versionValue.kindName)
        }
        let tag = spec.fields["tag"].map { $0.stringValue ?? $0.pythonRepr } ?? "tag_unknown"
        return try expandVersion(
            version, commitHash: "hash_unknown", tag: tag, branchBasename: "unavailable",
            branchStream: "unavailable", location: spec.location(of: "version"))
    }

    /// aliBuild's `resolve_version`.
    func expandVersion(
        _ version: String, commitHash: String, tag: String, branchBasename: String, branchStream: String,
        location: SourceLocation
    ) throws(ResolverError) -> String {
        var values = request.date.templateValues
        values["commit_hash"] = commitHash
        values["short_hash"] = String(commitHash.prefix(10))
        values["tag"] = tag
        values["branch_basename"] = branchBasename
        values["branch_stream"] = branchStream.isEmpty ? tag : branchStream
        values["tag_basename"] = PythonFormat.basename(tag)
        values["defaults_upper"] = request.defaults == "release" ? "" : "_" + request.defaults.uppercased().replacingOccurrences(of: "-", with: "_")
        do {
            return try PythonFormat.format(version, values)
        } catch {
            throw .badTemplate(location, key: "version", template: version, reason: Self.describe(error))
        }
    }

    static func describe(_ error: PythonFormat.Failure) -> String {
        switch error {
        case let .missingKey(key): "unknown placeholder %(\(key))s"
        case let .unsupported(reason): reason
        }
    }
}

extension PackageName {
    static func forResolution(_ text: String, _ location: SourceLocation) throws(ResolverError) -> PackageName {
        do { return try PackageName(text) } catch {
            throw .recipe(.invalidPackageName(location, error))
        }
    }
}
