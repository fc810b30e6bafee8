/// Why the client workflow refused an update or a target. Every case names the role (or target
/// path) concerned; `description` says what was expected and what was found.
public enum UpdaterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No trusted root in the metadata directory (run `Updater.initialize` first).
    case notInitialized(metadataDirectory: String)
    /// The file could not be parsed as metadata of the role (JSON, fields, spec version, `_type`).
    case malformed(role: String, TrustError)
    /// Fewer than the threshold of authorized keys signed (`TrustError.thresholdNotMet`), or the
    /// delegator does not delegate the role.
    case unsigned(role: String, TrustError)
    /// A new root's version is not the trusted root's version + 1.
    case rootVersion(expected: Int64, got: Int64)
    /// A version went backwards: `file` is the role's own version ("timestamp.json") or an entry
    /// of its meta ("snapshot.json" in timestamp, "targets.json" in snapshot).
    case rollback(role: String, file: String, trusted: Int64, new: Int64)
    /// A version differs from the one the referring metadata records (mix-and-match).
    case versionMismatch(role: String, expected: Int64, got: Int64)
    /// The metadata expired before the update's reference time (freeze attack).
    case expired(role: String, expires: Expiry, referenceTime: Expiry)
    /// A new snapshot lacks an entry the trusted snapshot has.
    case metaRemoved(role: String, file: String)
    /// The referring metadata has no entry for the role (a delegated role missing from snapshot).
    case missingMeta(role: String, file: String)
    /// Length differs from the one recorded (metadata file or target).
    case lengthMismatch(name: String, expected: Int64, got: Int64)
    /// A hash differs from the one recorded (metadata file or target).
    case hashMismatch(name: String, algorithm: String, expected: String, got: String)
    /// A recorded hash uses an algorithm this client cannot compute.
    case unsupportedHash(name: String, algorithm: String)
    /// Fetching the role's metadata (or a target) failed.
    case fetch(role: String, FetchError)
    /// A target path that cannot be stored under the target directory.
    case invalidTargetPath(path: String, reason: String)
    /// `downloadTarget` without a target base URL.
    case noTargetBaseURL
    /// A local file operation failed.
    case io(path: String, reason: String)
    /// Metadata offered out of the workflow's order (a caller's mistake, e.g. root after timestamp).
    case outOfOrder(String)

    public var description: String {
        switch self {
        case let .notInitialized(directory):
            "\(directory)/root.json: no trusted root; expected one written by `trust init`"
        case let .malformed(role, error):
            "\(role): invalid metadata: \(error)"
        case let .unsigned(role, error):
            "\(role): signature check failed: \(error)"
        case let .rootVersion(expected, got):
            "root: new root has version \(got); expected \(expected) (trusted version + 1)"
        case let .rollback(role, file, trusted, new):
            "\(role): \(file) version \(new) is older than the trusted version \(trusted); expected ≥ \(trusted) (rollback attack)"
        case let .versionMismatch(role, expected, got):
            "\(role): version \(got); expected \(expected) as the referring metadata records"
        case let .expired(role, expires, referenceTime):
            "\(role): expired at \(expires); expected an expiry after the update start \(referenceTime) (freeze attack)"
        case let .metaRemoved(role, file):
            "\(role): new snapshot has no entry for \(file), which the trusted snapshot lists"
        case let .missingMeta(role, file):
            "\(role): no meta entry for \(file); expected the snapshot to list every delegated role"
        case let .lengthMismatch(name, expected, got):
            "\(name): length \(got) bytes; expected \(expected)"
        case let .hashMismatch(name, algorithm, expected, got):
            "\(name): \(algorithm) \(got); expected \(expected)"
        case let .unsupportedHash(name, algorithm):
            "\(name): hash algorithm '\(algorithm)' unsupported; expected sha256, sha384 or sha512"
        case let .fetch(role, error):
            "\(role): download failed: \(error)"
        case let .invalidTargetPath(path, reason):
            "target path '\(path)': \(reason)"
        case .noTargetBaseURL:
            "no target base URL; expected one to download targets from"
        case let .io(path, reason):
            "\(path): \(reason)"
        case let .outOfOrder(reason):
            "update out of order: \(reason)"
        }
    }
}
