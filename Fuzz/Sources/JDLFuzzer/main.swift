// Feeds arbitrary bytes to the JDL parser. Every input must either parse — and then print
// back to text that parses to the same document — or give a JDLError with a location.
import FuzzDriver
import JDL

func jdlFuzzer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = fuzzText(data, size)
    guard let document = try? JDLDocument(parsing: text) else { return 0 }
    let printed = JDLPrinter.print(document)
    do {
        let again = try JDLDocument(parsing: printed)
        precondition(again == document, "print → parse changed the document:\n\(printed)")
    } catch {
        preconditionFailure("the printer wrote a JDL its parser refuses: \(error)\n\(printed)")
    }
    _ = try? JDLPackages(document: document)
    return 0
}

runFuzzer { data, size in jdlFuzzer(data, size) }
