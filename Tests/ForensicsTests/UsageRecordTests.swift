import Foundation
import Testing
@testable import Forensics

@Suite struct UsageRecordTests {
    static func record(
        kind: UsageRecord.Kind = .runJDL, started: Int64 = 1_733_400_000, user: String? = "alice", job: String? = "42",
        batch: BatchJob? = BatchJob(system: .slurm, id: "4711"), packages: [String] = ["VO_ALICE@ROOT::v6-32-06-1"]
    ) -> UsageRecord {
        UsageRecord(
            kind: kind, started: started, seconds: 12.5, exitStatus: 0, host: "wn01.example.org", uid: 1000, user: user, jobID: job,
            jdlUser: "aliprod", batch: batch, vo: "ALICE", packages: packages.map { UsageRecord.Package(id: $0, sha256: String(repeating: "a", count: 64)) })
    }

    @Test func isOneSortedJSONLineThatReadsBack() throws {
        let record = Self.record()
        let line = record.jsonLine
        #expect(line.last == 0x0A)
        #expect(!line.dropLast().contains(0x0A))
        let text = String(decoding: line, as: UTF8.self)
        #expect(
            text.hasPrefix(
                #"{"batch":{"id":"4711","system":"slurm"},"exit_status":0,"host":"wn01.example.org","jdl_user":"aliprod","job_id":"42","kind":"run-jdl""#))
        #expect(try UsageRecord(jsonLine: line.dropLast()) == record)
        // Fields that are unknown are absent, not null.
        let bare = UsageRecord(kind: .environment, started: 1, host: "h", uid: 0, packages: [])
        #expect(String(decoding: bare.jsonLine, as: UTF8.self) == #"{"host":"h","kind":"env","packages":[],"started":1,"uid":0}"# + "\n")
        #expect(try UsageRecord(jsonLine: bare.jsonLine) == bare)
    }

    @Test func malformedLinesAreRefused() {
        for line in [#"{"kind":"run"}"#, #"{"host":"h","kind":"nope","packages":[],"started":1,"uid":0}"#, "not json", ""] {
            #expect(throws: (any Error).self, "\(line)") { try UsageRecord(jsonLine: Array(line.utf8)) }
        }
    }

    /// What a revocation alert says of the uses: the count and the newest few, newest first.
    @Test func summaryNamesTheCountAndTheLatestUses() {
        #expect(UsageRecord.summary(of: []) == "no recorded use here")
        let uses = (0..<7).map { Self.record(started: 1_733_400_000 + Int64($0) * 60, job: "j\($0)") }
        #expect(
            UsageRecord.summary(of: Array(uses.prefix(2)))
                == "used here 2 time(s), the latest: job j1 (alice@wn01.example.org, 2024-12-05T12:01:00Z), job j0 (alice@wn01.example.org, 2024-12-05T12:00:00Z)"
        )
        let many = UsageRecord.summary(of: uses, named: 2, counted: 7)
        #expect(many.hasPrefix("used here 7+ time(s), the latest: job j6 ") && many.hasSuffix(", …") && !many.contains("j4"), "\(many)")
        var anonymous = Self.record(user: nil, job: nil)
        anonymous.kind = .environment
        #expect(UsageRecord.summary(of: [anonymous]) == "used here 1 time(s), the latest: env (uid 1000@wn01.example.org, 2024-12-05T12:00:00Z)")
    }
}
