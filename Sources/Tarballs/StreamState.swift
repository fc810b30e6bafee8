#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex with one condition variable. (The blocking side is a plain thread, which
/// needs a real condition variable; async senders wait on continuations instead.)
final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Releases the lock while waiting; to be called with the lock held.
    func wait() { pthread_cond_wait(condition, mutex) }
    func broadcast() { pthread_cond_broadcast(condition) }
}

/// The bounded buffer between the feeding side of a `TarballStream` and its extraction thread,
/// and the outcome of that thread. Every property is guarded by `monitor`.
final class StreamState: @unchecked Sendable {
    enum Next {
        case chunk(Chunk)
        case end
        case cancelled
    }

    private let monitor = Monitor()
    private let capacity: Int
    /// Chunks fed and not yet taken start at `head`; taken slots are nil (released at once).
    private var queue: [Chunk?] = []
    private var head = 0
    private var buffered = 0
    /// `finish()` was called: no more input.
    private var inputClosed = false
    /// `cancel()` was called (or the stream was dropped).
    private var cancelled = false
    /// `finish()` or `cancel()` happened: the stream accepts nothing more.
    private var settled = false
    private var outcome: Result<ExtractionSummary, TarballError>?
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var outcomeWaiters: [CheckedContinuation<Void, Never>] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    // MARK: feeding side

    /// Appends `chunk` if there is room (or the buffer is empty); false when full. Throws the
    /// extraction's error once it has failed; drops the bytes once it has succeeded.
    func offer(_ chunk: Chunk, directory: String) throws(TarballError) -> Bool {
        monitor.lock()
        defer { monitor.unlock() }
        return try offerLocked(chunk, directory: directory)
    }

    /// `offer`, blocking while the buffer is full.
    func put(_ chunk: Chunk, directory: String) throws(TarballError) {
        monitor.lock()
        defer { monitor.unlock() }
        while try !offerLocked(chunk, directory: directory) {
            monitor.wait()
        }
    }

    private func offerLocked(_ chunk: Chunk, directory: String) throws(TarballError) -> Bool {
        if cancelled { throw .cancelled(destination: directory) }
        if settled || inputClosed { throw .streamFinished(destination: directory) }
        switch outcome {
        case let .failure(error)?: throw error
        case .success?: return true
        case nil: break
        }
        guard buffered == 0 || buffered + chunk.bytes.count <= capacity else { return false }
        queue.append(chunk)
        buffered += chunk.bytes.count
        monitor.broadcast()
        return true
    }

    /// Resumes `continuation` when there is room for `size` more bytes (the rule of `offer`),
    /// or when the stream ended either way.
    func waitForSpace(_ size: Int, _ continuation: CheckedContinuation<Void, Never>) {
        monitor.lock()
        defer { monitor.unlock() }
        if buffered == 0 || buffered + size <= capacity || outcome != nil || cancelled || settled || inputClosed {
            continuation.resume()
        } else {
            spaceWaiters.append(continuation)
        }
    }

    func closeInput(directory: String) throws(TarballError) {
        monitor.lock()
        defer { monitor.unlock() }
        if settled || inputClosed { throw .streamFinished(destination: directory) }
        inputClosed = true
        monitor.broadcast()
    }

    /// Marks the stream cancelled; false if it was already settled (finished or cancelled).
    func cancel() -> Bool {
        monitor.lock()
        defer { monitor.unlock() }
        if settled { return false }
        settled = true
        cancelled = true
        monitor.broadcast()
        resumeAll(&spaceWaiters)
        return true
    }

    /// Who settled the stream once the extraction thread was done: `finish` or `cancel`.
    enum Resolution {
        case finished
        case cancelled
    }

    private var resolution: Resolution?

    /// Blocks until the extraction thread is done, then claims the stream for `finish` or
    /// `cancel`: the outcome for the first caller, nil for any later one (so the directory
    /// is released, or emptied, exactly once).
    func resolve(_ claim: Resolution) -> Result<ExtractionSummary, TarballError>? {
        monitor.lock()
        defer { monitor.unlock() }
        while outcome == nil { monitor.wait() }
        settled = true
        guard resolution == nil, let outcome else { return nil }
        resolution = claim
        return outcome
    }

    /// Resumes `continuation` once the extraction thread is done.
    func waitForOutcome(_ continuation: CheckedContinuation<Void, Never>) {
        monitor.lock()
        defer { monitor.unlock() }
        if outcome != nil { continuation.resume() } else { outcomeWaiters.append(continuation) }
    }

    // MARK: extraction side

    /// The next chunk, blocking until one is fed, the input ends, or the stream is cancelled.
    func take() -> Next {
        monitor.lock()
        defer { monitor.unlock() }
        while head == queue.count && !inputClosed && !cancelled { monitor.wait() }
        if cancelled { return .cancelled }
        if head == queue.count { return .end }
        guard let chunk = queue[head] else { return .end }
        queue[head] = nil
        head += 1
        buffered -= chunk.bytes.count
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 {
            queue.removeFirst(head)
            head = 0
        }
        monitor.broadcast()
        resumeAll(&spaceWaiters)
        return .chunk(chunk)
    }

    /// Records the extraction's result (a failure after `cancel()` becomes `cancelled`) and
    /// wakes everyone waiting.
    func complete(with result: Result<ExtractionSummary, TarballError>, cancelled error: TarballError) {
        monitor.lock()
        defer { monitor.unlock() }
        if case .failure = result, cancelled {
            outcome = .failure(error)
        } else {
            outcome = result
        }
        queue.removeAll()
        head = 0
        buffered = 0
        monitor.broadcast()
        resumeAll(&spaceWaiters)
        resumeAll(&outcomeWaiters)
    }

    private func resumeAll(_ waiters: inout [CheckedContinuation<Void, Never>]) {
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }
}
