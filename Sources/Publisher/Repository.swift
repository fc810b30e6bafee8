import Foundation
import Transport
public import Trust

/// A TUF repository as its release managers change it. Every operation reads and verifies the
/// current metadata (`RepositoryState.load`), signs everything it will write before writing
/// anything (so a missing key changes nothing), then writes in the order that keeps readers
/// safe: target files, then `N.targets.json`, `N.snapshot.json`, new roots, and
/// `timestamp.json` last. Until the timestamp is replaced, readers see the previous
/// repository, complete; files written before a failure are new names nothing refers to.
///
/// Concurrent release managers: every change runs as a `transaction` under the store's writer
/// lock (`<location>/.publish.lock`: `flock` on a directory, WebDAV `MKCOL` over HTTP), from
/// the read to the timestamp, so two publishes take turns and the second builds on the first.
/// A versioned file, once written, is never overwritten (created with `link`, or a PUT with
/// `If-None-Match: *` after a HEAD); a taken name makes the change start again from a fresh
/// read with later versions. Target files are uploaded before the lock (their names hold their
/// sha256).
public struct Repository: Sendable {
    public let store: RepositoryStore
    /// Lifetimes given to roles when they are re-signed.
    public var expiries: RoleExpiries
    /// The signing time (injected for tests; the current time by default).
    public var now: Expiry
    /// How long a change waits for another writer's lock (seconds).
    public var lockWait: Double = 600
    /// Attempts of a change whose versioned file names turn out taken (see `transaction`).
    public var maxAttempts = 5

    public init(store: RepositoryStore, expiries: RoleExpiries = .defaults, now: Expiry = Repository.currentTime()) {
        self.store = store
        self.expiries = expiries
        self.now = now
    }

    public static func currentTime() -> Expiry {
        Expiry(secondsSince1970: Int64(Date().timeIntervalSince1970))
    }

    public func load() throws(PublisherError) -> RepositoryState {
        try RepositoryState.load(from: store)
    }

    /// Creates version 1 of every top-level role: `rootKeys` (threshold `rootThreshold`) for
    /// root, one key for each other role; consistent snapshots on; no targets. Refuses a
    /// location that already holds metadata.
    @discardableResult
    public func initialize(
        rootKeys: [SigningKey], rootThreshold: Int, targetsKey: SigningKey, snapshotKey: SigningKey,
        timestampKey: SigningKey
    ) throws(PublisherError) -> RepositoryState {
        guard try !RepositoryState.exists(in: store) else { throw .repositoryExists(location: store.location) }
        let rootIDs = Self.distinctIDs(rootKeys)
        guard !rootIDs.isEmpty else { throw .invalidArgument("repo init: give at least one root key") }
        guard (1...rootIDs.count).contains(rootThreshold) else {
            throw .invalidArgument("root threshold \(rootThreshold): expected 1...\(rootIDs.count) (the number of distinct root keys)")
        }
        var keys: [String: Key] = [:]
        for key in rootKeys + [targetsKey, snapshotKey, timestampKey] { keys[key.keyID] = key.key }
        let roles: [String: RoleKeys]
        let root: Root
        do {
            roles = [
                "root": try RoleKeys(keyIDs: rootIDs, threshold: rootThreshold),
                "targets": try RoleKeys(keyIDs: [targetsKey.keyID], threshold: 1),
                "snapshot": try RoleKeys(keyIDs: [snapshotKey.keyID], threshold: 1),
                "timestamp": try RoleKeys(keyIDs: [timestampKey.keyID], threshold: 1)
            ]
            root = try Root(version: 1, expires: try expiry("root", expiries.root), keys: keys, roles: roles, consistentSnapshot: true)
        } catch let error as PublisherError {
            throw error
        } catch let error as TrustError {
            throw .trust(context: "repo init", error)
        } catch {
            throw .invalidArgument("repo init: \(error)")
        }
        let signers = Signers(rootKeys + [targetsKey, snapshotKey, timestampKey])
        let rootMetadata = try signers.sign(root, as: "root", in: root)
        let targets: Targets
        let expires = try expiry("targets", expiries.targets)
        do { targets = try Targets(version: 1, expires: expires) } catch { throw .trust(context: "targets", error) }
        let targetsMetadata = try signers.sign(targets, as: "targets", in: root)
        var writes = MetadataWrites()
        let targetsBytes = writes.add("1.targets.json", targetsMetadata)
        let snapshotMetadata = try signers.sign(try snapshot(version: 1, targetsVersion: 1, targetsBytes: targetsBytes), as: "snapshot", in: root)
        let snapshotBytes = writes.add("1.snapshot.json", snapshotMetadata)
        writes.add("1.root.json", rootMetadata)
        writes.add("root.json", rootMetadata)
        let timestampMetadata = try signers.sign(
            try timestamp(version: 1, snapshotVersion: 1, snapshotBytes: snapshotBytes),
            as: "timestamp", in: root)
        writes.add("timestamp.json", timestampMetadata)
        let lock = try store.lockWriters(waitingUpTo: lockWait)
        defer { lock.release() }
        // Again under the lock: two inits of one location must not both succeed.
        guard try !RepositoryState.exists(in: store) else { throw .repositoryExists(location: store.location) }
        try writes.commit(to: store, replacingVersioned: true)
        return RepositoryState(root: rootMetadata, targets: targetsMetadata, snapshot: snapshotMetadata, timestamp: timestampMetadata)
    }

