import Basics
import Foundation
public import PackManAPI
import Transport

/// One condition the admin should hear of. `key` identifies it for deduplication.
public struct Alert: Sendable, Hashable, Codable {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
}

/// What the daemon sees when it checks its health.
public struct HealthSnapshot: Sendable, Hashable {
    public var diskUsed: UInt64
    public var diskBudget: UInt64?
    /// Free and total bytes of the area's filesystem.
    public var diskFree: UInt64?
    public var diskTotal: UInt64?
    /// Which filesystem that is (statvfs's id), so that one shared by several areas is judged once.
    public var filesystem: UInt?
    /// States of the latest finished jobs, newest first.
    public var recentJobs: [JobState]
    /// Seconds until the trusted timestamp metadata expires.
    public var metadataExpiresIn: Int64?
    /// Why the repository could not be reached at the last check (nil: reachable or unknown).
    public var repositoryFailure: String?
    /// The jobs that downloaded something and finished within the throughput window.
    public var recentDownloads: [Download]

    /// A finished job's download: bytes, and seconds from its start to its end.
    public struct Download: Sendable, Hashable {
        public var bytes: Int64
        public var seconds: Int64

        public init(bytes: Int64, seconds: Int64) {
            self.bytes = bytes
            self.seconds = seconds
        }
    }

    /// Below this many jobs with downloads in the window, throughput is not judged (one slow
    /// mirror connection is not a trend).
    public static let throughputSample = 3

    public init(
        diskUsed: UInt64, diskBudget: UInt64?, diskFree: UInt64?, diskTotal: UInt64?, recentJobs: [JobState],
        metadataExpiresIn: Int64?, repositoryFailure: String?, recentDownloads: [Download] = []
    ) {
        self.diskUsed = diskUsed
        self.diskBudget = diskBudget
        self.diskFree = diskFree
        self.diskTotal = diskTotal
        self.recentJobs = recentJobs
        self.metadataExpiresIn = metadataExpiresIn
        self.repositoryFailure = repositoryFailure
        self.recentDownloads = recentDownloads
    }

    /// The alerts this snapshot raises under `rules`.
    public func alerts(_ rules: DaemonConfig.Notifications) -> [Alert] {
        var alerts: [Alert] = []
        if let budget = diskBudget, budget > 0, Double(diskUsed) / Double(budget) > rules.diskThreshold {
            alerts.append(Alert(key: "disk-budget", message: "packages use \(diskUsed) of a \(budget)-byte budget (above \(Int(rules.diskThreshold * 100))%)"))
        }
        if let free = diskFree, let total = diskTotal, total > 0, 1 - Double(free) / Double(total) > rules.diskThreshold {
            alerts.append(Alert(key: "disk-full", message: "the area's filesystem is \(Int((1 - Double(free) / Double(total)) * 100))% full"))
        }
        let finished = recentJobs.prefix(20)
        if finished.count >= 4 {
            let failed = finished.filter { $0 == .failed }.count
            if Double(failed) / Double(finished.count) > rules.failureRate {
                alerts.append(Alert(key: "failure-rate", message: "\(failed) of the last \(finished.count) jobs failed"))
            }
        }
        if let left = metadataExpiresIn, left < rules.expiryWarning {
            alerts.append(
                Alert(
                    key: "metadata-expiry",
                    message: left <= 0
                        ? "the trusted repository metadata has expired"
                        : "the trusted repository metadata expires in \(left / 3600) h"))
        }
        if let failure = repositoryFailure {
            alerts.append(Alert(key: "repository-unreachable", message: "the repository is unreachable: \(failure)"))
        }
        if let floor = rules.throughputFloor, recentDownloads.count >= Self.throughputSample {
            // Bytes over job time, all jobs of the window together (a job of 0 s counts as 1 s).
            let bytes = recentDownloads.reduce(Int64(0)) { $0 + $1.bytes }
            let seconds = recentDownloads.reduce(Int64(0)) { $0 + max(1, $1.seconds) }
            let rate = UInt64(bytes / seconds)
            if rate < floor {
                alerts.append(
                    Alert(
                        key: "slow-downloads",
                        message: "downloads ran at \(ByteCountText.format(rate))/s over the last "
                            + "\(rules.throughputWindow / 60) min (\(recentDownloads.count) jobs), below the floor of \(ByteCountText.format(floor))/s"))
            }
        }
        return alerts
    }
}

