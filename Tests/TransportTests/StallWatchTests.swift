import Testing
@testable import Transport

/// Stall detection on instants the test gives (nanoseconds): no clock is read.
@Suite struct StallWatchTests {
    static let second: UInt64 = 1_000_000_000

    /// `watch.stalled(at:)` at each instant in turn (the watch moves on between checks).
    static func checks(_ watch: inout StallWatch, _ instants: [UInt64]) -> [Bool] {
        instants.map { watch.stalled(at: $0) }
    }

    @Test func aWindowWithTooFewBytesIsAStall() {
        var watch = StallWatch(timeout: 2, speed: 100)
        let before = Self.checks(&watch, [10 * Self.second])
        #expect(before == [false], "not started")
        watch.start(at: 10 * Self.second)
        let early = Self.checks(&watch, [11 * Self.second])
        #expect(early == [false], "the window is not over")
        watch.received(150)
        let late = Self.checks(&watch, [12 * Self.second])
        #expect(late == [true], "150 bytes in 2 s, 200 wanted")
        #expect(watch.description.contains("fewer than 200 bytes in 2 s (150 received)"))
    }

    @Test func enoughBytesStartTheNextWindow() {
        var watch = StallWatch(timeout: 1, speed: 1)
        watch.start(at: 0)
        watch.received(1)
        // The next window starts at the first check: nothing for a whole second after it is a stall.
        let results = Self.checks(&watch, [Self.second, Self.second + Self.second / 2, 2 * Self.second])
        #expect(results == [false, false, true])
    }

    @Test func pausedTimeNeverCounts() {
        var watch = StallWatch(timeout: 1, speed: 1)
        watch.start(at: 0)
        watch.received(64 << 10)
        watch.pause()
        // Paused for a minute (a consumer that lags, a busy machine): no stall.
        let paused = Self.checks(&watch, [60 * Self.second])
        #expect(paused == [false])
        watch.resume(at: 60 * Self.second)
        let resumed = Self.checks(&watch, [60 * Self.second + Self.second / 2])
        #expect(resumed == [false])
        watch.received(10)
        // A window with bytes, then one silent whole window: that is a stall.
        let after = Self.checks(&watch, [61 * Self.second, 62 * Self.second])
        #expect(after == [false, true])
    }

    @Test func oddPoliciesAreClamped() {
        let watch = StallWatch(timeout: 0, speed: -5)
        #expect(watch.timeout == 1 && watch.speed == 1 && watch.minimumBytes == 1)
        var backwards = StallWatch(timeout: 1, speed: 1)
        backwards.start(at: 5 * Self.second)
        let results = Self.checks(&backwards, [4 * Self.second])
        #expect(results == [false], "an instant before the start is no stall")
    }
}
