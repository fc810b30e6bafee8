import Foundation
public import Recipes

/// Recipes in a directory tree, searched as aliBuild searches them: each `$BITS_PATH`
/// entry below the config dir first, then the config dir itself.
public struct DirectoryRecipeProvider: RecipeProvider {
    public let configDir: String
    public let searchPath: [String]

    /// - Parameter bitsPath: aliBuild's `BITS_PATH` (colon-separated folders below `configDir`).
    public init(configDir: String, bitsPath: String? = nil) {
        self.configDir = configDir
        var path = (bitsPath ?? "")
        while path.hasSuffix(":") { path.removeLast() }
        path += ":"
        while path.hasPrefix(":") { path.removeFirst() }
        let base = configDir.hasSuffix("/") ? String(configDir.dropLast()) : configDir
        searchPath = path.split(separator: ":", omittingEmptySubsequences: false).map { entry in
            entry.isEmpty ? base : base + "/" + entry
        }
    }

    public func file(named name: String) throws(RecipeError) -> RecipeFile? {
        for directory in searchPath {
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                guard let text = String(data: data, encoding: .utf8) else {
                    throw RecipeError.unreadable(SourceLocation(file: path), "the file is not UTF-8 text")
                }
                return RecipeFile(path: path, text: text)
            } catch let error as RecipeError {
                throw error
            } catch {
                throw .unreadable(SourceLocation(file: path), error.localizedDescription)
            }
        }
        return nil
    }

    public func availableDefaults() -> [String] {
        var names = Set<String>()
        for directory in searchPath {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for entry in entries where entry.hasPrefix("defaults-") && entry.hasSuffix(".sh") {
                names.insert(String(entry.dropFirst("defaults-".count).dropLast(3)))
            }
        }
        return names.sorted()
    }
}
