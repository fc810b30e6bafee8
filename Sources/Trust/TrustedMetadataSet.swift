/// The metadata the client currently trusts, as python-tuf's `TrustedMetadataSet`: a value that
/// starts from a trusted root and only ever accepts valid updates, in the order of the TUF 1.0
/// client workflow (§5): root → timestamp → snapshot → targets → delegated targets. It does no
/// I/O; `Updater` fetches and persists.
///
/// As in python-tuf, some updates are kept as *intermediate* metadata even though they throw: a
/// new timestamp that is expired, a snapshot that is expired or whose version differs from the
/// timestamp's meta. They are used only for rollback checks against the next update of the same
/// role and prevent loading the roles after them. An expired root is allowed as an intermediate
/// step of the rotation chain; the final one is checked when the timestamp is loaded.
public struct TrustedMetadataSet: Sendable {
    /// The update's fixed start time: every expiry is compared with it.
    public let referenceTime: Expiry
    public private(set) var root: Root
    public private(set) var timestamp: Timestamp?
    public private(set) var snapshot: Snapshot?
    /// "targets" and the delegated targets roles loaded so far, by role name.
    public private(set) var targetsRoles: [String: Targets] = [:]
    /// (delegator, role) pairs whose metadata was verified against that delegator.
    private var verifiedDelegations: Set<[String]> = []

    /// What `updateTimestamp` did.
    public enum TimestampUpdate: Hashable, Sendable {
        /// The new timestamp is trusted now.
        case updated(Timestamp)
        /// Same version as the trusted one: the trusted timestamp stays (python-tuf's
        /// `EqualVersionNumberError`, which its updater ignores).
        case sameVersion
    }

    /// Starts from `rootBytes`, which must be a root signed by its own threshold. Expiry is not
    /// checked here (an expired trusted root can still be rotated).
    public init(rootBytes: [UInt8], referenceTime: Expiry) throws(UpdaterError) {
        let metadata: Metadata<Root> = try Self.parse(rootBytes, role: "root")
        do { try metadata.signed.verify(metadata, as: "root") } catch { throw .unsigned(role: "root", error) }
        root = metadata.signed
        self.referenceTime = referenceTime
    }

    /// The top-level targets role, once loaded.
    public var targets: Targets? { targetsRoles["targets"] }

    /// Whether `role` was loaded and verified against `delegator`.
    public func contains(role: String, delegator: String) -> Bool {
        verifiedDelegations.contains([delegator, role])
    }

    // MARK: root

    /// §5.3: the next root must be signed by the threshold of the trusted root's root keys and
    /// by the threshold of its own, and have the trusted version + 1.
    @discardableResult
    public mutating func updateRoot(_ bytes: [UInt8]) throws(UpdaterError) -> Root {
        guard timestamp == nil else { throw .outOfOrder("cannot update root after timestamp") }
        let metadata: Metadata<Root> = try Self.parse(bytes, role: "root")
        do { try root.verify(metadata, as: "root") } catch { throw .unsigned(role: "root", error) }
        guard metadata.signed.version == root.version + 1 else {
            throw .rootVersion(expected: root.version + 1, got: metadata.signed.version)
        }
        do { try metadata.signed.verify(metadata, as: "root") } catch { throw .unsigned(role: "root", error) }
        root = metadata.signed
        return root
    }

    // MARK: timestamp

    /// §5.4. Throws `expired` for a final root that is expired (nothing loaded) or a new
    /// timestamp that is expired (kept as intermediate for rollback checks).
    @discardableResult
    public mutating func updateTimestamp(_ bytes: [UInt8]) throws(UpdaterError) -> TimestampUpdate {
        guard snapshot == nil else { throw .outOfOrder("cannot update timestamp after snapshot") }
        try checkNotExpired(root.expires, role: "root")
        let metadata: Metadata<Timestamp> = try Self.parse(bytes, role: "timestamp")
        do { try root.verify(metadata, as: "timestamp") } catch { throw .unsigned(role: "timestamp", error) }
        let new = metadata.signed
        if let trusted = timestamp {
            guard new.version >= trusted.version else {
                throw .rollback(role: "timestamp", file: "timestamp.json", trusted: trusted.version, new: new.version)
            }
            if new.version == trusted.version { return .sameVersion }
            guard new.snapshotMeta.version >= trusted.snapshotMeta.version else {
                throw .rollback(role: "timestamp", file: "snapshot.json", trusted: trusted.snapshotMeta.version, new: new.snapshotMeta.version)
            }
        }
        timestamp = new
        try checkFinalTimestamp()
        return .updated(new)
    }

