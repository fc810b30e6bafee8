#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A task executor with threads of its own: work preferring it (`Task(executorPreference:)`,
/// `withTaskExecutorPreference`) runs there instead of on Swift's cooperative pool, which has one
/// thread per core (two here). Blocking calls (`flock`, a synchronous HTTP exchange) then hold
/// one of these threads, never the pool's; and a server whose connections prefer it answers
/// while something else in the process holds the pool. No Foundation (Basics is linked into
/// the static `alien-env`).
public final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // `pending` is guarded by `mutex`; the threads sleep on `condition`. Both live as long as
    // the executor, which lives as long as the process (its threads never end).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var pending: [UnownedJob] = []
    private var head = 0
    public let name: String

    /// Starts `threads` threads (`name` says what they are for, in a debugger's backtrace).
    public init(name: String, threads: Int) {
        self.name = name
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        for _ in 0..<max(1, threads) {
            let start = Unmanaged.passRetained(Start(executor: self))
            var thread = pthread_t()
            let status = pthread_create(
                &thread, nil,
                { argument in
                    let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
                    start.executor.loop()  // never returns: the thread serves the executor for the process's life
                }, start.toOpaque())
            precondition(status == 0, "pthread_create: \(FileIO.describe(status))")
            pthread_detach(thread)
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        pthread_mutex_lock(mutex)
        pending.append(unowned)
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    private func loop() -> Never {
        while true {
            pthread_mutex_lock(mutex)
            while head == pending.count { pthread_cond_wait(condition, mutex) }
            let job = pending[head]
            head += 1
            if head == pending.count {
                pending.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= pending.count {
                pending.removeFirst(head)
                head = 0
            }
            pthread_mutex_unlock(mutex)
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    private final class Start {
        let executor: ThreadExecutor
        init(executor: ThreadExecutor) { self.executor = executor }
    }
}
