import AlienModel
import AreaEnvironment
import Basics
import Foundation
import PackManAPI
public import RepositoryServer
public import SoftwareArea
import Synchronization
import Torrents
public import Transport
public import Trust

/// Why packmand cannot start.
public enum DaemonError: Error, Sendable, CustomStringConvertible {
    case config(ConfigError)
    case area(SoftwareAreaError)
    case state(StateError)
    case engine(EngineError)

    public var description: String {
        switch self {
        case let .config(error): error.description
        case let .area(error): "software area: \(error.description)"
        case let .state(error): "state database: \(error.description)"
        case let .engine(error): "jobs: \(error.description)"
        }
    }
}

/// The daemon's parts, wired: config, area, state, job engine, credentials, metrics. The HTTP
/// side (`router()`) and the executable's services are built from it.
public final class PackManDaemon: Sendable {
    public let config: DaemonConfig
    public let area: SoftwareArea
    public let store: StateStore
    public let engine: JobEngine
    public let metrics: DaemonMetrics
    public let tokens: Tokens
    /// Seeding of the kept tarballs (`seeding.enabled`).
    public let seeder: Seeder
    let environments = EnvironmentCache()
    let installedCache = InstalledCache()
    /// Ids of the jobs resumed at start (interrupted by a stop or a kill).
    public let resumed: [String]
    /// The connections of the unix-socket and the TCP listener (`listen.max_connections` each).
    public let unixConnections: ConnectionRegistry
    public let tcpConnections: ConnectionRegistry

    /// Opens the area (bootstrapping trust from `trusted_root` the first time), sweeps stage
    /// directories of killed installers, opens the database and resumes interrupted jobs.
    /// The area trusts `ca_path`/`ca_file` for https (else the area's own, else `$X509_CERT_DIR`).
    public static func open(
        config: DaemonConfig, fetcher: any RemoteFetcher = HTTPClient(),
        clock: (@Sendable () -> Int64)? = nil
    ) async throws(DaemonError) -> PackManDaemon {
        let tokens: Tokens
        do { tokens = try config.tokensFile.map { file throws(ConfigError) in try Tokens.load(file: file) } ?? Tokens() } catch {
            throw .config(error)
        }
        var area: SoftwareArea
        do {
            area = try SoftwareArea.open(
                root: config.area, arch: config.arch, repository: config.repository,
                mirrors: config.mirrors.isEmpty ? nil : config.mirrors, rootFile: config.trustedRoot, fetcher: fetcher,
                authorities: config.authorities.isEmpty ? nil : config.authorities,
                revocationPolicy: config.revocationPolicy)
        } catch { throw .area(error) }
        if let clock { area.clock = clock }
        // One BitTorrent session for the daemon: its downloads (the swarm before HTTP) and its
        // seeding; while seeding, installs keep their verified tarballs (with the torrent).
        let torrents = LazyTorrentSession(settings: config.torrentSessionSettings)
        do { area.apply(try area.downloadPolicy(config.downloadOverrides), session: torrents) } catch { throw .area(error) }
        area.sweep()
        let store: StateStore
        do { store = try StateStore(path: config.databasePath) } catch { throw .state(error) }
        let metrics = DaemonMetrics()
        let engine = JobEngine(area: area, store: store, metrics: metrics, config: config)
        let resumed: [String]
        do { resumed = try await engine.resume() } catch { throw .engine(error) }
        let daemon = PackManDaemon(
            config: config, area: area, store: store, engine: engine, metrics: metrics, tokens: tokens, resumed: resumed,
            torrents: torrents)
        let cache = daemon.environments
        await engine.setOnFinish { _ in cache.invalidate() }
        daemon.refreshGauges()
        return daemon
    }

    init(
        config: DaemonConfig, area: SoftwareArea, store: StateStore, engine: JobEngine, metrics: DaemonMetrics, tokens: Tokens, resumed: [String],
        torrents: LazyTorrentSession
    ) {
        self.config = config
        self.area = area
        self.store = store
        self.engine = engine
        self.metrics = metrics
        self.tokens = tokens
        self.resumed = resumed
        self.seeder = Seeder(area: area, settings: config.seeding.seederSettings, session: torrents)
        unixConnections = ConnectionRegistry(maxConnections: config.listen.limits.maxConnections)
        tcpConnections = ConnectionRegistry(maxConnections: config.listen.limits.maxConnections)
    }

