import Dispatch
import Testing
import Basics

@Suite struct ResultSlotsTests {
    @Test func concurrentIterationsFillTheirOwnSlots() {
        let slots = ResultSlots<String>(count: 1000)
        DispatchQueue.concurrentPerform(iterations: 1000) { index in
            slots.set(index, "item \(index)")
        }
        #expect(slots.values == (0..<1000).map { "item \($0)" })
        #expect(slots.get(999) == "item 999")
    }

    @Test func unsetSlotsAreNil() {
        let slots = ResultSlots<Int>(count: 3)
        slots.set(1, 42)
        #expect(slots.values == [nil, 42, nil])
        #expect(slots.get(0) == nil)
    }

    @Test func taskGroupsFillThemToo() async {
        let slots = ResultSlots<Int>(count: 50)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<50 { group.addTask { slots.set(index, index * index) } }
        }
        #expect(slots.values.compactMap { $0 } == (0..<50).map { $0 * $0 })
    }
}
