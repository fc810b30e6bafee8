import Foundation
import PackMan
import PackManAPI
import Testing

/// Alerts from a health snapshot; digests deduplicated and rate-limited, delivered through a
/// sendmail stand-in script (it writes the message to a file) and to a webhook URL that refuses.
@Suite struct NotifierTests {
    @Test func snapshotsRaiseTheConfiguredAlerts() {
        var rules = DaemonConfig.Notifications()
        rules.diskThreshold = 0.8
        rules.failureRate = 0.5
        let calm = HealthSnapshot(
            diskUsed: 10, diskBudget: 100, diskFree: 90, diskTotal: 100, recentJobs: [.succeeded, .failed, .succeeded, .succeeded],
            metadataExpiresIn: 30 * 86400, repositoryFailure: nil)
        #expect(calm.alerts(rules).isEmpty)
        let bad = HealthSnapshot(
            diskUsed: 90, diskBudget: 100, diskFree: 5, diskTotal: 100, recentJobs: [.failed, .failed, .failed, .succeeded],
            metadataExpiresIn: 3600, repositoryFailure: "connection refused")
        #expect(bad.alerts(rules).map(\.key) == ["disk-budget", "disk-full", "failure-rate", "metadata-expiry", "repository-unreachable"])
    }

    /// Slow downloads: all jobs of the window together, judged from three jobs on.
    @Test func downloadsBelowTheThroughputFloorRaiseAnAlert() throws {
        var rules = DaemonConfig.Notifications()
        func alerts(_ downloads: [HealthSnapshot.Download]) -> [Alert] {
            HealthSnapshot(
                diskUsed: 0, diskBudget: nil, diskFree: nil, diskTotal: nil, recentJobs: [], metadataExpiresIn: nil,
                repositoryFailure: nil, recentDownloads: downloads
            ).alerts(rules)
        }
        let slow = [HealthSnapshot.Download(bytes: 1 << 20, seconds: 10), .init(bytes: 1 << 20, seconds: 10), .init(bytes: 1 << 20, seconds: 12)]
        #expect(alerts(slow).isEmpty, "no floor configured")
        rules.throughputFloor = 1 << 20
        rules.throughputWindow = 1800
        let raised = try #require(alerts(slow).first)
        #expect(raised.key == "slow-downloads")
        #expect(raised.message == "downloads ran at 96.0 KiB/s over the last 30 min (3 jobs), below the floor of 1.0 MiB/s", "\(raised.message)")
        #expect(alerts(Array(slow.prefix(2))).isEmpty, "two jobs are not a trend")
        #expect(alerts(slow + [.init(bytes: 100 << 20, seconds: 0)]).isEmpty, "fast enough over the window as a whole")
    }

    @Test func digestsAreDeduplicatedAndRateLimited() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-notify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("sendmail")
        try "#!/bin/sh\ncat >> \"$(dirname \"$0\")/mails\"\necho '--' >> \"$(dirname \"$0\")/mails\"\n".write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        var rules = DaemonConfig.Notifications()
        rules.minInterval = 3600
        let now = Clock()
        let notifier = Notifier(
            rules: rules,
            sinks: NotificationSinks(
                webhook: "http://127.0.0.1:9/hook", mail: "admin@example.org",
                sendmail: script.path, site: "test-site"), clock: { now.value })
        let disk = Alert(key: "disk-budget", message: "disk above 90%")
        let repo = Alert(key: "repository-unreachable", message: "repository down")
        #expect(await notifier.observe([disk])?.alerts == [disk])
        // Still active: not sent again; a new alert within the interval waits.
        #expect(await notifier.observe([disk]) == nil)
        now.value += 60
        #expect(await notifier.observe([disk, repo]) == nil)
        now.value += 3600
        let digest = await notifier.observe([repo])
        #expect(digest?.alerts == [repo] && digest?.resolved == ["disk-budget"], "\(String(describing: digest))")
        let mails = try String(contentsOf: directory.appendingPathComponent("mails"), encoding: .utf8)
        #expect(mails.components(separatedBy: "--\n").count == 3, "\(mails)")
        #expect(mails.contains("To: admin@example.org") && mails.contains("Subject: packmand at test-site: 1 problem(s)"))
        #expect(mails.contains("- repository down") && mails.contains("resolved: disk-budget"))
        // The webhook (nothing listens on port 9) failed and says so; mail went out anyway.
        let failures = await notifier.failures
        #expect(failures.count == 2 && failures.allSatisfy { $0.hasPrefix("webhook http://127.0.0.1:9/hook") }, "\(failures)")
    }
}

final class Clock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Int64 = 1_000_000
    var value: Int64 {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}
