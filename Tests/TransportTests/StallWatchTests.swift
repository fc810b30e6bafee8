import Testing
@testable import Transport

/// Stall detection on instants the test gives (nanoseconds): no clock is read.
@Suite struct StallWatchTests {
    static let second: UInt64 = 1_000_000_000

    @Test func aWindowWithTooFewBytesIsAStall() {
        var watch = StallWatch(timeout: 2, speed: 100)
        #expect(!watch.stalled(at: 10 * Self.second), "not started")
        watch.start(at: 10 * Self.second)
        #expect(!watch.stalled(at: 11 * Self.second), "the window is not over")
        watch.received(150)
        #expect(watch.stalled(at: 12 * Self.second), "150 bytes in 2 s, 200 wanted")
        #expect(watch.description.contains("fewer than 200 bytes in 2 s (150 received)"))
    }

    @Test func enoughBytesStartTheNextWindow() {
        var watch = StallWatch(timeout: 1, speed: 1)
        watch.start(at: 0)
        watch.received(1)
        #expect(!watch.stalled(at: Self.second))
        // The next window starts at the check: nothing for a whole second is a stall.
        #expect(!watch.stalled(at: Self.second + Self.second / 2))
        #expect(watch.stalled(at: 2 * Self.second))
    }

    @Test func pausedTimeNeverCounts() {
        var watch = StallWatch(timeout: 1, speed: 1)
        watch.start(at: 0)
        watch.received(64 << 10)
        watch.pause()
        // Paused for a minute (a consumer that lags, a busy machine): no stall.
        #expect(!watch.stalled(at: 60 * Self.second))
        watch.resume(at: 60 * Self.second)
        #expect(!watch.stalled(at: 60 * Self.second + Self.second / 2))
        watch.received(10)
        #expect(!watch.stalled(at: 61 * Self.second))
        // Resumed and then silent for a whole window: that is a stall.
        #expect(watch.stalled(at: 62 * Self.second))
    }

    @Test func oddPoliciesAreClamped() {
        let watch = StallWatch(timeout: 0, speed: -5)
        #expect(watch.timeout == 1 && watch.speed == 1 && watch.minimumBytes == 1)
        var backwards = StallWatch(timeout: 1, speed: 1)
        backwards.start(at: 5 * Self.second)
        #expect(!backwards.stalled(at: 4 * Self.second), "an instant before the start is no stall")
    }
}
