import Synchronization

/// One slot per index, filled from concurrent iterations (`DispatchQueue.concurrentPerform`,
/// a task group) and read back in index order.
public final class ResultSlots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Value?]>

    public init(count: Int) {
        slots = Mutex(Array(repeating: nil, count: count))
    }

    public func set(_ index: Int, _ value: Value) {
        slots.withLock { $0[index] = value }
    }

    public func get(_ index: Int) -> Value? {
        slots.withLock { $0[index] }
    }

    /// Every slot in order (nil where nothing was set).
    public var values: [Value?] {
        slots.withLock { $0 }
    }
}
