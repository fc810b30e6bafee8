import Synchronization

/// Entries and bytes an extraction has written so far: written by the extracting thread after
/// each entry, read by progress displays on any other thread.
final class ExtractionCounters: Sendable {
    private let entries = Atomic<Int>(0)
    private let bytes = Atomic<UInt64>(0)

    func record(entries: Int, bytes: UInt64) {
        self.entries.store(entries, ordering: .relaxed)
        self.bytes.store(bytes, ordering: .relaxed)
    }

    var snapshot: (entries: Int, bytes: UInt64) {
        (entries.load(ordering: .relaxed), bytes.load(ordering: .relaxed))
    }
}
