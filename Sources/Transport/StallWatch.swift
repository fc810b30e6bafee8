/// Stall detection for one transfer, on instants given by the caller (monotonic nanoseconds):
/// the transfer has stalled when a whole window of `timeout` seconds, not paused, brought fewer
/// than `speed × timeout` bytes. Pausing (the consumer lags) stops the clock; resuming starts a
/// new window. The engine checks after libcurl has read what arrived, so a busy machine that ran
/// the engine late does not see a stall where bytes were waiting.
struct StallWatch: Sendable, Hashable, CustomStringConvertible {
    let timeout: Int
    let speed: Int
    private(set) var windowStart: UInt64 = 0
    private(set) var bytes: Int64 = 0
    private(set) var paused = false
    private var started = false

    init(timeout: Int, speed: Int) {
        self.timeout = max(timeout, 1)
        self.speed = max(speed, 1)
    }

    var minimumBytes: Int64 { Int64(speed) * Int64(timeout) }

    mutating func start(at now: UInt64) {
        started = true
        windowStart = now
        bytes = 0
    }

    mutating func received(_ count: Int) { bytes += Int64(count) }

    mutating func pause() { paused = true }

    mutating func resume(at now: UInt64) {
        paused = false
        windowStart = now
        bytes = 0
    }

    /// Whether the transfer has stalled at `now`; a window with enough bytes starts the next one.
    mutating func stalled(at now: UInt64) -> Bool {
        guard started, !paused, now >= windowStart, now - windowStart >= UInt64(timeout) * 1_000_000_000 else { return false }
        if bytes < minimumBytes { return true }
        windowStart = now
        bytes = 0
        return false
    }

    var description: String {
        "stalled: fewer than \(minimumBytes) bytes in \(timeout) s (\(bytes) received)"
    }
}
