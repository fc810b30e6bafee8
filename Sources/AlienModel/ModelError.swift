#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a textual identity (package name, version, package ID, architecture, hash) was refused.
///
/// Every case carries the offending text so that a message can be shown as it is,
/// without the caller having to add context.
public enum ModelError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidPackageName(String, reason: String)
    case invalidVersion(String, reason: String)
    case invalidPackageID(String, reason: String)
    case invalidArchitecture(String, reason: String)
    case invalidHash(String, reason: String)

    public var description: String {
        switch self {
        case let .invalidPackageName(text, reason):
            "invalid package name \(quoted(text)): \(reason)"
        case let .invalidVersion(text, reason):
            "invalid version \(quoted(text)): \(reason)"
        case let .invalidPackageID(text, reason):
            "invalid package \(quoted(text)): \(reason) (expected [OWNER@]Name[::Version[-Revision]] or Name/Version-Revision)"
        case let .invalidArchitecture(text, reason):
            "invalid architecture \(quoted(text)): \(reason) (expected <distro><major>_<cpu>, e.g. slc9_x86-64)"
        case let .invalidHash(text, reason):
            "invalid hash \(quoted(text)): \(reason)"
        }
    }
}

func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        if scalar == "\"" { result += "\\\"" } else { result.unicodeScalars.append(scalar) }
    }
    return result + "\""
}
