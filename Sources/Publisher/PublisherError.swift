public import Tarballs
public import Torrents
public import Transport
public import Trust

/// Why a release-manager operation was refused or failed. Every case names the file, URL, role
/// or package concerned and what was expected; nothing was left half-written when one is thrown.
public enum PublisherError: Error, Sendable, CustomStringConvertible {
    /// A key file could not be read or is malformed.
    case keyFile(path: String, reason: String)
    /// `keys generate` would overwrite an existing file.
    case keyFileExists(path: String)
    /// `repo init` over something that already holds repository metadata.
    case repositoryExists(location: String)
    /// The location holds no (complete) repository.
    case notARepository(location: String, reason: String)
    /// A metadata file is malformed or does not verify.
    case metadata(file: String, reason: String)
    /// The signing keys given do not reach a role's threshold.
    case missingSigningKeys(role: String, threshold: Int, given: Int, authorizedKeyIDs: [String])
    /// A duration or date (`7d`, `12h`, `2030-01-01`) or a `ROLE=DURATION` pair that does not parse.
    case invalidExpiry(String, reason: String)
    /// A command-line value that is out of range or contradicts another.
    case invalidArgument(String)
    /// The work directory's `TARS/` holds several architectures and none was chosen.
    case severalArchitectures(tars: String, [String])
    /// A package tarball that cannot be published as it is.
    case tarball(path: String, reason: String)
    /// A package asked for is not in the work directory's TARS store.
    case packageNotFound(package: String, searched: String)
    /// A target requires a target path that is neither defined nor being published.
    case missingDependency(target: String, requires: String)
    /// `undefine` would leave defined targets requiring what it removes (unless forced).
    case stillRequired(target: String, by: [String])
    /// `undefine` found no defined target matching.
    case notDefined(String)
    /// A versioned metadata file to write was there already, every time (after re-reading the
    /// repository and choosing later versions) for `attempts` tries.
    case conflict(file: String, attempts: Int)
    case transport(TransportError)
    /// A metadata file that does not parse as the role expected (`expected`), does not verify,
    /// or cannot be signed; the TUF library's refusal kept.
    case invalidMetadata(file: String, expected: String?, TrustError)
    /// Metadata or a key assignment that cannot be built as asked (`context`: the operation or role).
    case trust(context: String, TrustError)
    /// A key file that does not hold what `expected` says.
    case invalidKey(path: String, expected: String, TrustError)
    /// A package tarball whose content cannot be read.
    case unreadableTarball(path: String, TarballError)
    /// The piece-hash list of a package tarball cannot be made.
    case pieceList(path: String, PieceListError)
    /// The torrent of a package tarball cannot be made.
    case torrent(path: String, TorrentError)

    public var description: String {
        switch self {
        case let .keyFile(path, reason):
            "\(path): \(reason)"
        case let .keyFileExists(path):
            "\(path) already exists; refusing to overwrite a key (remove it first, or choose another NAME)"
        case let .repositoryExists(location):
            "\(location) already holds a repository (metadata/timestamp.json); refusing to initialise over it"
        case let .notARepository(location, reason):
            "\(location) is not a readable repository: \(reason)"
        case let .metadata(file, reason):
            "\(file): \(reason)"
        case let .missingSigningKeys(role, threshold, given, authorized):
            "role \(role) needs signatures from \(threshold) of its keys, but the keys given hold \(given) of them "
                + "(authorized key ids: \(authorized.map { String($0.prefix(16)) }.joined(separator: ", ")))"
        case let .invalidExpiry(text, reason):
            "expiry '\(text)': \(reason)"
        case let .invalidArgument(reason):
            reason
        case let .severalArchitectures(tars, names):
            "\(tars) holds several architectures (\(names.joined(separator: ", "))); choose one"
        case let .tarball(path, reason):
            "\(path): \(reason)"
        case let .packageNotFound(package, searched):
            "package \(package) not found in \(searched)"
        case let .missingDependency(target, requires):
            "\(target) requires \(requires), which is neither published nor being published; publish it too (or publish from the work directory, which adds the closure)"
        case let .stillRequired(target, dependants):
            "\(target) is required by \(dependants.joined(separator: ", ")); undefine those first"
        case let .notDefined(what):
            "no defined target matches \(what)"
        case let .conflict(file, attempts):
            "\(file) exists already; versioned metadata is never overwritten (\(attempts) attempt(s), each after re-reading the repository)"
        case let .transport(error):
            error.description
        case let .invalidMetadata(file, expected, error):
            expected.map { "\(file): expected \($0) metadata: \(error)" } ?? "\(file): \(error)"
        case let .trust(context, error):
            "\(context): \(error)"
        case let .invalidKey(path, expected, error):
            "\(path): expected \(expected): \(error)"
        case let .unreadableTarball(path, error):
            "\(path): \(error)"
        case let .pieceList(path, error):
            "\(path): \(error)"
        case let .torrent(path, error):
            "\(path): cannot make its torrent: \(error)"
        }
    }
}
