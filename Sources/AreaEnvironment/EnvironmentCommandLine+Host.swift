public import AlienModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EnvironmentCommandLine {
    /// This machine's architecture as aliBuild names it: `$ALIEN_ARCHITECTURE` when set, else
    /// detected from `/etc/os-release` and `uname` (`Architecture.detect`); nil when neither
    /// gives a valid one. The same rule as `HostEnvironment.HostArchitecture`, without Foundation.
    public static func hostArchitecture(environment: [String: String], osRelease path: String = "/etc/os-release") -> Architecture? {
        if let forced = environment["ALIEN_ARCHITECTURE"], !forced.isEmpty { return try? Architecture(forced) }
        var info = utsname()
        guard uname(&info) == 0 else { return nil }
        let system = withUnsafeBytes(of: &info.sysname) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        let machine = withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        return Architecture.detect(osRelease: readSmallFile(path) ?? "", system: system, machine: machine)
    }

    /// A text file of at most 64 KiB, nil when missing, unreadable or larger.
    static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let limit = 64 * 1024
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { POSIXFiles.readSome(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: $0[count...])) }
            if got < 0 { return nil }
            if got == 0 { break }
            count += got
        }
        return count <= limit ? String(decoding: bytes[..<count], as: UTF8.self) : nil
    }
}
