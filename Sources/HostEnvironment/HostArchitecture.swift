public import AlienModel
public import Foundation

/// The architecture of the machine this runs on, detected as aliBuild detects it.
public enum HostArchitecture {
    /// `ALIEN_ARCHITECTURE` when set, else detection from `/etc/os-release` and `uname`.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Architecture {
        if let forced = environment["ALIEN_ARCHITECTURE"], !forced.isEmpty {
            return try Architecture(forced)
        }
        let osRelease = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        var info = utsname()
        uname(&info)
        let system = withUnsafeBytes(of: &info.sysname) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        let machine = withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        guard let architecture = Architecture.detect(osRelease: osRelease, system: system, machine: machine) else {
            throw HostError.undetectableArchitecture(system: system, machine: machine)
        }
        return architecture
    }
}

/// Failures of the host-facing helpers.
public enum HostError: Error, CustomStringConvertible, Sendable {
    case undetectableArchitecture(system: String, machine: String)
    case noRecipes(searched: [String])
    case badDate(String)

    public var description: String {
        switch self {
        case let .undetectableArchitecture(system, machine):
            "cannot name this system's architecture (\(system) \(machine), no usable /etc/os-release); name it explicitly, e.g. slc9_x86-64"
        case let .noRecipes(searched):
            "no recipe directory found (looked in \(searched.joined(separator: ", "))); name one or set ALIEN_RECIPES"
        case let .badDate(text):
            "date \(text): expected YYYY-MM-DD or YYYY-MM-DD-HH"
        }
    }
}
