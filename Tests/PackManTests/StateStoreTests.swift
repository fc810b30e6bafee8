import Foundation
import PackMan
import PackManAPI
import Testing

@Suite struct StateStoreTests {
    @Test func jobsAuditAndLogsSurviveReopening() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alien-state-\(UUID().uuidString)/state.sqlite").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        do {
            let store = try StateStore(path: path)
            let job = JobStatus(id: "j1", kind: .install, state: .running, packages: ["ROOT"], created: 10, identity: "agent")
            try store.save(.init(status: job, lease: LeaseSpec(holder: "h", ttl: 60), removeUndefined: false))
            try store.save(
                .init(
                    status: JobStatus(id: "j2", kind: .install, state: .queued, packages: ["zlib"], created: 11, identity: "agent"),
                    lease: nil, removeUndefined: false))
            try store.audit(AuditEntry(time: 12, identity: "agent", action: "install", subject: "ROOT", result: "accepted", job: "j1"))
            try store.log(package: "ROOT/v1-1", job: "j1", time: 13, text: "installed")
        }
        let reopened = try StateStore(path: path)
        let left = try reopened.jobs(states: [.queued, .running])
        #expect(left.map(\.status.id) == ["j1", "j2"] && left.first?.lease == LeaseSpec(holder: "h", ttl: 60))
        #expect(try reopened.job("j1")?.status.packages == ["ROOT"])
        #expect(try reopened.job("nope") == nil)
        #expect(try reopened.auditLog().map(\.result) == ["accepted"])
        #expect(try reopened.log(package: "ROOT/v1-1").map(\.text) == ["installed"])
        // WAL mode (readers never wait for the writer).
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    /// What the throughput alert reads: jobs that downloaded something and finished in the window.
    @Test func downloadsOfJobsFinishedSinceATime() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alien-state-\(UUID().uuidString)/state.sqlite").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try StateStore(path: path)
        func save(_ id: String, bytes: Int64, created: Int64, finished: Int64?) throws {
            let status = JobStatus(
                id: id, kind: .install, state: finished == nil ? .running : .succeeded, packages: ["P"], bytes: bytes,
                created: created, finished: finished, identity: "agent")
            try store.save(.init(status: status, lease: nil, removeUndefined: false))
        }
        try save("old", bytes: 100, created: 10, finished: 20)
        try save("nothing-downloaded", bytes: 0, created: 100, finished: 110)
        try save("running", bytes: 50, created: 100, finished: nil)
        try save("a", bytes: 1000, created: 100, finished: 104)
        try save("b", bytes: 3000, created: 101, finished: 110)
        let found = try store.downloads(finishedSince: 50)
        #expect(found.map(\.bytes) == [3000, 1000] && found.map(\.seconds) == [9, 4])
    }

    /// The status page's history: jobs by the hour they finished in, disk samples kept a week.
    @Test func hourlyJobsAndDiskSamples() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alien-state-\(UUID().uuidString)/state.sqlite").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try StateStore(path: path)
        let now: Int64 = 100 * 3600 + 1800
        func save(_ id: String, _ state: JobState, bytes: Int64, created: Int64, finished: Int64) throws {
            try store.save(
                .init(
                    status: JobStatus(
                        id: id, kind: .install, state: state, packages: ["P"], bytes: bytes, created: created,
                        finished: finished, identity: "agent"), lease: nil, removeUndefined: false))
        }
        try save("this-hour", .succeeded, bytes: 600, created: now - 10, finished: now - 4)
        try save("failed-this-hour", .failed, bytes: 0, created: now - 100, finished: now - 50)
        try save("an-hour-ago", .succeeded, bytes: 100, created: now - 3600, finished: now - 3600)
        try save("too-old", .succeeded, bytes: 1, created: now - 30 * 3600, finished: now - 30 * 3600)
        let hours = try store.hours(until: now)
        #expect(hours.count == 24 && hours.last?.start == 100 * 3600 && hours.first?.start == 77 * 3600)
        #expect(hours[23].succeeded == 1 && hours[23].failed == 1 && hours[23].bytes == 600 && hours[23].throughput == 100)
        #expect(hours[22].succeeded == 1 && hours[22].throughput == 100, "a job of 0 s counts as 1 s")
        #expect(hours.dropLast(2).allSatisfy { $0.succeeded == 0 && $0.failed == 0 && $0.bytes == 0 })

        try store.recordDiskSample(time: now - StateStore.historyRetention - 1, used: 1, budget: nil)
        try store.recordDiskSample(time: now - 60, used: 5, budget: 10)
        try store.recordDiskSample(time: now, used: 7, budget: 10)
        #expect(try store.diskSamples(since: 0).map(\.used) == [5, 7], "older than the retention: forgotten")
        #expect(try store.diskSamples(since: now).map(\.budget) == [10])
    }
}
