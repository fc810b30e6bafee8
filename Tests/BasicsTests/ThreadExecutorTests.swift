import Basics
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite struct ThreadExecutorTests {
    /// Every job given runs, from many tasks at once.
    @Test func runsEveryJob() async {
        let executor = ThreadExecutor(name: "test-every-job", threads: 3)
        let ran = await withTaskGroup(of: Int.self) { group in
            for index in 0..<500 {
                group.addTask(executorPreference: executor) {
                    await Task.yield()
                    return index
                }
            }
            return await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(ran == Set(0..<500))
        #expect(executor.name == "test-every-job")
    }

    /// With every thread of the cooperative pool held by blocking work, a task preferring the
    /// executor still runs (and awaits inside it resume there).
    @Test func runsWhileTheCooperativePoolIsHeld() async throws {
        let executor = ThreadExecutor(name: "test-pool-held", threads: 2)
        let poolThreads = ProcessInfo.processInfo.activeProcessorCount
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let holders = (0..<poolThreads).map { _ in
            Task.detached {
                started.signal()
                release.wait()
            }
        }
        let answer: Int? = try await withCheckedThrowingContinuation { continuation in
            // A plain thread: it needs no pool thread to wait or to start the task.
            Thread {
                defer { for _ in 0..<poolThreads { release.signal() } }
                for _ in 0..<poolThreads {
                    guard started.wait(timeout: .now() + 600) == .success else {
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                }
                let done = DispatchSemaphore(value: 0)
                let result = Mutex<Int?>(nil)
                Task(executorPreference: executor) {
                    try? await Task.sleep(for: .milliseconds(1))
                    result.withLock { $0 = 42 }
                    done.signal()
                }
                _ = done.wait(timeout: .now() + 60)
                continuation.resume(returning: result.withLock { $0 })
            }.start()
        }
        for holder in holders { await holder.value }
        #expect(answer == 42)
    }
}
