// alien-env: `alien-install env` as a small, fast binary (AreaEnvironment and AlienModel only,
// no ArgumentParser): see EnvironmentCommandLine.
import AreaEnvironment
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process environment, read from `environ` (no Foundation): each entry split at its first
/// `=` byte, as the shell splits it (a byte search: no grapheme breaking for every variable).
func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    result.reserveCapacity(64)
    var cursor = environ
    while let entry = cursor.pointee {
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry))
        if let equals = bytes.firstIndex(of: 0x3D) {
            // A name defined twice keeps its last value, as in Foundation's ProcessInfo (and bash).
            result[String(decoding: bytes[..<equals], as: UTF8.self)] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
        }
        cursor += 1
    }
    return result
}

let outcome = EnvironmentCommandLine.main(Array(CommandLine.arguments.dropFirst()), environment: processEnvironment(), exiting: true)
if !outcome.output.isEmpty, let reason = POSIXFiles.writeBytes(outcome.output, to: 1) {
    _ = POSIXFiles.writeText("alien-env: error: cannot write the output: \(reason)\n", to: 2)
    exit(1)
}
if !outcome.stderr.isEmpty { _ = POSIXFiles.writeText(outcome.stderr, to: 2) }
exit(outcome.status)
