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
}
