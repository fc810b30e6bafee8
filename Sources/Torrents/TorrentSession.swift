import CTorrent

/// Settings of the one long-lived libtorrent session of a process. DHT and uTP are off by
/// default (uTP is ~50× slower than TCP between LAN/loopback peers, measured-here.md).
public struct TorrentSessionSettings: Sendable, Hashable {
    /// libtorrent syntax: `127.0.0.1:6881`, `0.0.0.0:0` (any free port), comma-separated.
    public var listenInterfaces: String
    /// Bytes per second; 0 is unlimited.
    public var uploadRateLimit: Int
    public var downloadRateLimit: Int
    public var localPeerDiscovery: Bool
    public var dht: Bool
    public var utp: Bool
    /// At most this many active torrents (0: libtorrent's default).
    public var maxActiveTorrents: Int
    /// Seconds before a failed web seed is retried (0: libtorrent's default, 30 s).
    public var webSeedRetrySeconds: Int
    /// At most this many peer connections in the session (0: libtorrent's default).
    public var maxConnections = 0

    public init(
        listenInterfaces: String = "0.0.0.0:0", uploadRateLimit: Int = 0, downloadRateLimit: Int = 0, localPeerDiscovery: Bool = false,
        dht: Bool = false, utp: Bool = false, maxActiveTorrents: Int = 0, webSeedRetrySeconds: Int = 5
    ) {
        self.listenInterfaces = listenInterfaces
        self.uploadRateLimit = uploadRateLimit
        self.downloadRateLimit = downloadRateLimit
        self.localPeerDiscovery = localPeerDiscovery
        self.dht = dht
        self.utp = utp
        self.maxActiveTorrents = maxActiveTorrents
        self.webSeedRetrySeconds = webSeedRetrySeconds
    }
}

/// A torrent in a session.
public struct TorrentID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public var description: String { "torrent \(rawValue)" }
}

/// Where a torrent is.
public struct TorrentStatus: Hashable, Sendable {
    public enum State: Hashable, Sendable {
        case checking, downloadingMetadata, downloading, finished, seeding, other(Int32)
    }
    public var bytesDone: Int64
    public var bytesWanted: Int64
    public var bytesUploaded: Int64
    public var bytesDownloaded: Int64
    public var peers: Int
    public var seeds: Int
    public var state: State
    public var isFinished: Bool
    public var downloadRate: Int
    public var uploadRate: Int
    /// libtorrent's error text, nil when fine.
    public var error: String?
}

/// What the session tells about its torrents.
public struct TorrentAlert: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case finished, error, hashFailed, trackerError, webSeedError, peerBanned, listenFailed, removed, cacheFlushed
    }
    public var kind: Kind
    public var torrent: TorrentID?
    public var message: String
}

