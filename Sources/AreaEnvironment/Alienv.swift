public import AlienModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// alienv's verbs over a software area, without Environment Modules: the loaded set of a
/// shell is kept in environment variables (documented in `--help` and ARCHITECTURE.md):
///
/// - `ALIENV_LOADED`: the loaded modules, `Name/Version-Rev` separated by `:`;
/// - `ALIENV_SAVED`: base64 of a JSON object with the values variables had before the first
///   `load` changed them (`null` = unset). `unload` restores those values and loads the
///   remaining modules again, so changes made by hand to those variables in between are lost;
/// - `ALIEN_INSTALL_ENTERED` (and aliBuild's `ALIENVLVL`): set in a shell made by `enter`,
///   which refuses to nest.
public enum Alienv {
    public static let loadedVariable = "ALIENV_LOADED"
    public static let savedVariable = "ALIENV_SAVED"
    public static let enteredVariable = "ALIEN_INSTALL_ENTERED"
    public static let levelVariable = "ALIENVLVL"

    /// The loaded modules of an environment.
    public static func loaded(in environment: [String: String]) -> [String] {
        (environment[loadedVariable] ?? "").split(separator: ":").map(String.init)
    }

    /// Refuses when the environment is already one made by `enter` (ours or aliBuild's alienv).
    public static func checkNotNested(_ environment: [String: String]) throws(EnvironmentError) {
        if let entered = environment[enteredVariable], !entered.isEmpty {
            throw .nestedEnter(loaded: String(entered.map { $0 == ":" ? " " : $0 }))
        }
        if let level = environment[levelVariable].flatMap({ Int($0) }), level >= 1 {
            throw .nestedEnter(loaded: "\(levelVariable)=\(level), entered with alienv")
        }
    }

    /// The changes `enter` makes: the packages' environment plus the markers that refuse nesting.
    public static func enterChanges(area: EnvironmentArea, packages: [EnvironmentPackage], environment: [String: String]) throws(EnvironmentError)
        -> EnvironmentChanges
    {
        try checkNotNested(environment)
        var changes = try load(area: area, packages: packages, environment: environment)
        changes.values[enteredVariable] = packages.map(\.moduleName).joined(separator: ":")
        changes.values[levelVariable] = "1"
        return changes
    }

    /// `alienv load`: the packages' environment over the current one, and the loaded set updated.
    public static func load(area: EnvironmentArea, packages: [EnvironmentPackage], environment: [String: String]) throws(EnvironmentError) -> EnvironmentChanges
    {
        var changes = try area.changes(of: packages, base: environment)
        var saved = savedValues(in: environment)
        for name in Set(changes.values.keys).union(changes.removed) where saved[name] == nil {
            saved[name] = .some(environment[name])
        }
        var modules = loaded(in: environment)
        for package in packages where !modules.contains(package.moduleName) { modules.append(package.moduleName) }
        changes.values[loadedVariable] = modules.joined(separator: ":")
        changes.values[savedVariable] = encode(saved)
        return changes
    }

    /// `alienv unload`: restores what the loads changed, then loads the modules that remain.
    /// Requests name loaded modules (`Pkg`, `Pkg/Ver-Rev`, `VO_ALICE@Pkg::Ver`).
    public static func unload(area: EnvironmentArea, requests: [PackageID], environment: [String: String]) throws(EnvironmentError) -> EnvironmentChanges {
        let modules = loaded(in: environment)
        var remaining = modules
        for request in requests {
            let before = remaining.count
            remaining.removeAll { module in
                let parts = module.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[0] == request.name.rawValue else { return false }
                // The one version rule (`VersionSelector.matches`): `v6` is not `v6-32-06-1`.
                guard let build = PackageVersion(folder: parts[1]) else { return false }
                return request.version.matches(build)
            }
            if remaining.count == before {
                throw .notInstalled(request: "\(request.moduleName) (to unload)", area: "the loaded set", installed: modules)
            }
        }
        let saved = savedValues(in: environment)
        var base = environment
        for (name, value) in saved { base[name] = value }
        base[loadedVariable] = nil
        base[savedVariable] = nil
        var final = base
        if !remaining.isEmpty {
            let packages = try area.resolve(
                remaining.map { module throws(EnvironmentError) in
                    do throws(ModelError) { return try PackageID(parsing: module) } catch { throw .invalidPackageID(module, error) }
                })
            final = try load(area: area, packages: packages, environment: base).applied(to: base)
        }
        var changes = EnvironmentChanges.diff(before: environment, after: final)
        // diff keeps our own values; the loaded set is exactly what remains.
        if remaining.isEmpty {
            changes.values[loadedVariable] = nil
            changes.values[savedVariable] = nil
            if environment[loadedVariable] != nil { changes.removed.insert(loadedVariable) }
            if environment[savedVariable] != nil { changes.removed.insert(savedVariable) }
        }
        return changes
    }

    /// `ALIENV_SAVED` decoded: variable → value before the first load (`nil` inside = was unset).
    static func savedValues(in environment: [String: String]) -> [String: String?] {
        guard let text = environment[savedVariable], let data = Data(base64Encoded: text),
            let saved = try? JSONDecoder().decode([String: String?].self, from: data)
        else { return [:] }
        return saved
    }

    /// A JSON object (sorted keys, `null` = was unset), in base64.
    static func encode(_ saved: [String: String?]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(saved)) ?? Data("{}".utf8)
        return data.base64EncodedString()
    }

    /// `alienv q [regex]`: `VO_ALICE@Name::Version-Rev` of every installed package, filtered
    /// case-insensitively.
    public static func query(area: EnvironmentArea, pattern: String?) throws(EnvironmentError) -> [String] {
        let all = try area.installed().map { $0.build.qualified() }
        guard let pattern, !pattern.isEmpty else { return all }
        let expression: Regex<AnyRegexOutput>
        do { expression = try Regex(pattern).ignoresCase() } catch {
            throw .badPackageArgument(pattern, reason: "not a regular expression")
        }
        return all.filter { $0.contains(expression) }
    }

    /// One `checkenv` result: the package, and the failure when its environment does not load.
    public struct Check: Sendable {
        public var package: String
        public var failure: String?
    }

    /// `alienv checkenv`: computes each package's environment on its own and reports those that
    /// fail (missing dependencies, an unreadable manifest, an init.sh outside the grammar, a
    /// package installed without an environment).
    public static func checkenv(area: EnvironmentArea, packages: [EnvironmentPackage], environment: [String: String]) -> [Check] {
        packages.map { package in
            do throws(EnvironmentError) {
                _ = try area.changes(of: [package], base: environment)
                return Check(package: package.moduleName, failure: nil)
            } catch {
                return Check(package: package.moduleName, failure: error.description)
            }
        }
    }
}
