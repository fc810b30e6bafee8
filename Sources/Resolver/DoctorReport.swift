import AlienModel
import Recipes

/// aliDoctor's verdict on a closure: what comes from the system, what is built here and
/// why, which system requirements are missing (with the recipes' hints), and whether the
/// chosen defaults fit. Exit codes as aliDoctor's: 1 missing requirements (or recipes),
/// 2 defaults not valid for the closure, 3 no defaults valid for the whole closure.
public struct DoctorReport: Sendable {
    public struct Finding: Sendable, Hashable {
        public var package: String
        /// The check's output, when it ran.
        public var output: String
        /// `system_requirement_missing` / `prefer_system_missing` text of the recipe.
        public var hint: String?
    }

    public var alwaysBuilt: [String] = []
    public var fromSystem: [String] = []
    public var builtHere: [Finding] = []
    public var missingRequirements: [Finding] = []
    public var missingRecipes: [String] = []
    public var defaults: String
    public var validDefaults: [String]?

    /// - Parameters:
    ///   - plan: the result of `Resolver.diagnose`.
    ///   - checks: the checks that ran and what they said.
    ///   - missingRecipes: asked-for packages without a recipe.
    public init(plan: BuildPlan, checks: [(SystemCheckRequest, SystemCheckResult)], missingRecipes: [String] = []) {
        defaults = plan.defaults
        validDefaults = plan.validDefaults
        self.missingRecipes = missingRecipes
        func output(_ name: PackageName, _ kind: SystemCheckRequest.Kind) -> String {
            checks.last { $0.0.package == name && $0.0.kind == kind }?.1.output ?? ""
        }
        let system = Set(plan.fromSystem)
        let own = Set(plan.builtHere)
        let failed = Set(plan.failedRequirements)
        fromSystem = plan.fromSystem.map(\.rawValue)
        builtHere = plan.builtHere.map { name in
            Finding(
                package: name.rawValue, output: output(name, .preferSystem),
                hint: plan[name]?.fields["prefer_system_missing"]?.stringValue)
        }
        missingRequirements = plan.failedRequirements.map { name in
            Finding(
                package: name.rawValue, output: output(name, .systemRequirement),
                hint: plan[name]?.fields["system_requirement_missing"]?.stringValue)
        }
        alwaysBuilt = plan.discoveryOrder.filter { !system.contains($0) && !own.contains($0) && !failed.contains($0) }
            .map(\.rawValue).filter { $0 != "defaults-release" }.sorted()
    }

    public var exitCode: Int32 {
        if validDefaults == nil { return 3 }
        if let valid = validDefaults, !valid.isEmpty, !valid.contains(defaults) { return 2 }
        if !missingRequirements.isEmpty || !missingRecipes.isEmpty { return 1 }
        return 0
    }

    public var text: String {
        var out = ""
        func section(_ title: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            out += title + "\n" + items.map { "  - \($0)\n" }.joined() + "\n"
        }
        section("Built here by policy (no system version is allowed or supported):", alwaysBuilt)
        section("Taken from the system:", fromSystem)
        if !builtHere.isEmpty {
            out += "Built here because the system version is not usable (not a problem; the first build takes longer):\n"
            for finding in builtHere {
                out += "  - \(finding.package)\n"
                out += finding.output.split(separator: "\n").prefix(5).map { "      \($0)\n" }.joined()
            }
            out += "\n"
        }
        if !missingRequirements.isEmpty {
            out += "Missing system requirements (install them, then run doctor again):\n"
            for finding in missingRequirements {
                out += "  ✗ \(finding.package)\n"
                if let hint = finding.hint { out += hint.split(separator: "\n").map { "      \($0)\n" }.joined() }
                out += finding.output.split(separator: "\n").suffix(5).map { "      | \($0)\n" }.joined()
            }
            out += "\n"
        }
        section("No recipe found for:", missingRecipes)
        switch exitCode {
        case 3:
            out += "✗ No defaults are valid for every package of this closure: check the recipes' valid_defaults.\n"
        case 2:
            out += "✗ Defaults '\(defaults)' cannot build this closure; valid defaults: \((validDefaults ?? []).joined(separator: ", ")). Use --defaults.\n"
        case 1:
            out += "✗ Problems found: a build cannot run until they are resolved.\n"
        default:
            out += "✓ Everything needed is available.\n"
        }
        return out
    }
}