    /// The expiry for `role` signed now; refuses one that is not in the future.
    func expiry(_ role: String, _ spec: ExpirySpec) throws(PublisherError) -> Expiry {
        let date = spec.expiry(from: now)
        guard now < date else {
            throw .invalidExpiry(spec.description, reason: "\(role) metadata would expire at \(date), not after the signing time \(now)")
        }
        return date
    }

    static func distinctIDs(_ keys: [SigningKey]) -> [String] {
        var seen = Set<String>()
        return keys.map(\.keyID).filter { seen.insert($0).inserted }
    }

    func snapshot(version: Int64, targetsVersion: Int64, targetsBytes: [UInt8]) throws(PublisherError) -> Snapshot {
        let expires = try expiry("snapshot", expiries.snapshot)
        do {
            let meta = try MetaFile(version: targetsVersion, length: Int64(targetsBytes.count), hashes: ["sha256": sha256Hex(targetsBytes)])
            return try Snapshot(version: version, expires: expires, meta: ["targets.json": meta])
        } catch {
            throw .trust(context: "snapshot", error)
        }
    }

    func timestamp(version: Int64, snapshotVersion: Int64, snapshotBytes: [UInt8]) throws(PublisherError) -> Timestamp {
        let expires = try expiry("timestamp", expiries.timestamp)
        do {
            let meta = try MetaFile(version: snapshotVersion, length: Int64(snapshotBytes.count), hashes: ["sha256": sha256Hex(snapshotBytes)])
            return try Timestamp(version: version, expires: expires, snapshotMeta: meta)
        } catch {
            throw .trust(context: "timestamp", error)
        }
    }

    /// Re-signs targets (with `newTargets` when given), snapshot and timestamp as far down the
    /// chain as needed: a new targets needs a new snapshot, a new snapshot a new timestamp.
    /// Versions are the next ones (at least `floors`). Returns the new state and the metadata
    /// writes in order (timestamp last, `beforeTimestamp` files just before it).
    func resign(
        _ state: RepositoryState, root: Root, signers: Signers, newTargets: Targets?, targets resignTargets: Bool = false,
        snapshot resignSnapshot: Bool = false, beforeTimestamp: [(String, Metadata<Root>)] = [],
        floors: VersionFloors = VersionFloors()
    ) throws(PublisherError) -> (RepositoryState, MetadataWrites) {
        var next = state
        next.root = beforeTimestamp.last?.1 ?? state.root
        var writes = MetadataWrites()
        let targetsChanged = newTargets != nil || resignTargets
        if targetsChanged {
            var targets = newTargets ?? state.targets.signed
            targets.version = floors.next("targets", after: state.targets.signed.version)
            targets.expires = try expiry("targets", expiries.targets)
            next.targets = try signers.sign(targets, as: "targets", in: root)
            writes.add("\(targets.version).targets.json", next.targets)
        }
        if targetsChanged || resignSnapshot {
            let targetsBytes = next.targets.serialized()
            let snapshot = try self.snapshot(
                version: floors.next("snapshot", after: state.snapshot.signed.version),
                targetsVersion: next.targets.signed.version, targetsBytes: targetsBytes)
            next.snapshot = try signers.sign(snapshot, as: "snapshot", in: root)
            writes.add("\(snapshot.version).snapshot.json", next.snapshot)
        }
        for (name, metadata) in beforeTimestamp { writes.add(name, metadata) }
        let timestamp = try self.timestamp(
            version: state.timestamp.signed.version + 1, snapshotVersion: next.snapshot.signed.version,
            snapshotBytes: next.snapshot.serialized())
        next.timestamp = try signers.sign(timestamp, as: "timestamp", in: root)
        writes.add("timestamp.json", next.timestamp)
        return (next, writes)
    }
}
