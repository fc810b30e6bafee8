import Foundation

/// Dedicated threads for install work: `SoftwareArea`'s per-package `flock` blocks its thread
/// while another installer holds the package, which must not starve Swift's cooperative pool
/// (2 threads on 2 cores) nor NIO's event loops. Jobs run with this executor as their
/// preference; the engine runs at most `threads - 1` at once, so one thread is always free for
/// the lock holder to go on.
final class InstallExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = InstallExecutor(threads: 9)
    static let maxParallelJobs = 8

    private let condition = NSCondition()
    private var pending: [UnownedJob] = []

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in loop() }
            thread.name = "packmand-install-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        pending.append(unowned)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty { condition.wait() }
            let job = pending.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
