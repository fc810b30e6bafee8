import Foundation
public import Torrents

/// Seeding the verified tarballs areas keep in `.alien/cache/` (installs keep them with
/// `keepTarballs`), shared by `alien-install seed` and packmand (`seeding.enabled`): one
/// BitTorrent session, the cache rescanned every pass of `run` so what an install just kept is
/// offered to the site's other nodes soon after; a torrent that has uploaded `ratio` times its
/// size is retired.
public actor Seeder {
    public struct Settings: Sendable, Hashable {
        /// Off: `start` does nothing (packmand without `seeding.enabled`).
        public var enabled: Bool
        /// Retire a torrent once it uploaded this many times its size (0: never).
        public var ratio: Double
        /// Seed at most this many torrents (the newest cached first).
        public var maxTorrents: Int
        /// The session is this seeder's alone: every alert is its own (session-wide ones such as a
        /// failed listen included). Otherwise only alerts about its torrents are taken, and the
        /// session's downloads keep theirs.
        public var ownsSession: Bool

        public init(enabled: Bool = true, ratio: Double = 0, maxTorrents: Int = .max, ownsSession: Bool = false) {
            self.enabled = enabled
            self.ratio = ratio
            self.maxTorrents = maxTorrents
            self.ownsSession = ownsSession
        }
    }

    /// What the status page, the metrics and `seed`'s output show.
    public struct Snapshot: Sendable, Hashable {
        public var enabled: Bool
        public var torrents = 0
        public var retired = 0
        public var uploaded: Int64 = 0
        /// Bytes of the tarballs seeded (the denominator of the ratio).
        public var length: Int64 = 0
        public var port = 0
        public var error: String?
        /// Info-hashes of the torrents seeded, sorted.
        public var infoHashes: [String] = []

        public init(enabled: Bool) {
            self.enabled = enabled
        }

        public var ratio: Double { length > 0 ? Double(uploaded) / Double(length) : 0 }
    }

    enum State {
        case idle
        case running(TorrentSession)
        case failed(String)
        case stopped
    }

    /// The session seeded on (packmand shares it with its swarm downloads).
    public let session: LazyTorrentSession
    /// The areas whose caches are seeded (packmand: one per VO).
    nonisolated public let areas: [SoftwareArea]
    public let settings: Settings
    private var state: State = .idle
    private var seeding: [String: (id: TorrentID, length: Int64)] = [:]
    private var retired: [String: Int64] = [:]

    public init(areas: [SoftwareArea], settings: Settings, session: LazyTorrentSession) {
        self.areas = areas
        self.settings = settings
        self.session = session
    }

    public init(area: SoftwareArea, settings: Settings, session: LazyTorrentSession) {
        self.init(areas: [area], settings: settings, session: session)
    }

    /// Starts the session and seeds what the cache holds (nothing when seeding is off); the
    /// reason when the session cannot start (also in `snapshot().error`).
    @discardableResult
    public func start() async -> String? {
        guard settings.enabled, case .idle = state else { return nil }
        do {
            state = .running(try await session.session())
        } catch {
            state = .failed("\(error)")
            return "\(error)"
        }
        _ = await rescan()
        return nil
    }

    /// Adds newly cached tarballs (up to `maxTorrents`), retires those past the ratio; returns
    /// what went wrong meanwhile (torrents that could not be added, the session's error alerts).
    public func rescan() async -> [String] {
        guard case let .running(session) = state else { return [] }
        var problems: [String] = []
        // Newest first over every area (the limit counts torrents, whichever area keeps them).
        let limit = settings.maxTorrents
        let cachedTorrents = areas.flatMap { $0.cachedTorrents(limit: limit) }.sorted { $0.modified > $1.modified }
        for cached in cachedTorrents {
            let key = cached.torrent.infoHash
            guard seeding[key] == nil, retired[key] == nil, seeding.count < settings.maxTorrents else { continue }
            do {
                seeding[key] = (try await session.add(cached.torrent, file: cached.tarball, seed: true), cached.torrent.length)
            } catch {
                problems.append("\(cached.tarball): \(error)")
            }
        }
        var alerts: [TorrentAlert] = []
        if settings.ownsSession {
            alerts = (try? await session.alerts()) ?? []
        } else {
            for entry in seeding.values { alerts += (try? await session.alerts(for: entry.id)) ?? [] }
        }
        problems += alerts.filter { $0.kind == .error || $0.kind == .listenFailed }.map(\.message)
        guard settings.ratio > 0 else { return problems }
        for (key, entry) in seeding {
            guard let status = try? await session.status(entry.id),
                Double(status.bytesUploaded) >= settings.ratio * Double(entry.length)
            else { continue }
            try? await session.remove(entry.id)
            seeding[key] = nil
            retired[key] = status.bytesUploaded
        }
        return problems
    }

    /// Rescans every `interval` until the task is cancelled, handing each pass's problems to
    /// `warn` and its snapshot to `afterPass`. The one seeding loop (`seed` and packmand).
    public func run(
        every interval: Duration, warn: @Sendable (String) -> Void,
        afterPass: @Sendable (Snapshot) async -> Void = { _ in }
    ) async {
        while !Task.isCancelled {
            for problem in await rescan() { warn(problem) }
            await afterPass(await snapshot())
            try? await Task.sleep(for: interval)
        }
    }

    /// The port the session listens on, once it does (asked up to `attempts` times, `pause`
    /// apart); 0 when it does not (yet).
    public func listeningPort(attempts: Int = 50, pause: Duration = .milliseconds(100)) async -> Int {
        guard case let .running(session) = state else { return 0 }
        for attempt in 0..<max(1, attempts) {
            let port = (try? await session.listenPort()) ?? 0
            if port != 0 { return port }
            if attempt + 1 < attempts { try? await Task.sleep(for: pause) }
        }
        return 0
    }

    public func snapshot() async -> Snapshot {
        var snapshot = Snapshot(enabled: settings.enabled)
        switch state {
        case .idle, .stopped: return snapshot
        case let .failed(message):
            snapshot.error = message
            return snapshot
        case let .running(session):
            snapshot.port = (try? await session.listenPort()) ?? 0
            snapshot.torrents = seeding.count
            snapshot.retired = retired.count
            snapshot.infoHashes = seeding.keys.sorted()
            for entry in seeding.values {
                snapshot.uploaded += (try? await session.status(entry.id).bytesUploaded) ?? 0
                snapshot.length += entry.length
            }
            return snapshot
        }
    }

    /// Ends the session (trackers told, within `timeout` seconds), also when only downloads used
    /// it; false when the shutdown timed out.
    @discardableResult
    public func stop(timeout: Double = 5) async -> Bool {
        let clean = await session.shutdown(timeout: timeout)
        state = .stopped
        return clean
    }
}
