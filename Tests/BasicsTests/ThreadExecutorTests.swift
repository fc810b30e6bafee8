import Basics
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
}