/// The process's libtorrent session (one per process): add torrents to download into a file
/// or to seed an existing one, poll status and alerts, remove, shut down within a bounded time.
public actor TorrentSession {
    /// Unchecked: the session pointer is used only from this actor (and its deinit, the last reference).
    enum State: @unchecked Sendable {
        case running(OpaquePointer)
        case stopped
    }

    private var state: State
    /// Alerts popped for one torrent that belong to others (`alerts(for:)`).
    private var kept: [TorrentAlert] = []
    public nonisolated let settings: TorrentSessionSettings

    public init(settings: TorrentSessionSettings = TorrentSessionSettings()) throws(TorrentError) {
        self.settings = settings
        var error = at_error()
        let pointer: OpaquePointer? = settings.listenInterfaces.withCString { listen in
            var raw = at_session_settings(
                listen_interfaces: listen, upload_rate_limit: Int32(clamping: settings.uploadRateLimit),
                download_rate_limit: Int32(clamping: settings.downloadRateLimit),
                enable_lsd: settings.localPeerDiscovery ? 1 : 0, enable_dht: settings.dht ? 1 : 0,
                enable_utp: settings.utp ? 1 : 0, active_limit: Int32(clamping: settings.maxActiveTorrents),
                web_seed_retry_seconds: Int32(clamping: settings.webSeedRetrySeconds),
                connections_limit: Int32(clamping: settings.maxConnections))
            return at_session_new(&raw, &error)
        }
        guard let pointer else { throw .library(operation: "start session", code: error.code, message: message(of: error)) }
        state = .running(pointer)
    }

    deinit {
        if case let .running(pointer) = state { _ = at_session_free(pointer, 2000) }
    }

    func session() throws(TorrentError) -> OpaquePointer {
        guard case let .running(pointer) = state else { throw .stopped }
        return pointer
    }

    /// The TCP port the session listens on (0 until it listens).
    public func listenPort() throws(TorrentError) -> Int { Int(at_session_listen_port(try session())) }

    /// Adds `torrent` with its single file at absolute `path`: downloaded there, or seeded from
    /// there with `seed` (an already verified complete file, not re-hashed).
    public func add(_ torrent: TorrentFile, file path: String, seed: Bool = false, webSeeds: [String] = []) throws(TorrentError) -> TorrentID {
        let pointer = try session()
        var error = at_error()
        let id: Int32 = torrent.bytes.withUnsafeBufferPointer { buffer in
            withCStrings(webSeeds) { seeds in
                at_session_add(pointer, buffer.baseAddress, buffer.count, path, seed ? 1 : 0, seeds.baseAddress, Int32(seeds.count), &error)
            }
        }
        guard id >= 0 else { throw .library(operation: "add \(torrent.name)", code: error.code, message: message(of: error)) }
        return TorrentID(rawValue: id)
    }

    /// Asks the torrent to connect to a peer at an IP literal and port.
    public func connect(_ torrent: TorrentID, host: String, port: Int) throws(TorrentError) {
        let pointer = try session()
        var error = at_error()
        let code = at_session_connect_peer(pointer, torrent.rawValue, host, Int32(clamping: port), &error)
        guard code == 0 else { throw .library(operation: "connect \(host):\(port)", code: code, message: message(of: error)) }
    }

    /// Adds or removes web seed URLs of a torrent.
    public func setWebSeeds(_ urls: [String], enabled: Bool, for torrent: TorrentID) throws(TorrentError) {
        let pointer = try session()
        var error = at_error()
        let code = withCStrings(urls) { at_session_set_web_seeds(pointer, torrent.rawValue, $0.baseAddress, Int32($0.count), enabled ? 1 : 0, &error) }
        guard code == 0 else { throw .library(operation: "web seeds of \(torrent)", code: code, message: message(of: error)) }
    }

    public func status(_ torrent: TorrentID) throws(TorrentError) -> TorrentStatus {
        let pointer = try session()
        var error = at_error()
        var raw = at_status()
        let code = at_session_status(pointer, torrent.rawValue, &raw, &error)
        guard code == 0 else { throw .library(operation: "status of \(torrent)", code: code, message: message(of: error)) }
        let state: TorrentStatus.State =
            switch Int(raw.state) {
            case AT_STATE_CHECKING, AT_STATE_CHECKING_RESUME: .checking
            case AT_STATE_DOWNLOADING_METADATA: .downloadingMetadata
            case AT_STATE_DOWNLOADING: .downloading
            case AT_STATE_FINISHED: .finished
            case AT_STATE_SEEDING: .seeding
            default: .other(raw.state)
            }
        let errorText = text(raw.error)
        return TorrentStatus(
            bytesDone: raw.total_done, bytesWanted: raw.total_wanted, bytesUploaded: raw.total_upload,
            bytesDownloaded: raw.total_download, peers: Int(raw.num_peers), seeds: Int(raw.num_seeds), state: state,
            isFinished: raw.is_finished != 0, downloadRate: Int(raw.download_rate), uploadRate: Int(raw.upload_rate),
            error: errorText.isEmpty ? nil : errorText)
    }

    /// The alerts pending since the last call (including those `alerts(for:)` kept for others).
    public func alerts() throws(TorrentError) -> [TorrentAlert] {
        let all = kept + (try popAlerts())
        kept = []
        return all
    }

    /// The alerts about `torrent` pending since the last call; those about other torrents are
    /// kept for their own callers (several downloads share the session), at most `keptLimit`.
    public func alerts(for torrent: TorrentID) throws(TorrentError) -> [TorrentAlert] {
        let all = kept + (try popAlerts())
        var mine: [TorrentAlert] = []
        kept = []
        for alert in all {
            if alert.torrent == torrent { mine.append(alert) } else { kept.append(alert) }
        }
        if kept.count > Self.keptLimit { kept.removeFirst(kept.count - Self.keptLimit) }
        return mine
    }

    static let keptLimit = 1000

    private func popAlerts() throws(TorrentError) -> [TorrentAlert] {
        let pointer = try session()
        var buffer = [at_alert](repeating: at_alert(), count: 64)
        var all: [TorrentAlert] = []
        while true {
            let count = Int(buffer.withUnsafeMutableBufferPointer { at_session_pop_alerts(pointer, $0.baseAddress, Int32($0.count)) })
            for raw in buffer.prefix(count) {
                let kind: TorrentAlert.Kind? =
                    switch Int(raw.kind) {
                    case AT_ALERT_FINISHED: .finished
                    case AT_ALERT_ERROR: .error
                    case AT_ALERT_HASH_FAILED: .hashFailed
                    case AT_ALERT_TRACKER_ERROR: .trackerError
                    case AT_ALERT_WEB_SEED_ERROR: .webSeedError
                    case AT_ALERT_PEER_BANNED: .peerBanned
                    case AT_ALERT_LISTEN_FAILED: .listenFailed
                    case AT_ALERT_REMOVED: .removed
                    case AT_ALERT_CACHE_FLUSHED: .cacheFlushed
                    default: nil
                    }
                guard let kind else { continue }
                all.append(TorrentAlert(kind: kind, torrent: raw.torrent_id >= 0 ? TorrentID(rawValue: raw.torrent_id) : nil, message: text(raw.message)))
            }
            if count < buffer.count { return all }
        }
    }

    /// Asks libtorrent to write what it holds of `torrent` to its file; a `.cacheFlushed` alert
    /// about it says when that is done (a verified piece may not be written yet).
    public func flush(_ torrent: TorrentID) throws(TorrentError) {
        let pointer = try session()
        var error = at_error()
        let code = at_session_flush(pointer, torrent.rawValue, &error)
        guard code == 0 else { throw .library(operation: "flush \(torrent)", code: code, message: message(of: error)) }
    }

    public func remove(_ torrent: TorrentID) throws(TorrentError) {
        let pointer = try session()
        var error = at_error()
        let code = at_session_remove(pointer, torrent.rawValue, &error)
        kept.removeAll { $0.torrent == torrent }
        guard code == 0 else { throw .library(operation: "remove \(torrent)", code: code, message: message(of: error)) }
    }

    /// Stops the session (trackers are told, for at most ~1 s) and frees it. Returns false when
    /// the shutdown took longer than `timeout` seconds and was left to finish in the background.
    /// Safe to call twice.
    @discardableResult
    public func shutdown(timeout: Double = 5) -> Bool {
        guard case let .running(pointer) = state else { return true }
        state = .stopped
        return at_session_free(pointer, Int32(max(1, timeout * 1000))) == 1
    }

    public var isRunning: Bool {
        if case .running = state { return true }
        return false
    }
}

/// Starts the session on first use only (an install that stays on HTTP never opens a port)
/// and shuts it down once.
public actor LazyTorrentSession {
    enum State {
        case idle
        case running(TorrentSession)
        case stopped
    }

    private var state = State.idle
    public nonisolated let settings: TorrentSessionSettings

    public init(settings: TorrentSessionSettings) { self.settings = settings }

    public func session() throws(TorrentError) -> TorrentSession {
        switch state {
        case let .running(session): return session
        case .stopped: throw .stopped
        case .idle:
            let session = try TorrentSession(settings: settings)
            state = .running(session)
            return session
        }
    }

    /// Shuts the session down if it was started; see `TorrentSession.shutdown(timeout:)`.
    @discardableResult
    public func shutdown(timeout: Double = 5) async -> Bool {
        defer { state = .stopped }
        guard case let .running(session) = state else { return true }
        return await session.shutdown(timeout: timeout)
    }
}