    /// Installed packages with their leases, and the mirror of both in the database (written
    /// when the set changed). The area's records are re-read only when their files changed.
    func installedInfo() -> [InstalledInfo] {
        let leases = area.liveLeases()
        let (packages, changed) = installedCache.packages(area)
        let infos = packages.map { package in
            InstalledInfo(
                id: package.key.qualified(),
                module: package.key.description, path: package.path, size: package.record.size, installed: package.record.installedAt,
                lastUsed: package.lastUsed, leasedBy: leases.filter { $0.packages.contains(package.key.description) }.map(\.holder))
        }
        let leaseInfos = leases.map { LeaseInfo(holder: $0.holder, packages: $0.packages, expires: $0.expires) }
        if changed || installedCache.leasesChanged(leaseInfos) {
            try? store.mirror(
                leases: leaseInfos, lastUse: Dictionary(packages.map { ($0.key.description, $0.lastUsed) }, uniquingKeysWith: max),
                now: area.clock())
        }
        metrics.disk(used: packages.reduce(0) { $0 + $1.record.size }, budget: config.diskBudget)
        return infos
    }

    func refreshGauges() { _ = installedInfo() }

    func audit(_ identity: String, _ action: String, _ subject: String, _ result: String, job: String? = nil) {
        try? store.audit(AuditEntry(time: area.clock(), identity: identity, action: action, subject: subject, result: result, job: job))
    }
}

/// `GET /v1/env` answers by (packages, shell), dropped whenever a job finishes or a package is removed.
final class EnvironmentCache: Sendable {
    /// The rendered environment and the packages it uses (each hand-out records their use).
    struct Entry: Sendable {
        var text: String
        var closure: [EnvironmentPackage]
    }

    private let entries = Mutex<[String: Entry]>([:])

    func get(_ key: String) -> Entry? { entries.withLock { $0[key] } }

    func set(_ key: String, _ value: Entry) {
        entries.withLock { entries in
            if entries.count > 1000 { entries.removeAll() }
            entries[key] = value
        }
    }

    func invalidate() { entries.withLock { $0.removeAll() } }
}

/// `area.installed()` again only when an install record, a used stamp or a package directory
/// changed (one `stat` per package instead of parsing every record on each request).
final class InstalledCache: Sendable {
    private struct State {
        var signature: [String] = []
        var packages: [SoftwareArea.Installed] = []
        var leases: [LeaseInfo] = []
    }

    private let state = Mutex(State())

    func packages(_ area: SoftwareArea) -> ([SoftwareArea.Installed], changed: Bool) {
        let current = Self.signature(area)
        return state.withLock { state in
            if current == state.signature { return (state.packages, false) }
            state.packages = area.installed()
            state.signature = current
            return (state.packages, true)
        }
    }

    func leasesChanged(_ current: [LeaseInfo]) -> Bool {
        state.withLock { state in
            if current == state.leases { return false }
            state.leases = current
            return true
        }
    }

    static func signature(_ area: SoftwareArea) -> [String] {
        let archDirectory = "\(area.layout.root)/\(area.layout.arch)"
        var result: [String] = []
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: archDirectory)) ?? []).sorted() where name != "Modules" {
            for version in ((try? FileManager.default.contentsOfDirectory(atPath: "\(archDirectory)/\(name)")) ?? []).sorted() {
                let recordState = FileStamp(path: "\(archDirectory)/\(name)/\(version)/\(InstallRecord.fileName)")?.description ?? "-"
                let usedState = FileStamp(path: "\(area.layout.used)/\(area.layout.arch)/\(name)/\(version)").map { "\($0.modifiedSeconds)" } ?? "-"
                result.append("\(name)/\(version) \(recordState) \(usedState)")
            }
        }
        return result
    }
}
