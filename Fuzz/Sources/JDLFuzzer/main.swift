// Feeds arbitrary bytes to the JDL parser. Every input must either parse — and then print
// back to text that parses to the same document — or give a JDLError with a location.
#if canImport(Glibc)
import Glibc
#endif
import JDL

func jdlFuzzer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { UnsafeBufferPointer(start: $0, count: size) } ?? UnsafeBufferPointer(start: nil, count: 0)
    let text = String(decoding: bytes, as: UTF8.self)
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

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in jdlFuzzer(data, size) })
