import AlienModel
import Foundation
import PackManAPI
import SoftwareArea
import Synchronization
import Trust

/// Live progress of one job, fed by the area's events from install threads.
final class JobProgress: Sendable {
    private struct State {
        var packages: [PackageBuild] = []
        var bytes: [PackageBuild: Int64] = [:]
        var totals: [PackageBuild: Int64] = [:]
        var done = Set<PackageBuild>()
        /// A closure install's own totals (several packages at once), when it reports them.
        var closure: (bytes: Int64, total: Int64)?
        /// The package lock the job waits for: package, seconds waited, holder pid.
        var lockWait: (key: PackageBuild, seconds: Int, holder: Int32?)?
    }

    private let state = Mutex(State())

    func update(_ event: AreaEvent) {
        state.withLock { state in
            switch event {
            case let .resolved(keys): state.packages = keys
            case let .progress(key, received, total, _, _):
                state.bytes[key] = received
                state.totals[key] = total
            case let .downloaded(key, received, _, _):
                state.bytes[key] = received
                state.totals[key] = max(state.totals[key] ?? 0, received)
            case let .installed(key, _), let .alreadyInstalled(key, _): state.done.insert(key)
            case let .closureProgress(_, _, received, total, _, _): state.closure = (received, total)
            case let .waiting(key, seconds, holder): state.lockWait = (key, seconds, holder)
            default: break
            }
            if let wait = state.lockWait, event.package == wait.key, !event.isWaiting { state.lockWait = nil }
        }
    }

    /// (bytes, total, progress 0…1): finished packages count whole, the current one by bytes.
    var snapshot: (bytes: Int64, total: Int64, progress: Double) {
        state.withLock { state in
            var received = state.bytes.values.reduce(0, +), total = state.totals.values.reduce(0, +)
            if let closure = state.closure, closure.total > total {
                received = closure.bytes
                total = closure.total
            }
            guard !state.packages.isEmpty else { return (received, total, 0) }
            var units = Double(state.done.count)
            for key in state.packages where !state.done.contains(key) {
                if let size = state.totals[key], size > 0 { units += Double(state.bytes[key] ?? 0) / Double(size) }
            }
            if let closure = state.closure, closure.total > 0, state.totals.isEmpty {
                units = max(units, Double(state.packages.count) * Double(closure.bytes) / Double(closure.total) * 0.99)
            }
            return (received, total, min(1, units / Double(state.packages.count)))
        }
    }

    /// What the job waits for, if it waits for another installer's package lock.
    var waitingForLock: (key: PackageBuild, seconds: Int, holder: Int32?)? { state.withLock { $0.lockWait } }
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
        let package: PackageBuild?
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
