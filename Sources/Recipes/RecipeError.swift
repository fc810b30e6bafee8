public import AlienModel

/// A place in a recipe or defaults file: `recipes/root.sh:12`.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the whole file is meant.
    public var line: Int

    public init(file: String, line: Int = 0) {
        self.file = file
        self.line = line
    }

    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// Why a recipe or defaults file was refused. Every case names the file and, where one
/// exists, the line, and says what was expected.
public enum RecipeError: Error, Hashable, Sendable, CustomStringConvertible {
    case headerMissing(SourceLocation)
    case invalidYAML(SourceLocation, column: Int, problem: String)
    case emptyHeader(SourceLocation)
    case headerNotMapping(SourceLocation, got: String)
    case missingPackage(SourceLocation)
    case invalidPackageName(SourceLocation, ModelError)
    case fileNameMismatch(SourceLocation, package: String, expectedFile: String)
    case wrongType(SourceLocation, key: String, expected: String, got: String)
    case invalidRequirement(SourceLocation, key: String, entry: String, reason: ModelError)
    case bodyInSystemRequirement(SourceLocation)
    case unsupportedValue(SourceLocation, String)
    case unknownDefaults(String, available: [String], searched: [String])
    case recipeNotFound(String, searched: [String])
    case unreadable(SourceLocation, String)
    /// YAML aliases that expand the header past `limit` values (a "billion laughs").
    case aliasExpansion(SourceLocation, limit: Int)

    public var location: SourceLocation? {
        switch self {
        case let .headerMissing(location), let .invalidYAML(location, _, _), let .emptyHeader(location),
            let .headerNotMapping(location, _), let .missingPackage(location), let .invalidPackageName(location, _),
            let .fileNameMismatch(location, _, _), let .wrongType(location, _, _, _),
            let .invalidRequirement(location, _, _, _), let .bodyInSystemRequirement(location),
            let .unsupportedValue(location, _), let .unreadable(location, _), let .aliasExpansion(location, _):
            location
        case .unknownDefaults, .recipeNotFound:
            nil
        }
    }

    public var description: String {
        switch self {
        case let .headerMissing(location):
            "\(location): no '---' separates the YAML header from the build script"
        case let .invalidYAML(location, column, problem):
            "\(location):\(column): invalid YAML in the header: \(problem)"
        case let .emptyHeader(location):
            "\(location): the header is empty; expected at least 'package:' and 'version:'"
        case let .headerNotMapping(location, got):
            "\(location): the header must be YAML 'key: value' lines, got \(got)"
        case let .missingPackage(location):
            "\(location): the header has no 'package:' field"
        case let .invalidPackageName(location, reason):
            "\(location): \(reason)"
        case let .fileNameMismatch(location, package, expectedFile):
            "\(location): package \(package) must be defined in a file named \(expectedFile)"
        case let .wrongType(location, key, expected, got):
            "\(location): '\(key)' must be \(expected), got \(got)"
        case let .invalidRequirement(location, key, entry, reason):
            "\(location): '\(key)' entry \"\(entry)\": \(reason)"
        case let .bodyInSystemRequirement(location):
            "\(location): a system_requirement recipe must have an empty build script"
        case let .unsupportedValue(location, message):
            "\(location): \(message)"
        case let .unknownDefaults(name, available, searched):
            "defaults '\(name)' not found (looked for defaults-\(name).sh in \(searched.joined(separator: ", ")))"
                + (available.isEmpty ? "" : "; available: \(available.joined(separator: ", "))")
        case let .recipeNotFound(file, searched):
            "no recipe \(file) in \(searched.joined(separator: ", "))"
        case let .unreadable(location, reason):
            "\(location): cannot read: \(reason)"
        case let .aliasExpansion(location, limit):
            "\(location): YAML aliases expand the header to more than \(limit) values; refused (aliases here are nested to repeat themselves)"
        }
    }
}
