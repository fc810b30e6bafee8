// Feeds arbitrary bytes to the recipe parser. Any crash, hang or sanitizer report is a bug:
// every input must either parse or produce a RecipeError that names the file.
#if canImport(Glibc)
import Glibc
#endif
import Recipes

func recipeFuzzer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { UnsafeBufferPointer(start: $0, count: size) } ?? UnsafeBufferPointer(start: nil, count: 0)
    let text = String(decoding: bytes, as: UTF8.self)
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

/// libFuzzer's driver entry point (the program's own main calls it, so SwiftPM's
/// executable wrapper stays as it is).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in recipeFuzzer(data, size) })
