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
            try store.save(.init(status: JobStatus(id: "j2", kind: .install, state: .queued, packages: ["zlib"], created: 11, identity: "agent"),
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
            let status = JobStatus(id: id, kind: .install, state: finished == nil ? .running : .succeeded, packages: ["P"], bytes: bytes,
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
}
