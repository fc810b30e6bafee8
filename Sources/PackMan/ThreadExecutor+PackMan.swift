import Basics
import Foundation

/// packmand's threads (Basics' `ThreadExecutor`) for blocking work, so that it never starves
/// Swift's cooperative pool (2 threads on 2 cores) nor NIO's event loops, nor one another:
/// - `installs` runs jobs: `SoftwareArea`'s per-package `flock` and the TUF refresh block their
///   thread. The engine runs at most `threads - 1` jobs at once, so one thread is always free
///   for a lock holder to go on.
/// - `requests` runs the listeners' connection tasks (`OnRequestThreads`): request handling
///   never waits for the cooperative pool, so the daemon answers while something else in the
///   process holds the pool's threads. Nothing blocks on these threads.
/// - `control` runs the short blocking reads and writes behind requests (installed packages,
///   leases, environments, removals, disk samples). It is apart from `installs`, so health,
///   status and lease requests answer while every install thread waits on a slow repository.
/// Slow outward calls (a webhook, `sendmail`) run on a thread of their own instead (`offloadToOwnThread`), so neither pool waits behind them.
extension ThreadExecutor {
    static let installs = ThreadExecutor(name: "packmand-install", threads: 9)
    static let requests = ThreadExecutor(name: "packmand-requests", threads: 2)
    static let control = ThreadExecutor(name: "packmand-control", threads: 4)
    static let maxParallelJobs = 8
}

/// Runs short blocking work behind a request (directory scans, lease files, an environment)
/// on the control threads, not on the cooperative pool nor behind the jobs.
func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withTaskExecutorPreference(ThreadExecutor.control) { try body() }
}

/// Runs slow blocking work (a webhook or `sendmail`) on a thread of its
/// own, so no pool waits behind it.
func offloadToOwnThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = name
        thread.start()
    }
}
