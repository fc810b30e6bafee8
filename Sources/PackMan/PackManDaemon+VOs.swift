import AlienModel
import Foundation
import Hummingbird
import PackManAPI
public import SoftwareArea
import Torrents
import Transport
import Trust

/// One VO of the site: its own software area (trust root, records, locks), database (jobs and
/// logs, so a resumed job resumes in its VO's area) and job engine. Packages of two VOs never
/// mix: each id is routed by its owner prefix to one site and installed under that VO's root.
public final class VOSite: Sendable {
    public let name: String
    /// The site's default VO (ids without an owner prefix come here).
    public let isDefault: Bool
    /// The daemon's configuration scoped to this VO (`DaemonConfig.scoped(to:)`).
    public let config: DaemonConfig
    public let area: SoftwareArea
    public let store: StateStore
    public let engine: JobEngine
    /// Ids of this VO's jobs resumed at start.
    public let resumed: [String]
    let environments = EnvironmentCache()
    let installedCache = InstalledCache()

    init(name: String, isDefault: Bool, config: DaemonConfig, area: SoftwareArea, store: StateStore, engine: JobEngine, resumed: [String]) {
        self.name = name
        self.isDefault = isDefault
        self.config = config
        self.area = area
        self.store = store
        self.engine = engine
        self.resumed = resumed
    }

    /// Opens the VO's area and database, sweeps its stage directory and resumes its jobs.
    /// `auditStore`: the site's database (nil for the default VO, whose database it is).
    static func open(
        vo: VOConfig, config: DaemonConfig, fetcher: any RemoteFetcher, clock: (@Sendable () -> Int64)?, torrents: LazyTorrentSession,
        metrics: DaemonMetrics, auditStore: StateStore?
    ) async throws(DaemonError) -> VOSite {
        var area: SoftwareArea
        do {
            area = try SoftwareArea.open(
                root: vo.area, arch: vo.arch ?? config.arch, repository: vo.repository,
                mirrors: vo.mirrors.isEmpty ? nil : vo.mirrors, rootFile: vo.trustedRoot, fetcher: fetcher,
                authorities: config.authorities.isEmpty ? nil : config.authorities,
                revocationPolicy: config.revocationPolicy, vo: vo.name)
        } catch { throw .area(error) }
        if let clock { area.clock = clock }
        do { area.apply(try area.downloadPolicy(config.downloadOverrides), session: torrents) } catch { throw .area(error) }
        area.sweep()
        let store: StateStore
        do { store = try StateStore(path: config.databasePath) } catch { throw .state(error) }
        let engine = JobEngine(area: area, store: store, metrics: metrics, config: config, auditStore: auditStore)
        let resumed: [String]
        do { resumed = try await engine.resume() } catch { throw .engine(error) }
        return VOSite(name: vo.name, isDefault: auditStore == nil, config: config, area: area, store: store, engine: engine, resumed: resumed)
    }

    /// Installed packages with their leases (ids qualified with this VO), and the mirror of both
    /// in the VO's database (written when the set changed). The area's records are re-read only
    /// when their files changed.
    func installedInfo(metrics: DaemonMetrics) -> [InstalledInfo] {
        let leases = area.liveLeases()
        let (packages, changed) = installedCache.packages(area)
        let infos = packages.map { package in
            InstalledInfo(
                id: package.key.qualified(owner: name),
                module: package.key.description, path: package.path, size: package.record.size, installed: package.record.installedAt,
                lastUsed: package.lastUsed, leasedBy: leases.filter { $0.packages.contains(package.key.description) }.map(\.holder), vo: name)
        }
        let leaseInfos = leases.map { LeaseInfo(holder: $0.holder, packages: $0.packages, expires: $0.expires) }
        if changed || installedCache.leasesChanged(leaseInfos) {
            try? store.mirror(
                leases: leaseInfos, lastUse: Dictionary(packages.map { ($0.key.description, $0.lastUsed) }, uniquingKeysWith: max),
                now: area.clock())
        }
        let used = packages.reduce(0) { $0 + $1.record.size }
        if isDefault { metrics.disk(used: used, budget: config.diskBudget) }
        metrics.disk(vo: name, used: used, budget: config.diskBudget, installed: packages.count)
        return infos
    }
}

extension PackManDaemon {
    /// The VO names of the site, the default first.
    public var voNames: [String] { sites.map(\.name) }

    /// The site of `vo`, or 404 naming the known VOs.
    func site(named vo: String) throws -> VOSite {
        guard let site = sites.first(where: { $0.name == vo }) else {
            throw APIError(.notFound, "\(vo) is not a VO of this site (known: \(voNames.joined(separator: ", ")))")
        }
        return site
    }

    /// The VO a package id routes to: its owner prefix, else the site's default VO.
    func site(for id: PackageID) throws -> VOSite { try site(named: id.owner ?? config.vo) }

    /// The one VO of several ids (400 when they name two: one job works in one area).
    func site(for ids: [PackageID]) throws -> VOSite {
        let names = Set(ids.map { $0.owner ?? config.vo })
        guard names.count <= 1 else {
            throw APIError(.badRequest, "packages of \(names.sorted().joined(separator: " and ")) in one request; send one request per VO")
        }
        return try site(named: names.first ?? config.vo)
    }

    /// `?vo=NAME` of a listing (nil: every VO), checked against the site's VOs.
    func requestedVO(_ query: String?) throws -> String? {
        guard let query else { return nil }
        return try site(named: query).name
    }

    /// The job `id` of any VO.
    func job(_ id: String) async -> JobStatus? {
        for site in sites { if let job = await site.engine.job(id) { return job } }
        return nil
    }

    /// Recent jobs of every VO (or of `vo`): unfinished first, oldest first; then finished, newest first.
    func recentJobs(vo: String?, limit: Int = 20) async throws -> [JobStatus] {
        var all: [JobStatus] = []
        let chosen = try vo.map { [try self.site(named: $0)] } ?? sites
        for one in chosen { all += await one.engine.recentJobs(limit: limit) }
        let current = all.filter { !$0.state.isFinished }.sorted { $0.created < $1.created }
        let finished = all.filter(\.state.isFinished).sorted { ($0.finished ?? $0.created) > ($1.finished ?? $1.created) }
        return current + finished.prefix(limit)
    }

    /// Running and queued jobs over every VO.
    var counts: (running: Int, queued: Int) {
        get async {
            var total = (running: 0, queued: 0)
            for site in sites {
                let counts = await site.engine.counts
                total.running += counts.running
                total.queued += counts.queued
            }
            return total
        }
    }
}
