public import Foundation

/// The TUF 1.0 client workflow (specification §5), as python-tuf's `ngclient.Updater`.
///
/// Trusted metadata lives in `metadataDirectory` under non-versioned names (`root.json`,
/// `timestamp.json`, `snapshot.json`, `targets.json`, `<role>.json` with the role name
/// percent-encoded as python-tuf does), each written atomically. Verification is done by a
/// `TrustedMetadataSet`; this actor fetches and persists.
///
/// Persistence, as the specification's workflow (§5.3.8, §5.4.5, §5.5.7, §5.6.6) and
/// python-tuf's ngclient: each file is written as soon as it is verified and trusted — every
/// root of the rotation chain (before §5.3.10 checks the final one's expiry), then the
/// timestamp, the snapshot and each targets role — so a failure later in the refresh (or in a
/// delegation search) keeps what was verified before it, for the next run's rollback checks.
/// Metadata that is refused is never written: the file of a refused role keeps its trusted
/// content. A new root that changes the timestamp or snapshot keys removes the local timestamp
/// and snapshot (§5.3.11, fast-forward recovery).
///
/// Durability: the root chain, the timestamp and the snapshot are synced (the file's data,
/// then the directory after the rename) before the refresh goes on — the next run's rollback
/// checks compare against them. A targets role (top-level or delegated) is written atomically
/// but not synced: its trust comes from the snapshot, which names its version (and, when
/// given, its hashes), so a copy that a crash left old, torn or missing is refused when loaded
/// and fetched again. A refresh through 256 hash bins thus costs no per-bin fsync.
///
/// One refresh runs at a time per instance (single flight): concurrent callers wait for it.
public actor Updater {
    public nonisolated let metadataDirectory: String
    /// With a trailing '/'.
    public nonisolated let metadataBaseURL: String
    /// With a trailing '/', when given.
    public nonisolated let targetBaseURL: String?
    public nonisolated let configuration: UpdaterConfiguration
    /// The update's fixed start time (whole seconds).
    public nonisolated let referenceTime: Expiry
    let fetcher: any RemoteFetcher

    private enum State {
        /// No refresh yet, or the last one failed.
        case idle
        /// A refresh is running; concurrent callers wait for it.
        case refreshing(Task<Result<TrustedMetadataSet, UpdaterError>, Never>)
        /// Top-level metadata is loaded; delegated roles are added on demand.
        case ready(TrustedMetadataSet)
    }

    private var state = State.idle

    public init(
        metadataDirectory: String, metadataBaseURL: String, targetBaseURL: String?,
        fetcher: any RemoteFetcher, configuration: UpdaterConfiguration = .init(),
        referenceTime: Date = Date()
    ) {
        self.metadataDirectory = metadataDirectory
        self.metadataBaseURL = Self.withTrailingSlash(metadataBaseURL)
        self.targetBaseURL = targetBaseURL.map(Self.withTrailingSlash)
        self.fetcher = fetcher
        self.configuration = configuration
        self.referenceTime = Expiry(secondsSince1970: Int64(referenceTime.timeIntervalSince1970.rounded(.down)))
    }

    private static func withTrailingSlash(_ url: String) -> String {
        url.hasSuffix("/") ? url : url + "/"
    }

    /// Trust-on-first-use bootstrap: checks that `rootBytes` is a root signed by its own
    /// threshold and writes it as `metadataDirectory/root.json` (creating the directory).
    public static func initialize(rootBytes: [UInt8], metadataDirectory: String) throws(UpdaterError) {
        _ = try TrustedMetadataSet(rootBytes: rootBytes, referenceTime: Expiry(secondsSince1970: 0))
        try LocalFiles.makeDirectories(metadataDirectory)
        try LocalFiles.writeAtomically(rootBytes, to: "\(metadataDirectory)/root.json")
    }

    /// §5.3–5.6: the root rotation chain, timestamp, snapshot and top-level targets. Done once
    /// per instance; after a failure, the next call starts again from the files on disk.
    public func refresh() async throws(UpdaterError) {
        _ = try await refreshedSet()
    }

    /// What the last successful refresh (and delegation searches since) trusts; nil before one.
    public var trustedMetadata: TrustedMetadataSet? {
        if case let .ready(set) = state { set } else { nil }
    }

    /// The trusted set after a refresh (running one if needed).
    func refreshedSet() async throws(UpdaterError) -> TrustedMetadataSet {
        switch state {
        case let .ready(set):
            return set
        case let .refreshing(task):
            return try await task.value.get()
        case .idle:
            let task = Task { await self.runRefresh() }
            state = .refreshing(task)
            return try await task.value.get()
        }
    }

    /// Publishes the outcome itself, so that every waiter sees `state` settled.
    private func runRefresh() async -> Result<TrustedMetadataSet, UpdaterError> {
        do throws(UpdaterError) {
            let set = try await loadTopLevel()
            state = .ready(set)
            return .success(set)
        } catch {
            state = .idle
            return .failure(error)
        }
    }

    /// Writes verified metadata as `metadataDirectory/<role>.json` (role name percent-encoded),
    /// atomically; `synced`: on the disk before this returns (see "Durability" above).
    func persist(role: String, _ bytes: [UInt8], synced: Bool = true) throws(UpdaterError) {
        try LocalFiles.writeAtomically(bytes, to: "\(metadataDirectory)/\(NameEncoding.quote(role)).json", synced: synced)
    }

    private func forget(role: String) throws(UpdaterError) {
        try LocalFiles.remove("\(metadataDirectory)/\(NameEncoding.quote(role)).json")
    }

    func localMetadata(_ role: String) -> [UInt8]? {
        LocalFiles.readFile("\(metadataDirectory)/\(NameEncoding.quote(role)).json")
    }

    /// Fetches `<base><version>.<role>.json` (or `<base><role>.json`), mapping errors to `role`.
    func download(role: String, version: Int64?, maxLength: Int64) async throws(UpdaterError) -> [UInt8] {
        let name = NameEncoding.quote(role)
        let url = metadataBaseURL + (version.map { "\($0).\(name).json" } ?? "\(name).json")
        do {
            return try await fetcher.fetch(url, maxLength: maxLength)
        } catch let error as FetchError {
            throw .fetch(role: role, error)
        } catch {
            throw .fetch(role: role, .failed(url: url, reason: "\(error)"))
        }
    }

    private func loadTopLevel() async throws(UpdaterError) -> TrustedMetadataSet {
        guard let rootBytes = LocalFiles.readFile("\(metadataDirectory)/root.json") else {
            throw .notInitialized(metadataDirectory: metadataDirectory)
        }
        var set = try TrustedMetadataSet(rootBytes: rootBytes, referenceTime: referenceTime)
        try await loadRootChain(&set)
        try await loadTimestamp(&set)
        try await loadSnapshot(&set)
        _ = try await loadTargets(role: "targets", delegator: "root", set: &set)
        return set
    }

    /// §5.3: `<N+1>.root.json`, ... until not found, at most `maxRootRotations` steps. Each
    /// verified root is written at once (§5.3.8); then the final one must not be expired
    /// (§5.3.10). A 403 ends the chain as a 404 does: S3-style stores answer 403 for a missing
    /// object (python-tuf does the same).
    private func loadRootChain(_ set: inout TrustedMetadataSet) async throws(UpdaterError) {
        for _ in 0..<configuration.maxRootRotations {
            let bytes: [UInt8]
            do {
                bytes = try await download(role: "root", version: set.root.version + 1, maxLength: configuration.rootMaxLength)
            } catch .fetch(_, .notFound), .fetch(_, .forbidden) {
                break
            }
            let previous = set.root
            try set.updateRoot(bytes)
            try persist(role: "root", bytes)
            // §5.3.11: new timestamp or snapshot keys → forget the old ones (fast-forward recovery).
            if Self.keysChanged(previous, set.root, role: "timestamp") || Self.keysChanged(previous, set.root, role: "snapshot") {
                try forget(role: "timestamp")
                try forget(role: "snapshot")
            }
        }
        if set.root.expires.isExpired(at: referenceTime) {
            throw .expired(role: "root", expires: set.root.expires, referenceTime: referenceTime)
        }
    }

    private static func keysChanged(_ old: Root, _ new: Root, role: String) -> Bool {
        Set(old.keys(for: role).keys) != Set(new.keys(for: role).keys) || old.roles[role]?.threshold != new.roles[role]?.threshold
    }

    /// §5.4: the local timestamp (for rollback checks), then the remote one.
    private func loadTimestamp(_ set: inout TrustedMetadataSet) async throws(UpdaterError) {
        if let local = localMetadata("timestamp") {
            _ = try? set.updateTimestamp(local)
        }
        let bytes = try await download(role: "timestamp", version: nil, maxLength: configuration.timestampMaxLength)
        if case .updated = try set.updateTimestamp(bytes) {
            try persist(role: "timestamp", bytes)
        }
    }

    /// §5.5: the local snapshot if it is still the one the timestamp names, else the remote one.
    private func loadSnapshot(_ set: inout TrustedMetadataSet) async throws(UpdaterError) {
        if let local = localMetadata("snapshot"), (try? set.updateSnapshot(local, trusted: true)) != nil {
            return
        }
        guard let meta = set.timestamp?.snapshotMeta else { throw .outOfOrder("no trusted timestamp") }
        let version = set.root.consistentSnapshot == true ? meta.version : nil
        let bytes = try await download(role: "snapshot", version: version, maxLength: meta.length ?? configuration.snapshotMaxLength)
        try set.updateSnapshot(bytes)
        try persist(role: "snapshot", bytes)
    }

    /// §5.6 for one targets role: the local copy if it is still the one snapshot names, else
    /// the remote one (written once verified).
    func loadTargets(role: String, delegator: String, set: inout TrustedMetadataSet) async throws(UpdaterError) -> Targets {
        if set.contains(role: role, delegator: delegator), let targets = set.targetsRoles[role] { return targets }
        if let local = localMetadata(role), let targets = try? set.updateDelegatedTargets(local, role: role, delegator: delegator) {
            return targets
        }
        guard let snapshot = set.snapshot else { throw .outOfOrder("no trusted snapshot") }
        guard let meta = snapshot.meta["\(role).json"] else { throw .missingMeta(role: role, file: "\(role).json") }
        let version = set.root.consistentSnapshot == true ? meta.version : nil
        let bytes = try await download(role: role, version: version, maxLength: meta.length ?? configuration.targetsMaxLength)
        let targets = try set.updateDelegatedTargets(bytes, role: role, delegator: delegator)
        try persist(role: role, bytes, synced: false)
        return targets
    }

    /// Stores delegated roles loaded by a search (only the actor's methods call this).
    func store(_ set: TrustedMetadataSet) {
        state = .ready(set)
    }
}
