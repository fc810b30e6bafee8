/// The text of one file found on a recipe search path.
public struct RecipeFile: Hashable, Sendable {
    /// The path shown in messages.
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// Where recipes come from. The resolver asks by file name (`root.sh`,
/// `defaults-release.sh`) and never touches a disk itself; a directory-backed provider
/// lives with the other host-facing code, an in-memory one here.
public protocol RecipeProvider: Sendable {
    /// The places searched, in order, as shown in messages.
    var searchPath: [String] { get }
    /// The first file of this name along the search path, or nil when there is none.
    func file(named name: String) throws(RecipeError) -> RecipeFile?
    /// The names `X` of all `defaults-X.sh` files, sorted.
    func availableDefaults() -> [String]
}

extension RecipeProvider {
    /// Reads and parses a recipe file by name, or returns nil when it does not exist.
    public func recipe(named name: String) throws(RecipeError) -> Recipe? {
        guard let file = try file(named: name) else { return nil }
        return try Recipe(text: file.text, file: file.path)
    }

    /// Reads `defaults-<name>.sh`.
    public func defaults(named name: String) throws(RecipeError) -> DefaultsFile {
        guard let recipe = try recipe(named: "defaults-\(name).sh") else {
            throw .unknownDefaults(name, available: availableDefaults(), searched: searchPath)
        }
        return try DefaultsFile(name: name, recipe: recipe)
    }
}

/// Recipes held in memory, keyed by file name: for tests and generated recipe sets.
public struct InMemoryRecipeProvider: RecipeProvider {
    public var files: [String: String]
    public var label: String

    public init(files: [String: String], label: String = "memory") {
        self.files = files
        self.label = label
    }

    public var searchPath: [String] { [label] }

    public func file(named name: String) -> RecipeFile? {
        files[name].map { RecipeFile(path: "\(label)/\(name)", text: $0) }
    }

    public func availableDefaults() -> [String] {
        files.keys.filter { $0.hasPrefix("defaults-") && $0.hasSuffix(".sh") }
            .map { String($0.dropFirst("defaults-".count).dropLast(3)) }.sorted()
    }
}
