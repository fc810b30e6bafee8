public import AlienModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an environment could not be computed, printed or entered. Every case names the package,
/// the file or the area involved, so the message can be shown as it is.
public enum EnvironmentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A package argument does not parse (`VO_ALICE@Pkg::ver`, `Pkg/ver`, `Pkg`).
    case badPackageArgument(String, reason: String)
    /// A package argument that is not a package id (the model's refusal kept).
    case invalidPackageID(String, ModelError)
    /// The package is not installed; `installed` lists what the area has of that name.
    case notInstalled(request: String, area: String, installed: [String])
    /// An installed package sources an init.sh that is missing (its dependency is not installed).
    case missingDependency(package: String, dependency: String, path: String)
    /// The area has no `<arch>` folder, or the architecture could not be chosen.
    case noArea(path: String, reason: String)
    /// A package's environment could not be read (its manifest, or its init.sh outside the
    /// grammar) or computed.
    case manifest(EnvironmentManifestError)
    /// A file of the area could not be read or written.
    case io(path: String, reason: String)
    /// Already inside an environment entered by `enter` (or by aliBuild's `alienv enter`).
    case nestedEnter(loaded: String)
    /// A modulefile could not be made for a package.
    case modulefile(package: String, reason: String)
    /// The package was revoked by its repository and the site quarantines revoked packages.
    case revoked(package: String, reason: String)

    public var description: String {
        switch self {
        case let .badPackageArgument(text, reason):
            return "package argument '\(text)': \(reason) (expected Pkg, Pkg/Version-Rev, Pkg::Version or VO_ALICE@Pkg::Version)"
        case let .invalidPackageID(text, error):
            return "package argument '\(text)': \(error) (expected Pkg, Pkg/Version-Rev, Pkg::Version or VO_ALICE@Pkg::Version)"
        case let .notInstalled(request, area, installed):
            if installed.isEmpty { return "\(request) is not installed in \(area), and no version of it is" }
            return "\(request) is not installed in \(area); installed: \(installed.joined(separator: ", "))"
        case let .missingDependency(package, dependency, path):
            return "\(package) needs \(dependency), which is not installed (missing \(path))"
        case let .noArea(path, reason):
            return "software area \(path): \(reason)"
        case let .manifest(error):
            return error.description
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .nestedEnter(loaded):
            return "already in an alien-install environment (\(loaded)): type 'exit' to leave it first, "
                + "or use 'alien-install alienv load' to add packages to this shell"
        case let .modulefile(package, reason):
            return "modulefile for \(package): \(reason)"
        case let .revoked(package, reason):
            return "\(package): quarantined: revoked by the repository (\(reason)); the site's policy keeps it for forensics only"
        }
    }
}
