import AlienModel
import Recipes

/// A package's header while resolution patches it (overrides, replacements, track_env),
/// remembering which file and line each field came from.
struct WorkingSpec {
    var name: String
    var fields: RecipeMap
    /// Where a field was last set, for fields that did not come from the recipe itself.
    var origins: [String: SourceLocation] = [:]
    let recipeFile: String
    var script: String
    var origin: ResolvedPackage.Origin = .recipe

    init(recipe: Recipe) {
        name = recipe.package.rawValue
        fields = recipe.header
        recipeFile = recipe.file
        script = recipe.body
    }

    func location(of key: String) -> SourceLocation {
        if let origin = origins[key] { return origin }
        return SourceLocation(file: recipeFile, line: fields.line(of: key) ?? 0)
    }

    /// Python's `dict.update` of the header with an override's fields.
    mutating func apply(_ override: RecipeMap, from location: SourceLocation) {
        fields.update(with: override)
        for entry in override.entries {
            if case let .string(key) = entry.key {
                origins[key] = SourceLocation(file: location.file, line: entry.line > 0 ? entry.line : location.line)
            }
        }
    }

    func string(_ key: String) throws(ResolverError) -> String? {
        guard let value = fields[key] else { return nil }
        guard case let .string(text) = value else {
            throw .wrongType(location(of: key), key: key, expected: "a string", got: value.kindName)
        }
        return text
    }

    func map(_ key: String) throws(ResolverError) -> RecipeMap? {
        guard let value = fields[key] else { return nil }
        guard case let .map(map) = value else {
            throw .wrongType(location(of: key), key: key, expected: "a mapping", got: value.kindName)
        }
        return map
    }

    /// `requires` / `build_requires` entries, parsed.
    func requirements(_ key: String) throws(ResolverError) -> [Requirement] {
        guard let value = fields[key] else { return [] }
        guard case let .list(items) = value else {
            throw .wrongType(location(of: key), key: key, expected: "a list of package names", got: value.kindName)
        }
        var result: [Requirement] = []
        for item in items {
            guard case let .string(text) = item else {
                throw .wrongType(location(of: key), key: key, expected: "a list of strings", got: "an entry that is \(item.kindName)")
            }
            do {
                result.append(try Requirement(parsing: text, location: location(of: key), key: key))
            } catch {
                throw .recipe(error)
            }
        }
        return result
    }
}
