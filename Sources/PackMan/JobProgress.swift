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
    /// A closure install's own totals (several packages at once), when it reports them.
    private var closure: (bytes: Int64, total: Int64)?
    /// The package lock the job waits for: package, seconds waited, holder pid.
    private var lockWait: (key: PackageKey, seconds: Int, holder: Int32?)?

    func update(_ event: AreaEvent) {
        lock.withLock {
            switch event {
            case let .resolved(keys): packages = keys
            case let .progress(key, received, total, _, _):
                bytes[key] = received
                totals[key] = total
            case let .downloaded(key, received, _, _):
                bytes[key] = received
                totals[key] = max(totals[key] ?? 0, received)
            case let .installed(key, _), let .alreadyInstalled(key, _): done.insert(key)
            case let .closureProgress(_, _, received, total, _, _): closure = (received, total)
            case let .waiting(key, seconds, holder): lockWait = (key, seconds, holder)
            default: break
            }
            if let wait = lockWait, event.package == wait.key, !event.isWaiting { lockWait = nil }
        }
    }

    /// (bytes, total, progress 0…1): finished packages count whole, the current one by bytes.
    var snapshot: (bytes: Int64, total: Int64, progress: Double) {
        lock.withLock {
            var received = bytes.values.reduce(0, +), total = totals.values.reduce(0, +)
            if let closure, closure.total > total {
                received = closure.bytes
                total = closure.total
            }
            guard !packages.isEmpty else { return (received, total, 0) }
            var units = Double(done.count)
            for key in packages where !done.contains(key) {
                if let size = totals[key], size > 0 { units += Double(bytes[key] ?? 0) / Double(size) }
            }
            if let closure, closure.total > 0, totals.isEmpty {
                units = max(units, Double(packages.count) * Double(closure.bytes) / Double(closure.total) * 0.99)
            }
            return (received, total, min(1, units / Double(packages.count)))
        }
    }
}

extension JobProgress {
    /// What the job waits for, if it waits for another installer's package lock.
    var waitingForLock: (key: PackageKey, seconds: Int, holder: Int32?)? { lock.withLock { lockWait } }
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
        case .progress, .closureProgress, .waiting: return
        case .resolved, .swept: package = nil
        case let .alreadyInstalled(key, _), let .downloaded(key, _, _, _), let .extracted(key, _, _), let .installed(key, _), let .removed(key),
             let .warning(key, _), let .swarm(key, _), let .fallback(key, _):
            package = key
        }
        if case let .downloaded(_, bytes, _, _) = event { metrics.downloaded(bytes: bytes) }
        if case .installed = event { metrics.installedPackage() }
        guard let package else { return }
        try? store.log(package: package.description, job: job, time: clock(), text: event.text)
    }
}
