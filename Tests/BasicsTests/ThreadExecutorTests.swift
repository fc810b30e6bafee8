import Basics
import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport

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
        let answer: Int? = try await CooperativePool.whileHeld {
            let done = DispatchSemaphore(value: 0)
            let result = Mutex<Int?>(nil)
            Task(executorPreference: executor) {
                try? await Task.sleep(for: .milliseconds(1))
                result.withLock { $0 = 42 }
                done.signal()
            }
            _ = done.wait(timeout: .now() + 60)
            return result.withLock { $0 }
        }
        #expect(answer == 42)
    }
}
