public import Basics
import Dispatch
import Foundation

/// Swift's cooperative pool (one thread per core) held by blocking work, as a test harness that
/// waits for its children holds it: for tests that a server answers all the same.
public enum CooperativePool {
    /// Threads of the tests' own (`awayFromThePool`).
    public static let ownThreads = ThreadExecutor(name: "tests", threads: 4)

    /// Runs `body` preferring threads of its own: for async tests whose deadlines matter (a
    /// swarm's startup limit, its alert loop). Synchronous tests that wait for child processes
    /// hold the pool's threads (two here) meanwhile; on the pool such a test's steps waited for
    /// them, under load for longer than its own limits.
    public static func awayFromThePool<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(ownThreads) { try await body() }
    }

    /// One holding at a time in the process: two tests each holding half the pool would wait for
    /// each other's threads.
    static let holding = DispatchSemaphore(value: 1)

    /// Holds every thread of the pool (as far as they come within 3 s: other tests may be using
    /// them, and then the pool is held as much as it can be) while `body` runs on a thread of its
    /// own, then lets them go and returns what `body` gave. Brief on purpose: while holders wait
    /// for the rest of the pool, every other test in the process runs on what is left of it
    /// (a longer wait starved timers elsewhere: a server's Date header, a swarm's alert loop).
    public static func whileHeld<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let threads = ProcessInfo.processInfo.activeProcessorCount
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                holding.wait()
                defer { holding.signal() }
                let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
                for _ in 0..<threads {
                    Task.detached {
                        started.signal()
                        release.wait()
                    }
                }
                let deadline = DispatchTime.now() + 3
                for _ in 0..<threads where started.wait(timeout: deadline) == .timedOut { break }
                let result = Result { try body() }
                // Holders that had not started yet find their release waiting.
                for _ in 0..<threads { release.signal() }
                continuation.resume(with: result)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
