import AlienModel

/// A `defaults-<name>.sh` file: the settings every package of a build sees.
///
/// Its `env` becomes the environment of the special package `defaults-release`; its
/// `overrides` are regex-keyed header patches applied to matching packages in file order;
/// its `disable` list removes packages from every closure.
public struct DefaultsFile: Hashable, Sendable {
    public struct Override: Hashable, Sendable {
        /// The lower-cased key, used as a regex that must match the whole lower-cased package name.
        public var pattern: String
        /// Header fields that replace the package's own (whole values, not merged).
        public var fields: RecipeMap
        public var location: SourceLocation

        public init(pattern: String, fields: RecipeMap, location: SourceLocation) {
            self.pattern = pattern
            self.fields = fields
            self.location = location
        }
    }

    /// The name given to `--defaults` (`release` for `defaults-release.sh`).
    public let name: String
    public let recipe: Recipe
    public let disable: [String]
    /// The `env:` mapping, when the file has one.
    public let env: RecipeMap?
    /// Overrides in the order aliBuild applies them (first position wins for equal keys).
    public let overrides: [Override]

    public init(name: String, recipe: Recipe) throws(RecipeError) {
        self.name = name
        self.recipe = recipe
        var disable: [String] = []
        if let value = recipe.header["disable"] {
            for item in value.asList {
                guard case let .string(text) = item else {
                    throw .wrongType(recipe.location(of: "disable"), key: "disable", expected: "a package name or a list of them", got: item.kindName)
                }
                disable.append(text)
            }
        }
        self.disable = disable
        if let value = recipe.header["env"] {
            guard let map = value.mapValue else {
                throw .wrongType(recipe.location(of: "env"), key: "env", expected: "a mapping", got: value.kindName)
            }
            env = map
        } else {
            env = nil
        }
        var overrides: [Override] = []
        if let value = recipe.header["overrides"] {
            guard let map = value.mapValue else {
                throw .wrongType(recipe.location(of: "overrides"), key: "overrides", expected: "a mapping of package patterns", got: value.kindName)
            }
            for entry in map.entries {
                let location = SourceLocation(file: recipe.file, line: entry.line)
                guard case let .string(key) = entry.key else {
                    throw .wrongType(location, key: "overrides", expected: "package patterns as keys", got: entry.key.kindName)
                }
                if key.contains("@") {
                    throw .unsupportedValue(
                        location, "override '\(key)' reads a recipe from another alidist ref (Name@ref), which needs git; check out that ref instead")
                }
                var fields = RecipeMap()
                switch entry.value {
                case .null: break
                case let .map(map):
                    for field in map.entries {
                        guard case .string = field.key else {
                            throw .wrongType(location, key: "overrides.\(key)", expected: "field names as keys", got: field.key.kindName)
                        }
                        fields[field.key, line: field.line] = field.value
                    }
                default:
                    throw .wrongType(location, key: "overrides.\(key)", expected: "a mapping of header fields", got: entry.value.kindName)
                }
                let pattern = key.lowercased()
                if let index = overrides.firstIndex(where: { $0.pattern == pattern }) {
                    overrides[index].fields = fields
                } else {
                    overrides.append(Override(pattern: pattern, fields: fields, location: location))
                }
            }
        }
        self.overrides = overrides
    }
}
