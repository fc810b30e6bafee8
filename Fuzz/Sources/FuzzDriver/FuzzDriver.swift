// What every fuzzer here shares: libFuzzer's driver entry point, called from the program's
// own main (SwiftPM's executable wrapper stays as it is), and the input as text.
#if canImport(Glibc)
import Glibc
#endif

public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzCallback) -> Int32

/// Runs libFuzzer with the process's arguments and exits with its status.
public func runFuzzer(_ callback: FuzzCallback) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}

/// The fuzz input decoded as UTF-8 (invalid bytes replaced), as a file read by the tools would be.
public func fuzzText(_ data: UnsafePointer<UInt8>?, _ size: Int) -> String {
    let bytes = data.map { UnsafeBufferPointer(start: $0, count: size) } ?? UnsafeBufferPointer(start: nil, count: 0)
    return String(decoding: bytes, as: UTF8.self)
}
