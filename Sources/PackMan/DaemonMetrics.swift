import Foundation
public import Prometheus

/// packmand's Prometheus metrics (`GET /metrics`, text exposition format by swift-prometheus).
public final class DaemonMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let installs: Counter
    let jobFailures: Counter
    let jobsSucceeded: Counter
    let httpBytes: Counter
    let queueLength: Gauge
    let runningJobs: Gauge
    let diskUsed: Gauge
    let diskBudget: Gauge
    let seedingRatio: Gauge
    let metadataExpiry: Gauge
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
        .seconds(2), .seconds(10), .seconds(60)
    ]

    public init() {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "packmand", metricName: metric, unitName: unit, helpText: help)
        }
        installs = registry.makeCounter(descriptor: name("packages_installed", "total", "Packages installed (downloaded and unpacked)"))
        jobsSucceeded = registry.makeCounter(descriptor: name("jobs_succeeded", "total", "Jobs finished without error"))
        jobFailures = registry.makeCounter(descriptor: name("jobs_failed", "total", "Jobs that failed"))
        httpBytes = registry.makeCounter(
            descriptor: name("downloaded", "bytes_total", "Verified tarball bytes downloaded"),
            labels: [("transport", "http")])
        queueLength = registry.makeGauge(descriptor: name("jobs_queued", "count", "Jobs waiting for a slot"))
        runningJobs = registry.makeGauge(descriptor: name("jobs_running", "count", "Jobs running"))
        diskUsed = registry.makeGauge(descriptor: name("disk_used", "bytes", "Size of the installed packages"))
        diskBudget = registry.makeGauge(descriptor: name("disk_budget", "bytes", "Configured budget (0: none)"))
        seedingRatio = registry.makeGauge(descriptor: name("seeding_ratio", "ratio", "Uploaded / downloaded bytes by seeding (no seeding yet: 0)"))
        metadataExpiry = registry.makeGauge(descriptor: name("metadata_expires", "seconds", "Seconds until the trusted timestamp metadata expires"))
    }

    func downloaded(bytes: Int64) { httpBytes.increment(by: bytes) }
    func installedPackage() { installs.increment() }

    func jobFinished(succeeded: Bool) {
        if succeeded { jobsSucceeded.increment() } else { jobFailures.increment() }
    }

    func queue(running: Int, queued: Int) {
        runningJobs.set(Double(running))
        queueLength.set(Double(queued))
    }

    func disk(used: UInt64, budget: UInt64?) {
        diskUsed.set(Double(used))
        diskBudget.set(Double(budget ?? 0))
    }

    /// One VO's installed bytes, budget and package count (`vo` label; the unlabelled disk
    /// gauges stay the default VO's).
    func disk(vo: String, used: UInt64, budget: UInt64?, installed: Int) {
        func gauge(_ metric: String, _ unit: String, _ help: String) -> Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "packmand", metricName: metric, unitName: unit, helpText: help), labels: [("vo", vo)])
        }
        gauge("vo_disk_used", "bytes", "Size of a VO's installed packages").set(Double(used))
        gauge("vo_disk_budget", "bytes", "A VO's configured budget (0: none)").set(Double(budget ?? 0))
        gauge("vo_installed", "count", "Packages installed in a VO's area").set(Double(installed))
    }

    /// One VO's jobs running and queued (`vo` label).
    func queue(vo: String, running: Int, queued: Int) {
        func gauge(_ metric: String, _ help: String) -> Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "packmand", metricName: metric, unitName: "count", helpText: help), labels: [("vo", vo)])
        }
        gauge("vo_jobs_running", "A VO's jobs running").set(Double(running))
        gauge("vo_jobs_queued", "A VO's jobs waiting for a slot").set(Double(queued))
    }

    /// Request latency by route pattern and method.
    func request(method: String, route: String, status: Int, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "packmand", metricName: "request_duration", unitName: "seconds",
                helpText: "HTTP request latency"),
            labels: [("method", method), ("route", route), ("status", String(status / 100) + "xx")], buckets: Self.buckets
        ).record(duration)
    }

    public func exposition() -> String { registry.emitToString() }
}
