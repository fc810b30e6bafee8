import Foundation
import Hummingbird
import PackManAPI
import ServiceLifecycle
import SoftwareArea
import Transport

extension PackManDaemon {
    /// The alerts of every VO's health under the notification rules: the default VO's as they
    /// are, another VO's keyed and worded with its name (`VO_B/disk-budget`, "VO_B: …"). A
    /// filesystem holding several VOs' areas is judged once, with the first of them.
    public func healthAlerts() async -> [Alert] {
        var alerts: [Alert] = []
        var filesystems = Set<UInt>()
        for site in sites {
            var snapshot = await healthSnapshot(of: site)
            if let filesystem = snapshot.filesystem, !filesystems.insert(filesystem).inserted {
                snapshot.diskFree = nil
                snapshot.diskTotal = nil
            }
            alerts += snapshot.alerts(config.notifications).map {
                site.isDefault ? $0 : Alert(key: "\(site.name)/\($0.key)", message: "\(site.name): \($0.message)")
            }
        }
        return alerts
    }

    /// The health of one VO as notifications judge it: its area's disk use against its budget,
    /// its jobs and downloads, its trusted metadata, its repository probed with a HEAD of timestamp.json.
    func healthSnapshot(of site: VOSite) async -> HealthSnapshot {
        let area = site.area, store = site.store
        let jobs = ((try? store.jobs(limit: 20)) ?? []).map(\.status.state).filter(\.isFinished)
        let since = area.clock() - config.notifications.throughputWindow
        let downloads =
            config.notifications.throughputFloor == nil
            ? []
            : ((try? store.downloads(finishedSince: since)) ?? []).map { HealthSnapshot.Download(bytes: $0.bytes, seconds: $0.seconds) }
        var failure: String?
        if let repository = area.configuration.repository, repository.hasPrefix("http") {
            let base = repository.hasSuffix("/") ? String(repository.dropLast()) : repository
            do { _ = try HTTPClient(connectTimeout: 5, stallTimeout: 10).exchange("HEAD", base + "/metadata/timestamp.json", timeout: 15) } catch {
                failure = error.description
            }
        }
        var snapshot = HealthSnapshot(
            diskUsed: installedBytes(of: site), diskBudget: site.config.diskBudget, diskFree: nil, diskTotal: nil,
            recentJobs: jobs, metadataExpiresIn: metadataExpiry(of: site).map { $0 - area.clock() }, repositoryFailure: failure,
            recentDownloads: downloads)
        var stats = statvfs()
        if statvfs(area.layout.root, &stats) == 0 {
            snapshot.diskFree = UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
            snapshot.diskTotal = UInt64(stats.f_blocks) * UInt64(stats.f_frsize)
            snapshot.filesystem = stats.f_fsid
        }
        return snapshot
    }

    /// The size of every package installed in a VO's area (the default VO's when nil): what its disk budget is about.
    func installedBytes(of site: VOSite? = nil) -> UInt64 {
        (site ?? sites[0]).area.installed().reduce(UInt64(0)) { $0 + $1.record.size }
    }

    /// The notifier of the configured targets (nil without webhook and mail).
    public func notifier() -> Notifier? {
        let rules = config.notifications
        guard let sinks = notificationSinks() else { return nil }
        return Notifier(rules: rules, sinks: sinks, clock: area.clock)
    }

    /// Where digests go (nil without webhook and mail); the site is `host:area`.
    func notificationSinks() -> NotificationSinks? {
        let rules = config.notifications
        guard rules.webhook != nil || rules.mail != nil else { return nil }
        return NotificationSinks(
            webhook: rules.webhook, mail: rules.mail, sendmail: rules.sendmail,
            site: ProcessInfo.processInfo.hostName + ":" + area.layout.root)
    }

    /// `POST /v1/notifications/test`: a digest saying it is a test, sent at once to every
    /// configured sink (outside deduplication and the rate limit), so that an admin can check
    /// delivery end to end. The answer names the sinks and each failure (a refused webhook, a
    /// sendmail that exited non-zero); 409 when no sink is configured.
    func testNotifications(identity: String) async throws -> Response {
        guard let sinks = notificationSinks() else {
            throw APIError(.conflict, "no notifications are configured (notifications.webhook or notifications.mail)")
        }
        let site = sinks.site
        let digest = Digest(
            site: site, time: area.clock(),
            alerts: [Alert(key: "test", message: "a test of packmand's notifications, asked for by \(identity)")], resolved: [])
        let failures = try await offloadToOwnThread("packmand-notify") { sinks.send(digest) }
        let result = NotificationTest(
            sinks: [sinks.webhook.map { "webhook \($0)" }, sinks.mail.map { "mail \($0)" }].compactMap { $0 },
            failures: failures)
        try? store.audit(
            AuditEntry(
                time: area.clock(), identity: identity, action: "notifications.test", subject: site,
                result: failures.isEmpty ? "delivered" : "failed", job: nil))
        return JSONAnswer.make(result)
    }

    /// Checks once now and then every `interval` seconds until shutdown.
    func watch(_ notifier: Notifier, interval: Int) async {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await notifier.observe(await healthAlerts())
            try? await Task.sleep(for: .seconds(interval))
        }
    }
}

/// Runs the health watch until shutdown.
struct NotificationService: Service {
    let daemon: PackManDaemon
    let notifier: Notifier
    let interval: Int

    func run() async throws {
        await cancelWhenGracefulShutdown { await daemon.watch(notifier, interval: interval) }
    }
}
