import Foundation

/// The TUF 1.0 client workflow (specification §5), as python-tuf's `ngclient.Updater`.
///
/// Trusted metadata lives in `metadataDirectory` under non-versioned names (`root.json`,
/// `timestamp.json`, `snapshot.json`, `targets.json`, `<role>.json` with the role name
/// percent-encoded as python-tuf does), each written atomically. Verification is done by a
/// `TrustedMetadataSet`; this actor fetches and persists.
///
/// Persistence: an accepted root rotation chain is written when the chain is complete (§5.3.7,
/// with §5.3.11's removal of timestamp and snapshot when their keys changed). Everything else
/// a refresh (or a delegation search) accepts is written only when the whole refresh (search)
/// succeeds, so a refused update leaves the timestamp, snapshot and targets files unchanged.
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

    public init(metadataDirectory: String, metadataBaseURL: String, targetBaseURL: String?,
                fetcher: any RemoteFetcher, configuration: UpdaterConfiguration = .init(),
                referenceTime: Date = Date()) {
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

    /// A file to write (bytes) or remove (nil) under `metadataDirectory`, by file name.
    typealias PendingWrite = (name: String, bytes: [UInt8]?)

    func commit(_ writes: [PendingWrite]) throws(UpdaterError) {
        for write in writes {
            let path = "\(metadataDirectory)/\(write.name)"
            if let bytes = write.bytes { try LocalFiles.writeAtomically(bytes, to: path) } else { try LocalFiles.remove(path) }
        }
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
        var pending: [PendingWrite] = []
        try await loadTimestamp(&set, pending: &pending)
        try await loadSnapshot(&set, pending: &pending)
        _ = try await loadTargets(role: "targets", delegator: "root", set: &set, pending: &pending)
        try commit(pending)
        return set
    }

    /// §5.3: `<N+1>.root.json`, ... until not found, at most `maxRootRotations` steps.
    private func loadRootChain(_ set: inout TrustedMetadataSet) async throws(UpdaterError) {
        let original = set.root
        var latest: [UInt8]?
        var reachedEnd = false
        for _ in 0..<configuration.maxRootRotations {
            let bytes: [UInt8]
            do {
                bytes = try await download(role: "root", version: set.root.version + 1, maxLength: configuration.rootMaxLength)
            } catch .fetch(_, .notFound) {
                reachedEnd = true
                break
            }
            try set.updateRoot(bytes)
            latest = bytes
        }
        // §5.3.10: the final root must not be expired. Checked before anything is written,
        // unless the rotation bound cut the chain: then the progress is kept for the next run.
        let expired = set.root.expires.isExpired(at: referenceTime)
        if expired, reachedEnd || latest == nil {
            throw .expired(role: "root", expires: set.root.expires, referenceTime: referenceTime)
        }
        if let latest {
            var writes: [PendingWrite] = [("root.json", latest)]
            // §5.3.11: new timestamp or snapshot keys → forget the old ones (fast-forward recovery).
            if Self.keysChanged(original, set.root, role: "timestamp") || Self.keysChanged(original, set.root, role: "snapshot") {
                writes += [("timestamp.json", nil), ("snapshot.json", nil)]
            }
            try commit(writes)
        }
        if expired { throw .expired(role: "root", expires: set.root.expires, referenceTime: referenceTime) }
    }

    private static func keysChanged(_ old: Root, _ new: Root, role: String) -> Bool {
        Set(old.keys(for: role).keys) != Set(new.keys(for: role).keys) || old.roles[role]?.threshold != new.roles[role]?.threshold
    }

    /// §5.4: the local timestamp (for rollback checks), then the remote one.
    private func loadTimestamp(_ set: inout TrustedMetadataSet, pending: inout [PendingWrite]) async throws(UpdaterError) {
        if let local = localMetadata("timestamp") {
            _ = try? set.updateTimestamp(local)
        }
        let bytes = try await download(role: "timestamp", version: nil, maxLength: configuration.timestampMaxLength)
        if case .updated = try set.updateTimestamp(bytes) {
            pending.append(("timestamp.json", bytes))
        }
    }

    /// §5.5: the local snapshot if it is still the one the timestamp names, else the remote one.
    private func loadSnapshot(_ set: inout TrustedMetadataSet, pending: inout [PendingWrite]) async throws(UpdaterError) {
        if let local = localMetadata("snapshot"), (try? set.updateSnapshot(local, trusted: true)) != nil {
            return
        }
        guard let meta = set.timestamp?.snapshotMeta else { throw .outOfOrder("no trusted timestamp") }
        let version = set.root.consistentSnapshot == true ? meta.version : nil
        let bytes = try await download(role: "snapshot", version: version, maxLength: meta.length ?? configuration.snapshotMaxLength)
        try set.updateSnapshot(bytes)
        pending.append(("snapshot.json", bytes))
    }

    /// §5.6 for one targets role: the local copy if it is still the one snapshot names, else
    /// the remote one.
    func loadTargets(role: String, delegator: String, set: inout TrustedMetadataSet,
                     pending: inout [PendingWrite]) async throws(UpdaterError) -> Targets {
        if set.contains(role: role, delegator: delegator), let targets = set.targetsRoles[role] { return targets }
        if let local = localMetadata(role), let targets = try? set.updateDelegatedTargets(local, role: role, delegator: delegator) {
            return targets
        }
        guard let snapshot = set.snapshot else { throw .outOfOrder("no trusted snapshot") }
        guard let meta = snapshot.meta["\(role).json"] else { throw .missingMeta(role: role, file: "\(role).json") }
        let version = set.root.consistentSnapshot == true ? meta.version : nil
        let bytes = try await download(role: role, version: version, maxLength: meta.length ?? configuration.targetsMaxLength)
        let targets = try set.updateDelegatedTargets(bytes, role: role, delegator: delegator)
        pending.append(("\(NameEncoding.quote(role)).json", bytes))
        return targets
    }

    /// Stores delegated roles loaded by a search (only the actor's methods call this).
    func store(_ set: TrustedMetadataSet) {
        state = .ready(set)
    }
}
