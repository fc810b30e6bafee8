import Foundation
import PackManAPI
import SoftwareArea
import Trust

/// Live progress of one job, fed by the area's events from install threads.
final class JobProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var packages: [PackageKey] = []
    private var bytes: [PackageKey: Int64] = [:]
    private var totals: [PackageKey: Int64] = [:]
    private var done = Set<PackageKey>()

    func update(_ event: AreaEvent) {
        lock.withLock {
            switch event {
            case let .resolved(keys): packages = keys
            case let .progress(key, received, total, _, _):
                bytes[key] = received
                totals[key] = total
            case let .downloaded(key, received):
                bytes[key] = received
                totals[key] = max(totals[key] ?? 0, received)
            case let .installed(key, _), let .alreadyInstalled(key, _): done.insert(key)
            default: break
            }
        }
    }

    /// (bytes, total, progress 0…1): finished packages count whole, the current one by bytes.
    var snapshot: (bytes: Int64, total: Int64, progress: Double) {
        lock.withLock {
            let received = bytes.values.reduce(0, +), total = totals.values.reduce(0, +)
            guard !packages.isEmpty else { return (received, total, 0) }
            var units = Double(done.count)
            for key in packages where !done.contains(key) {
                if let size = totals[key], size > 0 { units += Double(bytes[key] ?? 0) / Double(size) }
            }
            return (received, total, min(1, units / Double(packages.count)))
        }
    }
}

/// The area reporter of one job: progress into `JobProgress`, steps into the package logs.
struct JobReporter: AreaReporter {
    let job: String
    let progress: JobProgress
    let store: StateStore
    let metrics: DaemonMetrics
    let clock: @Sendable () -> Int64

    func report(_ event: AreaEvent) {
        progress.update(event)
        let package: PackageKey?
        switch event {
        case .progress: return
        case .resolved, .swept: package = nil
        case let .alreadyInstalled(key, _), let .downloaded(key, _), let .extracted(key, _, _), let .installed(key, _), let .removed(key),
             let .warning(key, _), let .swarm(key, _), let .fallback(key, _):
            package = key
        }
        if case let .downloaded(_, bytes) = event { metrics.downloaded(bytes: bytes) }
        if case .installed = event { metrics.installedPackage() }
        guard let package else { return }
        try? store.log(package: package.description, job: job, time: clock(), text: event.text)
    }
}