/// Where digests go: a webhook (JSON POST) and/or mail through the local sendmail.
public struct NotificationSinks: Sendable {
    public var webhook: String?
    public var mail: String?
    public var sendmail: String
    public var site: String

    public init(webhook: String?, mail: String?, sendmail: String, site: String) {
        self.webhook = webhook
        self.mail = mail
        self.sendmail = sendmail
        self.site = site
    }

    /// Sends one digest; the failures (one line each), empty when all went out.
    func send(_ digest: Digest) -> [String] {
        var failures: [String] = []
        if let webhook {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = (try? encoder.encode(digest)) ?? Data()
            do {
                let answer = try HTTPClient(connectTimeout: 5, stallTimeout: 10)
                    .exchange("POST", webhook, body: body, headers: ["Content-Type: application/json"], timeout: 15)
                if !(200..<300).contains(answer.status) { failures.append("webhook \(webhook): HTTP \(answer.status)") }
            } catch {
                failures.append("webhook \(webhook): \(error.description)")
            }
        }
        if let mail {
            let lines = digest.alerts.map { "- \($0.message)" } + (digest.resolved.isEmpty ? [] : ["", "resolved: " + digest.resolved.joined(separator: ", ")])
            let text =
                "To: \(mail)\nSubject: packmand at \(site): \(digest.alerts.count) problem(s)\nContent-Type: text/plain; charset=utf-8\n\n"
                + lines.joined(separator: "\n") + "\n"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: sendmail)
            process.arguments = ["-t", "-oi"]
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do {
                try process.start()
                input.fileHandleForWriting.write(Data(text.utf8))
                try? input.fileHandleForWriting.close()
                process.waitUntilExit()
                if process.terminationStatus != 0 { failures.append("sendmail: exit status \(process.terminationStatus)") }
            } catch {
                failures.append("sendmail \(sendmail): \(error)")
            }
        }
        return failures
    }
}

/// One message: the problems active now that the admin has not heard of, and those gone.
public struct Digest: Sendable, Hashable, Codable {
    public var site: String
    public var time: Int64
    public var alerts: [Alert]
    public var resolved: [String]
}

/// Deduplicates and rate-limits: an alert is sent when it appears (not again while it lasts),
/// at most one digest per `min_interval`; what arrives in between waits for the next digest.
public actor Notifier {
    let rules: DaemonConfig.Notifications
    let sinks: NotificationSinks
    let clock: @Sendable () -> Int64
    /// Alert keys the admin was told of and that are still active.
    var told = Set<String>()
    var pending: [String: Alert] = [:]
    var resolved: [String] = []
    var lastSent: Int64?
    public private(set) var sent: [Digest] = []
    public private(set) var failures: [String] = []

    public init(rules: DaemonConfig.Notifications, sinks: NotificationSinks, clock: @escaping @Sendable () -> Int64) {
        self.rules = rules
        self.sinks = sinks
        self.clock = clock
    }

    /// Feeds the current alerts; sends a digest when something new is due and the interval allows.
    @discardableResult
    public func observe(_ alerts: [Alert]) -> Digest? {
        let active = Set(alerts.map(\.key))
        for alert in alerts where !told.contains(alert.key) { pending[alert.key] = alert }
        for key in told where !active.contains(key) {
            told.remove(key)
            resolved.append(key)
        }
        for key in pending.keys where !active.contains(key) { pending[key] = nil }
        guard !pending.isEmpty else { return nil }
        let now = clock()
        if let lastSent, now - lastSent < rules.minInterval { return nil }
        let digest = Digest(site: sinks.site, time: now, alerts: pending.values.sorted { $0.key < $1.key }, resolved: resolved.sorted())
        failures += sinks.send(digest)
        sent.append(digest)
        told.formUnion(pending.keys)
        pending.removeAll()
        resolved.removeAll()
        lastSent = now
        return digest
    }
}
