import AlienModel
import SoftwareArea
import Testing
import Trust

/// Events as the CLI prints them: a line, or one JSON object.
@Suite struct AreaEventTests {
    @Test func textAndJSON() throws {
        let key = try PackageBuild(parsing: "ROOT/v6-32-06-1")
        #expect(AreaEvent.downloaded(key, bytes: 42).text == "ROOT/v6-32-06-1: downloaded 42 bytes from http (verified as a whole)")
        #expect(
            AreaEvent.downloaded(key, bytes: 42, source: "swarm", piecewise: true).json
                == .object([
                    "event": .string("downloaded"), "package": .string("ROOT/v6-32-06-1"), "bytes": .integer(42), "source": .string("swarm"),
                    "verified": .string("pieces")
                ]))
        #expect(AreaEvent.resolved([key]).text == "resolved 1 package(s): ROOT/v6-32-06-1")
        #expect(key.qualified() == "VO_ALICE@ROOT::v6-32-06-1")
    }

    @Test func closureProgressAndLockWaits() throws {
        let event = AreaEvent.closureProgress(done: 3, packages: 10, bytes: 3 << 20, total: 10 << 20, bytesPerSecond: Double(1 << 20), extracted: 7)
        #expect(event.text == "3 of 10 packages in place, 3.0 MiB of 10.0 MiB, 1.0 MiB/s, ETA 7s, 7 entries extracted")
        #expect(event.package == nil)
        let key = try PackageBuild(parsing: "ROOT/v6-32-06-1")
        let waiting = AreaEvent.waiting(key, seconds: 5, holder: 4242)
        #expect(waiting.text == "ROOT/v6-32-06-1: waiting 5 s for the lock held by another installer (pid 4242)")
        #expect(
            waiting.json
                == .object([
                    "event": .string("waiting"), "package": .string("ROOT/v6-32-06-1"), "seconds": .integer(5),
                    "holder_pid": .integer(4242)
                ]))
        #expect(waiting.package == key && waiting.isWaiting)
    }

    /// Not on a terminal, a lock wait gets a line at its first report and then every ten
    /// seconds or more, whichever seconds the reports carry (a busy machine skips some).
    @Test func lockWaitLinesFollowTheReportsNotAClock() throws {
        let root = try PackageBuild(parsing: "ROOT/v6-32-06-1"), zlib = try PackageBuild(parsing: "zlib/v1.3.1-1")
        var lines = LockWaitLines()
        let reports = [(root, 3), (root, 4), (zlib, 2), (root, 12), (root, 13), (zlib, 3), (root, 14), (zlib, 12), (root, 25)]
        let printed = reports.filter { lines.wantsLine($0.0, seconds: $0.1) }.map { "\($0.0.name.rawValue) \($0.1)" }
        #expect(printed == ["ROOT 3", "zlib 2", "ROOT 13", "zlib 12", "ROOT 25"])
        var usual = LockWaitLines()
        #expect((2...30).filter { usual.wantsLine(root, seconds: $0) } == [2, 12, 22])
    }

    @Test func downloadProgress() throws {
        let key = try PackageBuild(parsing: "ROOT/v6-32-06-1")
        let event = AreaEvent.progress(key, bytes: 3 << 20, total: 10 << 20, bytesPerSecond: Double(1 << 20))
        #expect(event.text == "ROOT/v6-32-06-1: 3.0 MiB of 10.0 MiB, 1.0 MiB/s, ETA 7s")
        #expect(
            event.json
                == .object([
                    "event": .string("progress"), "package": .string("ROOT/v6-32-06-1"), "bytes": .integer(3 << 20),
                    "total": .integer(10 << 20), "bytes_per_second": .integer(1 << 20),
                    "extracted_entries": .integer(0)
                ]))
        let extracting = AreaEvent.progress(key, bytes: 3 << 20, total: 10 << 20, bytesPerSecond: Double(1 << 20), extracted: 1_200)
        #expect(extracting.text == "ROOT/v6-32-06-1: 3.0 MiB of 10.0 MiB, 1.0 MiB/s, ETA 7s, 1200 entries extracted")
        #expect(AreaEvent.progress(key, bytes: 0, total: 500, bytesPerSecond: 0).text == "ROOT/v6-32-06-1: 0 B of 500 B, 0 B/s, ETA ?")
        #expect(AreaEvent.progress(key, bytes: 0, total: 200 << 20, bytesPerSecond: Double(1 << 20)).text.hasSuffix("ETA 3m20s"))
    }

    @Test func swarmAndFallback() throws {
        let key = try PackageBuild(parsing: "ROOT/v6-32-06-1")
        #expect(AreaEvent.swarm(key, infoHash: "ab12").text == "ROOT/v6-32-06-1: joining the swarm of torrent ab12")
        #expect(
            AreaEvent.swarm(key, infoHash: "ab12").json
                == .object([
                    "event": .string("swarm"), "package": .string("ROOT/v6-32-06-1"),
                    "infohash": .string("ab12")
                ]))
        #expect(
            AreaEvent.fallback(key, reason: "torrent: stalled; falling back to HTTP").text
                == "ROOT/v6-32-06-1: torrent: stalled; falling back to HTTP")
        #expect(
            AreaEvent.fallback(key, reason: "r").json
                == .object([
                    "event": .string("fallback"), "package": .string("ROOT/v6-32-06-1"),
                    "reason": .string("r")
                ]))
    }
}
