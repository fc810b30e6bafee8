import Basics
import Foundation
import Hummingbird
import PackManAPI
import SoftwareArea

extension PackManDaemon {
    /// `GET /`: what a site admin reads at a glance — disk, installed packages with last use and
    /// leases, running and recent jobs, failures, seeding, repository freshness.
    func statusPage() async throws -> Response {
        let installed = try await offload { self.installedInfo() }
        let jobs = try await recentJobs(vo: nil, limit: 20)
        let counts = await self.counts
        let vos = try await vosSection()
        let used = installed.reduce(UInt64(0)) { $0 + $1.size }
        let available = area.disk.availableBytes(at: area.layout.root)
        let expiry = metadataExpiry()
        let failures = jobs.filter { $0.state == .failed }
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="60"><title>packmand — \(Self.escape(area.layout.root))</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.3em}h2{font-size:1.05em;margin-top:1.4em}
            table{border-collapse:collapse;font-size:.9em}td,th{padding:.2em .7em;border-bottom:1px solid #ddd;text-align:left}
            .bad{color:#b00020;font-weight:bold}.ok{color:#08660b}.bar{background:#eee;width:20em;height:.8em;display:inline-block}
            .fill{background:#3a7;height:100%}
            .charts{display:flex;flex-wrap:wrap;gap:1em}.chart{margin:0}.chart figcaption,.legend{font-size:.85em;color:#555}
            </style></head><body>
            <h1>packmand at \(Self.escape(area.layout.root)) (\(Self.escape(area.layout.arch)))</h1>

            """
        let budgetText = config.diskBudget.map { ByteCountText.format(Int64($0)) } ?? "none"
        let fraction = config.diskBudget.map { $0 > 0 ? min(1, Double(used) / Double($0)) : 1 } ?? 0
        html += "<h2>Disk</h2><p>packages: \(ByteCountText.format(Int64(used))) · budget: \(budgetText) · free on disk: "
        html += "\(available.map { ByteCountText.format(Int64($0)) } ?? "?") · eviction: \(config.eviction.rawValue)"
        if config.diskBudget != nil {
            html += " <span class=\"bar\"><span class=\"fill\" style=\"display:block;width:\(Int(fraction * 100))%\"></span></span> \(Int(fraction * 100))%"
        }
        html += "</p>\n" + vos + (try await offload { self.historyCharts() })
        html += "<h2>Repository</h2><p>\(Self.escape(area.configuration.repository ?? "none"))"
        if let expiry {
            let left = expiry - area.clock()
            let warn = left < config.notifications.expiryWarning
            html += " · trusted metadata expires in <span class=\"\(warn ? "bad" : "ok")\">\(Self.duration(left))</span>"
        }
        html += "</p>\n<h2>Jobs</h2><p>running: \(counts.running) · queued: \(counts.queued) · failed (recent): "
        html += "<span class=\"\(failures.isEmpty ? "ok" : "bad")\">\(failures.count)</span></p>\n"
        html += "<table><tr><th>job</th><th>VO</th><th>kind</th><th>state</th><th>packages</th><th>progress</th><th>who</th><th>error</th></tr>\n"
        for job in jobs {
            html +=
                "<tr><td>\(job.id)</td><td>\(Self.escape(job.vo ?? config.vo))</td><td>\(job.kind.rawValue)</td><td class=\"\(job.state == .failed ? "bad" : "")\">\(job.state.rawValue)</td>"
            html += "<td>\(Self.escape(job.packages.joined(separator: " ")))</td><td>\(Int(job.progress * 100))%</td>"
            html += "<td>\(Self.escape(job.identity))</td><td>\(Self.escape(job.error ?? ""))</td></tr>\n"
        }
        html += "</table>\n<h2>Installed in \(Self.escape(config.vo)) (\(installed.count))</h2>\n"
        html += "<table><tr><th>package</th><th>size</th><th>last used</th><th>leased by</th></tr>\n"
        for package in installed {
            html += "<tr><td>\(Self.escape(package.module))</td><td>\(ByteCountText.format(Int64(package.size)))</td>"
            html += "<td>\(Self.date(package.lastUsed))</td><td>\(Self.escape(package.leasedBy.joined(separator: ", ")))</td></tr>\n"
        }
        html += "</table>\n" + (try await offload { self.revokedSection() })
        let seeding = await seeder.snapshot()
        let seedingText: String
        if !seeding.enabled {
            seedingText = "off"
        } else if let error = seeding.error {
            seedingText = "configured but not running: " + Self.escape(error)
        } else {
            seedingText =
                "\(seeding.torrents) torrent(s) on port \(seeding.port), \(seeding.uploaded) bytes uploaded (ratio "
                + String(format: "%.2f", seeding.ratio) + "), \(seeding.retired) retired at ratio \(config.seeding.ratio)"
        }
        html += "<h2>Seeding</h2><p>\(seedingText)</p>\n"
        html += "<p><a href=\"/metrics\">metrics</a> · <a href=\"/v1/health\">health</a> · <a href=\"/v1/audit\">audit log</a></p></body></html>\n"
        return JSONAnswer.text(html, type: "text/html; charset=utf-8")
    }

    /// "VOs" (on a site with more than one): each VO's area, repository, packages, disk and jobs.
    func vosSection() async throws -> String {
        guard sites.count > 1 else { return "" }
        var html = "<h2>VOs (\(sites.count))</h2>\n<table><tr><th>VO</th><th>area</th><th>repository</th><th>packages</th>"
        html += "<th>size</th><th>budget</th><th>running</th><th>queued</th></tr>\n"
        for site in sites {
            let installed = try await offload { site.installedInfo(metrics: self.metrics) }
            let counts = await site.engine.counts
            let used = installed.reduce(UInt64(0)) { $0 + $1.size }
            html += "<tr><td>\(Self.escape(site.name))\(site.isDefault ? " (default)" : "")</td><td>\(Self.escape(site.area.layout.root))</td>"
            html += "<td>\(Self.escape(site.area.configuration.repository ?? "none"))</td><td>\(installed.count)</td>"
            html += "<td>\(ByteCountText.format(Int64(used)))</td><td>\(site.config.diskBudget.map { ByteCountText.format(Int64($0)) } ?? "none")</td>"
            html += "<td>\(counts.running)</td><td>\(counts.queued)</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// "Last 24 hours": jobs and failures, download throughput and disk use, by the hour.
    func historyCharts() -> String {
        let now = area.clock()
        let hours = (try? store.hours(until: now)) ?? []
        let samples = (try? store.diskSamples(since: now - 24 * 3600)) ?? []
        var html = "<h2>Last 24 hours</h2><div class=\"charts\">\n"
        html += StatusCharts.bars(
            title: "Jobs finished",
            series: [
                .init(label: "succeeded", color: "#3a7", values: hours.map { Double($0.succeeded) }),
                .init(label: "failed", color: "#b00020", values: hours.map { Double($0.failed) })
            ]
        ) { "max \(StatusCharts.format($0)) jobs/h" }
        html += StatusCharts.bars(
            title: "Download throughput",
            series: [
                .init(label: "downloads", color: "#37a", values: hours.map(\.throughput))
            ]
        ) { "max \(ByteCountText.format(UInt64($0)))/s" }
        html += StatusCharts.line(
            title: "Disk use", points: samples.map { (Double($0.time), Double($0.used)) },
            limit: (samples.last?.budget ?? config.diskBudget.map(Int64.init)).map(Double.init)
        ) {
            samples.isEmpty ? "no samples yet" : "max \(ByteCountText.format(UInt64($0)))"
        }
        return html + "</div>\n"
    }

    /// Records the disk use for the status page's chart (every few minutes, by `HistoryService`).
    func sampleDiskUse() {
        try? store.recordDiskSample(time: area.clock(), used: installedBytes(), budget: config.diskBudget)
    }

    /// The trusted timestamp metadata's expiry (seconds since 1970), read from a VO's area's trust
    /// directory (the default VO's when nil).
    func metadataExpiry(of site: VOSite? = nil) -> Int64? {
        guard let data = FileManager.default.contents(atPath: "\((site ?? sites[0]).area.layout.trust)/timestamp.json"),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let signed = object["signed"] as? [String: Any], let text = signed["expires"] as? String
        else { return nil }
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func date(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func duration(_ seconds: Int64) -> String {
        if seconds < 0 { return "expired" }
        if seconds < 3600 { return "\(seconds / 60) min" }
        if seconds < 86400 * 2 { return "\(seconds / 3600) h" }
        return "\(seconds / 86400) days"
    }
}
