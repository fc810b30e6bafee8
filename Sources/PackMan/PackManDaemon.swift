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

/// The daemon's parts, wired: config, the VOs' areas and job engines, state, credentials,
/// metrics. The HTTP side (`router()`) and the executable's services are built from it.
/// `area`, `store` and `engine` are the default VO's; `sites` holds every VO (default first).
public final class PackManDaemon: Sendable {
    public let config: DaemonConfig
    /// One per VO, the default first: its area, database and job engine.
    public let sites: [VOSite]
    /// The default VO's area.
    public var area: SoftwareArea { sites[0].area }
    /// The site's database: the default VO's jobs and logs, and every VO's audit entries.
    public var store: StateStore { sites[0].store }
    /// The default VO's job engine.
    public var engine: JobEngine { sites[0].engine }
    public let metrics: DaemonMetrics
    public let tokens: Tokens
    /// Seeding of the tarballs every VO's area keeps (`seeding.enabled`).
    public let seeder: Seeder
    var environments: EnvironmentCache { sites[0].environments }
    /// Ids of the jobs resumed at start (interrupted by a stop or a kill), of every VO.
    public var resumed: [String] { sites.flatMap(\.resumed) }
    /// The connections of the unix-socket and the TCP listener (`listen.max_connections` each).
    public let unixConnections: ConnectionRegistry
    public let tcpConnections: ConnectionRegistry

    /// Opens each VO's area (bootstrapping trust from its `trusted_root` the first time), sweeps
    /// stage directories of killed installers, opens the databases and resumes interrupted jobs.
    /// The areas trust `ca_path`/`ca_file` for https (else the area's own, else `$X509_CERT_DIR`).
    public static func open(
        config: DaemonConfig, fetcher: any RemoteFetcher = HTTPClient(),
        clock: (@Sendable () -> Int64)? = nil
    ) async throws(DaemonError) -> PackManDaemon {
        let tokens: Tokens
        do { tokens = try config.tokensFile.map { file throws(ConfigError) in try Tokens.load(file: file) } ?? Tokens() } catch {
            throw .config(error)
        }
        do { try tokens.check(vos: config.allVOs.map(\.name), file: config.tokensFile ?? config.file) } catch { throw .config(error) }
        // One BitTorrent session for the daemon: its downloads (the swarm before HTTP) and its
        // seeding; while seeding, installs keep their verified tarballs (with the torrent).
        let torrents = LazyTorrentSession(settings: config.torrentSessionSettings)
        let metrics = DaemonMetrics()
        var sites: [VOSite] = []
        for vo in config.allVOs {
            sites.append(
                try await VOSite.open(
                    vo: vo, config: config.scoped(to: vo), fetcher: fetcher, clock: clock, torrents: torrents, metrics: metrics,
                    auditStore: sites.first?.store))
        }
        let daemon = PackManDaemon(config: config, sites: sites, metrics: metrics, tokens: tokens, torrents: torrents)
        for site in sites {
            let cache = site.environments
            await site.engine.setOnFinish { _ in cache.invalidate() }
        }
        daemon.refreshGauges()
        return daemon
    }

    init(config: DaemonConfig, sites: [VOSite], metrics: DaemonMetrics, tokens: Tokens, torrents: LazyTorrentSession) {
        self.config = config
        self.sites = sites
        self.metrics = metrics
        self.tokens = tokens
        self.seeder = Seeder(areas: sites.map(\.area), settings: config.seeding.seederSettings, session: torrents)
        unixConnections = ConnectionRegistry(maxConnections: config.listen.limits.maxConnections)
        tcpConnections = ConnectionRegistry(maxConnections: config.listen.limits.maxConnections)
    }

    /// Installed packages of the default VO with their leases (`VOSite.installedInfo()`).
    func installedInfo() -> [InstalledInfo] { sites[0].installedInfo(metrics: metrics) }

    /// Installed packages of every VO (or of `vo`), the default VO's first.
    func installedInfo(vo: String?) throws -> [InstalledInfo] {
        try (vo.map { [try site(named: $0)] } ?? sites).flatMap { $0.installedInfo(metrics: metrics) }
    }

    func refreshGauges() { for site in sites { _ = site.installedInfo(metrics: metrics) } }

    func audit(_ identity: String, _ action: String, _ subject: String, _ result: String, job: String? = nil, vo: String? = nil) {
        try? store.audit(AuditEntry(time: area.clock(), identity: identity, action: action, subject: subject, result: result, job: job, vo: vo))
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
