// Feeds arbitrary bytes to the recipe parser. Any crash, hang or sanitizer report is a bug:
// every input must either parse or produce a RecipeError that names the file.
import FuzzDriver
import Recipes

func recipeFuzzer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = fuzzText(data, size)
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

runFuzzer { data, size in recipeFuzzer(data, size) }
