#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An aliBuild architecture string: `<distro><major>_<cpu>` such as `slc9_x86-64`,
/// `ubuntu2204_x86-64`, `osx_arm64`.
public struct Architecture: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let rawValue: String
    /// The part before the first `_`: `slc9`, `ubuntu2204`, `osx`.
    public var platform: Substring { rawValue[..<separator] }
    /// The part after the first `_`: `x86-64`, `aarch64`, `arm64`.
    public var cpu: Substring { rawValue[rawValue.index(after: separator)...] }
    private let separator: String.Index

    public init(_ text: String) throws(ModelError) {
        guard let underscore = text.firstIndex(of: "_") else {
            throw .invalidArchitecture(text, reason: "no '_' between platform and cpu")
        }
        let platform = text[..<underscore]
        let cpu = text[text.index(after: underscore)...]
        let lowerLetters = "abcdefghijklmnopqrstuvwxyz".unicodeScalars
        let digits = "0123456789".unicodeScalars
        guard let first = platform.unicodeScalars.first, lowerLetters.contains(first) else {
            throw .invalidArchitecture(text, reason: "the platform must start with a lower-case letter")
        }
        guard platform.unicodeScalars.allSatisfy({ lowerLetters.contains($0) || digits.contains($0) }) else {
            throw .invalidArchitecture(text, reason: "the platform may hold only lower-case letters and digits")
        }
        guard !cpu.isEmpty, cpu.unicodeScalars.allSatisfy({ lowerLetters.contains($0) || digits.contains($0) || $0 == "-" }) else {
            throw .invalidArchitecture(text, reason: "the cpu part may hold only lower-case letters, digits and '-' (x86_64 is spelt x86-64)")
        }
        guard !cpu.allSatisfy(\.isNumber) else {
            throw .invalidArchitecture(text, reason: "'\(cpu)' is not a cpu name; a machine's x86_64 is spelt x86-64 here")
        }
        rawValue = text
        separator = underscore
    }

    /// Whether aliBuild's `build` accepts this architecture (`args.py`'s pattern).
    public var isBuildable: Bool {
        let platform = String(self.platform), cpu = String(self.cpu)
        let slcMajor = platform.dropFirst(3)
        if platform.hasPrefix("slc"), let major = Int(slcMajor), (5...99).contains(major), slcMajor.first != "0",
            slcMajor.count <= 2, ["x86-64", "ppc64", "aarch64"].contains(cpu)
        {
            return true
        }
        for family in ["ubuntu", "ubt", "osx", "fedora"] where platform.hasPrefix(family) {
            let rest = platform.dropFirst(family.count)
            return rest.allSatisfy(\.isNumber) && ["x86-64", "arm64"].contains(cpu)
        }
        return false
    }

    /// The architectures for which aliBuild's remote store holds prebuilt packages;
    /// on these `build` and `doctor` default to building nothing from the system.
    public static let remoteStoreArchitectures: Set<String> = [
        "slc7_x86-64", "slc8_x86-64", "slc9_x86-64", "slc10_x86-64", "slc9_aarch64",
        "ubuntu2004_x86-64", "ubuntu2204_x86-64", "ubuntu2404_x86-64"
    ]

    /// Detects the architecture the way aliBuild does from `/etc/os-release` text,
    /// `uname -s` and `uname -m`. Returns nil when the system cannot be named.
    ///
    /// RHEL and its rebuilds are `slcN`, Ubuntu is `ubuntuYYMM`, Debian 7–11 map to the
    /// Ubuntu release they correspond to, anything else is `<ID><major>`.
    public static func detect(osRelease: String, system: String, machine: String) -> Architecture? {
        if system == "Darwin" {
            return try? Architecture(machine == "x86_64" ? "osx_x86-64" : "osx_arm64")
        }
        var id = "", versionID = ""
        for line in osRelease.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals]
            let value = Trimming.trimmed(line[line.index(after: equals)...], where: { "\n \"'".unicodeScalars.contains($0) })
            if key == "ID" { id = value.lowercased() }
            if key == "VERSION_ID" { versionID = value }
        }
        var distribution = id, version = versionID
        switch id {
        case "ubuntu":
            let parts = versionID.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            version = parts.joined()
        case "debian":
            let debianToUbuntu = ["7": "1204", "8": "1404", "9": "1604", "10": "1804", "11": "2004"]
            if let ubuntu = debianToUbuntu[versionID] {
                distribution = "ubuntu"
                version = ubuntu
            }
        case "rhel", "redhat", "centos", "almalinux", "rocky":
            distribution = "slc"
        default:
            break
        }
        let major = version.split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !distribution.isEmpty else { return nil }
        return try? Architecture("\(distribution)\(major)_\(String(String.UnicodeScalarView(machine.unicodeScalars.map { $0 == "_" ? "-" : $0 })))")
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