    private func checkFinalTimestamp() throws(UpdaterError) {
        guard let timestamp else { throw .outOfOrder("cannot update snapshot before timestamp") }
        try checkNotExpired(timestamp.expires, role: "timestamp")
    }

    // MARK: snapshot

    /// §5.5. `trusted`: the bytes were verified earlier (the local copy), so the timestamp's
    /// length and hashes are not checked. An expired snapshot or one whose version differs from
    /// the timestamp's meta is kept as intermediate and throws.
    @discardableResult
    public mutating func updateSnapshot(_ bytes: [UInt8], trusted: Bool = false) throws(UpdaterError) -> Snapshot {
        guard let timestamp else { throw .outOfOrder("cannot update snapshot before timestamp") }
        guard targets == nil else { throw .outOfOrder("cannot update snapshot after targets") }
        try checkFinalTimestamp()
        if !trusted {
            try MultiHasher.verify(bytes, name: "snapshot.json", length: timestamp.snapshotMeta.length, hashes: timestamp.snapshotMeta.hashes)
        }
        let metadata: Metadata<Snapshot> = try Self.parse(bytes, role: "snapshot")
        do { try root.verify(metadata, as: "snapshot") } catch { throw .unsigned(role: "snapshot", error) }
        let new = metadata.signed
        if let old = snapshot {
            for (file, info) in old.meta.sorted(by: { $0.key < $1.key }) {
                guard let newInfo = new.meta[file] else { throw .metaRemoved(role: "snapshot", file: file) }
                guard newInfo.version >= info.version else {
                    throw .rollback(role: "snapshot", file: file, trusted: info.version, new: newInfo.version)
                }
            }
        }
        snapshot = new
        try checkFinalSnapshot()
        return new
    }

    private func checkFinalSnapshot() throws(UpdaterError) {
        guard let snapshot, let timestamp else { throw .outOfOrder("cannot load targets before snapshot") }
        try checkNotExpired(snapshot.expires, role: "snapshot")
        guard snapshot.version == timestamp.snapshotMeta.version else {
            throw .versionMismatch(role: "snapshot", expected: timestamp.snapshotMeta.version, got: snapshot.version)
        }
    }

    // MARK: targets

    /// §5.6: top-level targets, delegated by root.
    @discardableResult
    public mutating func updateTargets(_ bytes: [UInt8]) throws(UpdaterError) -> Targets {
        try updateDelegatedTargets(bytes, role: "targets", delegator: "root")
    }

    /// §5.6 for `role` as delegated by `delegator` ("root" for "targets"; an already loaded
    /// targets role otherwise): length and hashes from snapshot meta, signatures by the
    /// delegator's keys and threshold for the role, version equal to the snapshot's, not expired.
    @discardableResult
    public mutating func updateDelegatedTargets(_ bytes: [UInt8], role: String, delegator: String) throws(UpdaterError) -> Targets {
        guard let snapshot else { throw .outOfOrder("cannot load targets before snapshot") }
        try checkFinalSnapshot()
        let file = "\(role).json"
        guard let meta = snapshot.meta[file] else { throw .missingMeta(role: role, file: file) }
        try MultiHasher.verify(bytes, name: file, length: meta.length, hashes: meta.hashes)
        let metadata: Metadata<Targets> = try Self.parse(bytes, role: role)
        if delegator == "root" {
            guard role == "targets" else { throw .outOfOrder("root delegates only 'targets', not '\(role)'") }
            do { try root.verify(metadata, as: "targets") } catch { throw .unsigned(role: role, error) }
        } else {
            guard let parent = targetsRoles[delegator] else { throw .outOfOrder("cannot load \(role) before its delegator \(delegator)") }
            guard let delegations = parent.delegations else {
                throw .unsigned(
                    role: role,
                    .invalidValue(
                        context: "\(delegator).signed", field: "delegations",
                        expected: "a delegation to '\(role)'", got: "none"))
            }
            do { try delegations.verify(metadata, as: role) } catch { throw .unsigned(role: role, error) }
        }
        let new = metadata.signed
        guard new.version == meta.version else { throw .versionMismatch(role: role, expected: meta.version, got: new.version) }
        try checkNotExpired(new.expires, role: role)
        targetsRoles[role] = new
        verifiedDelegations.insert([delegator, role])
        return new
    }

    // MARK: helpers

    private func checkNotExpired(_ expires: Expiry, role: String) throws(UpdaterError) {
        if expires.isExpired(at: referenceTime) {
            throw .expired(role: role, expires: expires, referenceTime: referenceTime)
        }
    }

    private static func parse<R: SignedRole>(_ bytes: [UInt8], role: String) throws(UpdaterError) -> Metadata<R> {
        do { return try Metadata<R>(bytes: bytes) } catch { throw .malformed(role: role, error) }
    }
}
