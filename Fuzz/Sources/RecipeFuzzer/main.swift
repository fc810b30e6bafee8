// Feeds arbitrary bytes to the recipe parser. Any crash, hang or sanitizer report is a bug:
// every input must either parse or produce a RecipeError that names the file.
import Recipes

@_cdecl("LLVMFuzzerTestOneInput")
public func recipeFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let recipe = try Recipe(text: text, file: "fuzz.sh")
        // Whatever parsed must be printable as the Python repr aliBuild hashes.
        for entry in recipe.header.entries { _ = entry.key.pythonRepr + entry.value.pythonRepr }
        _ = recipe.script
        if recipe.package.rawValue.hasPrefix("defaults-") {
            _ = try? DefaultsFile(name: String(recipe.package.rawValue.dropFirst(9)), recipe: recipe)
        }
    } catch {
        precondition(error.description.contains("fuzz.sh"), "error without the file name: \(error)")
    }
    return 0
}
