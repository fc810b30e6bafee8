import AlienModel
public import Recipes

/// Why a resolution failed. Each message names the recipe (file:line) or the chain of
/// packages involved, and what was expected.
public enum ResolverError: Error, Hashable, Sendable, CustomStringConvertible {
    case recipe(RecipeError)
    case missingRecipe(package: String, requiredBy: String, searched: [String])
    case misspelt(package: String, spelling: String, location: SourceLocation)
    case wrongType(SourceLocation, key: String, expected: String, got: String)
    case invalidPattern(SourceLocation, key: String, pattern: String, reason: String)
    case badTemplate(SourceLocation, key: String, template: String, reason: String)
    case trackEnvFailed(package: String, variable: String, output: String)
    case malformedReplacement(package: String, detail: String)
    case bodyInSystemRequirement(package: String, location: SourceLocation)
    case invalidDefaults(defaults: String, valid: [String], offenders: [String])
    case missingSystemRequirements([String], defaults: String)
    case cycle([String])

    public var description: String {
        switch self {
        case let .recipe(error):
            error.description
        case let .missingRecipe(package, requiredBy, searched):
            "no recipe for \(package) (required by \(requiredBy)): looked for \(package.lowercased()).sh in \(searched.joined(separator: ", "))"
        case let .misspelt(package, spelling, location):
            "\(location): \(package) should be spelt \(spelling) (requires: entries must match the recipe's package: field exactly)"
        case let .wrongType(location, key, expected, got):
            "\(location): '\(key)' must be \(expected), got \(got)"
        case let .invalidPattern(location, key, pattern, reason):
            "\(location): '\(key)' pattern \"\(pattern)\" is not a valid regular expression: \(reason)"
        case let .badTemplate(location, key, template, reason):
            "\(location): '\(key)' template \"\(template)\": \(reason)"
        case let .trackEnvFailed(package, variable, output):
            "track_env \(variable) of \(package) failed: \(output)"
        case let .malformedReplacement(package, detail):
            "prefer_system_replacement_specs of \(package): \(detail)"
        case let .bodyInSystemRequirement(package, location):
            "\(location): system requirement \(package) cannot have a build script"
        case let .invalidDefaults(defaults, valid, offenders):
            "defaults '\(defaults)' cannot be used with \(offenders.joined(separator: ", ")); valid defaults for this closure: \(valid.joined(separator: ", "))"
        case let .missingSystemRequirements(names, defaults):
            "system requirements not found: \(names.joined(separator: ", ")); a doctor check of them with defaults '\(defaults)' gives hints"
        case let .cycle(path):
            "dependency cycle: \(path.joined(separator: " -> "))"
        }
    }
}
