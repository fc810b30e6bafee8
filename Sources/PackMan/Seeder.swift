import Foundation
import Logging
import ServiceLifecycle
import SoftwareArea
import Torrents

/// packmand's seeding (`seeding.enabled`): one BitTorrent session seeding the verified tarballs
/// the area keeps in `.alien/cache/` (installs keep them while seeding is on), within the
/// upload limit; a torrent that has uploaded `ratio` times its size is retired. The cache is
/// rescanned every `seeding.rescan` seconds, so what a job just installed is offered to the
/// site's other nodes soon after.
public actor Seeder {
    /// What the status page and the metrics show.
    public struct Snapshot: Sendable, Hashable {
        public var enabled: Bool
        public var torrents = 0
        public var retired = 0
        public var uploaded: Int64 = 0
        /// Bytes of the tarballs seeded (the denominator of the ratio).
        public var length: Int64 = 0
        public var port = 0
        public var error: String?

        public var ratio: Double { length > 0 ? Double(uploaded) / Double(length) : 0 }
    }

    enum State {
        case idle
        case running(TorrentSession)
        case failed(String)
        case stopped
    }

    /// The daemon's one BitTorrent session, shared with its swarm downloads.
    let session: LazyTorrentSession

    private var state: State = .idle
    private var seeding: [String: (id: TorrentID, length: Int64)] = [:]
    private var retired: [String: Int64] = [:]
    let area: SoftwareArea
    let settings: DaemonConfig.Seeding

    public init(area: SoftwareArea, settings: DaemonConfig.Seeding, session: LazyTorrentSession) {
        self.area = area
        self.settings = settings
        self.session = session
    }

    /// Starts the session and seeds what the cache holds (nothing when seeding is off).
    public func start() async {
        guard settings.enabled, case .idle = state else { return }
        do {
            state = .running(try await session.session())
        } catch {
            state = .failed("\(error)")
            return
        }
        await rescan()
    }

    /// Adds newly cached tarballs, retires those past the ratio.
    public func rescan() async {
        guard case let .running(session) = state else { return }
        for cached in area.cachedTorrents() {
            let key = cached.torrent.infoHash
            guard seeding[key] == nil, retired[key] == nil else { continue }
            if let id = try? await session.add(cached.torrent, file: cached.tarball, seed: true) {
                seeding[key] = (id, cached.torrent.length)
            }
        }
        guard settings.ratio > 0 else { return }
        for (key, entry) in seeding {
            guard let status = try? await session.status(entry.id),
                  Double(status.bytesUploaded) >= settings.ratio * Double(entry.length) else { continue }
            try? await session.remove(entry.id)
            seeding[key] = nil
            retired[key] = status.bytesUploaded
        }
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
            for entry in seeding.values {
                snapshot.uploaded += (try? await session.status(entry.id).bytesUploaded) ?? 0
                snapshot.length += entry.length
            }
            return snapshot
        }
    }

    /// Ends the session (trackers told, bounded time), also when only downloads used it.
    public func stop() async {
        _ = await session.shutdown(timeout: 5)
        state = .stopped
    }
}

/// Runs the seeder while packmand runs: rescans, feeds the seeding-ratio metric, stops the
/// session at shutdown.
struct SeedingService: Service {
    let seeder: Seeder
    let metrics: DaemonMetrics
    let interval: Int
    let logger: Logger

    func run() async throws {
        await seeder.start()
        let first = await seeder.snapshot()
        if let error = first.error { logger.error("seeding is configured but cannot start: \(error)") }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await seeder.rescan()
                metrics.seedingRatio.record(await seeder.snapshot().ratio)
                try? await Task.sleep(for: .seconds(interval))
            }
        }
        await seeder.stop()
    }
}
