public import AlienModel
public import Tarballs
public import Trust

/// Why a software-area operation failed; each case names the package and the file concerned.
public enum SoftwareAreaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No software area at this path (read-only commands never create one).
    case noArea(path: String, reason: String)
    /// The area has no trusted root yet and none was given.
    case notInitialized(area: String)
    /// No repository URL given and none remembered in `.alien/config.json`.
    case noRepository(area: String)
    /// A package request no trusted target satisfies.
    case unknownPackage(String, reason: String)
    /// A target's `custom` metadata lacks a field or has the wrong shape.
    case badTargetMetadata(target: String, field: String, expected: String, got: String)
    /// The TUF client refused (metadata or target verification, fetch failures), or the bytes
    /// did not match signed metadata; the cause keeps its type.
    case trust(package: String, TrustRefusal)
    /// The repository (and its mirrors) could not be reached while refreshing metadata: a
    /// connection or HTTP failure, not a refusal — what is installed may still be used.
    case unreachable(package: String, reason: String)
    /// Not enough free space in the area.
    case insufficientSpace(package: String, area: String, needed: UInt64, available: UInt64)
    /// The tarball could not be extracted (refused entry, malformed bytes, ...).
    case extraction(package: String, TarballError)
    /// The tarball did not contain `<arch>/<Name>/<Version>-<Rev>/`.
    case unexpectedLayout(package: String, expected: String, got: [String])
    /// Making the unpacked package usable at its prefix failed (a refused entry of its lists, ...).
    case relocation(package: String, RelocationError)
    /// A filesystem operation failed.
    case io(path: String, operation: String, reason: String)
    /// A request names a package that is not installed.
    case notInstalled(String)
    /// `remove` refused: a live lease holds the package (unless forced).
    case leased(package: String, holders: [String])
    /// `remove` refused: installed packages need it (unless forced).
    case required(package: String, by: [String])
    /// A record or config file that does not parse.
    case badFile(path: String, reason: String)
    /// The root metadata file given to trust a repository was refused by the TUF client.
    case badRoot(path: String, UpdaterError)
    /// A malformed argument (size, ttl, holder).
    case invalidArgument(name: String, expected: String, got: String)
    /// The package's environment manifest is invalid, or its init.sh is outside the grammar the
    /// strict parser reads (the cause has the file and line). Nothing of it was run.
    case environment(package: String, EnvironmentManifestError)
    /// The repository's release managers revoked this build (a signed `PackageRevocation`):
    /// no new install or lease of it, and no use while the site's policy quarantines it.
    case revoked(package: String, reason: String, time: String)

    public var description: String {
        switch self {
        case let .noArea(path, reason):
            "\(path): not a software area (\(reason))"
        case let .notInitialized(area):
            "\(area): the area trusts no repository yet; the repository's root metadata (root.json, obtained out of band) is needed the first time"
        case let .noRepository(area):
            "\(area): no repository known; one must be named the first time (it is remembered in .alien/config.json)"
        case let .unknownPackage(request, reason): "\(request): \(reason)"
        case let .badTargetMetadata(target, field, expected, got):
            "\(target): custom field '\(field)': expected \(expected), got \(got)"
        case let .trust(package, refusal): "\(package): \(refusal)"
        case let .unreachable(package, reason): "\(package): repository unreachable: \(reason)"
        case let .insufficientSpace(package, area, needed, available):
            "\(package): not enough space in \(area): needs about \(needed) bytes, \(available) available (collect unused packages, or let the install evict them)"
        case let .extraction(package, error): "\(package): extraction refused: \(error)"
        case let .unexpectedLayout(package, expected, got):
            "\(package): the tarball should hold \(expected)/, got \(got.isEmpty ? "nothing" : got.joined(separator: ", "))"
        case let .relocation(package, error): "\(package): \(error)"
        case let .io(path, operation, reason): "\(path): \(operation) failed: \(reason)"
        case let .notInstalled(request): "\(request): not installed"
        case let .leased(package, holders):
            "\(package): leased by \(holders.joined(separator: ", ")); not removed"
        case let .required(package, by):
            "\(package): needed by installed \(by.joined(separator: ", ")); not removed"
        case let .badFile(path, reason): "\(path): \(reason)"
        case let .badRoot(path, error): "\(path): \(error)"
        case let .invalidArgument(name, expected, got): "\(name): expected \(expected), got '\(got)'"
        case let .environment(package, error):
            "\(package): refused: its environment cannot be read without running it: \(error) "
                + "(init.sh is never run; \"\(SoftwareArea.allowUnparsedInitKey)\": true in .alien/config.json installs such packages without an environment)"
        case let .revoked(package, reason, time):
            "\(package): revoked by the repository at \(time): \(reason)"
        }
    }

    /// A failure of the TUF client: `unreachable` when fetching metadata failed (connection,
    /// HTTP status), else `trust` (a refusal, or a file the repository lacks).
    static func catalog(_ error: UpdaterError, package: String) -> SoftwareAreaError {
        if case .fetch(_, .failed) = error { return .unreachable(package: package, reason: error.description) }
        return .trust(package: package, .update(error))
    }
}

extension SoftwareAreaError {
    /// The area's own trust refusal, in words (a length or hash against signed metadata).
    public static func trust(package: String, reason: String) -> SoftwareAreaError {
        .trust(package: package, .refused(reason))
    }
}
