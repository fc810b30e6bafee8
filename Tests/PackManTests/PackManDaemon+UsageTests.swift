import Forensics
import Foundation
import Hummingbird
import HummingbirdTesting
import PackMan
import PackManAPI
import SoftwareArea
import Testing
import TestSupport

/// Uses packmand sees — `/v1/env`, a released lease, a use reported with `POST /v1/usage` — go
/// into its database (and the syslog copy to a real rsyslogd on 127.0.0.1); `GET /v1/usage`
/// answers an admin by package, job and user, and says which parameter is wrong.
@Suite struct PackManDaemonUsageTests {
    static func reported(job: String, batch: BatchJob?, user: String = "alice", packages: [String] = ["VO_ALICE@ROOT::v6-32-06-1"]) -> String {
        let record = UsageRecord(
            kind: .runJDL, started: 1_800_000_000, seconds: 4.5, exitStatus: 3, host: "wn07", uid: 1234, user: user,
            jobID: job, jdlUser: "aliprod", batch: batch,
            packages: packages.map { UsageRecord.Package(id: $0, sha256: String(repeating: "c", count: 64)) })
        return String(decoding: record.jsonLine, as: UTF8.self)
    }

    @Test func recordsEnvLeasesAndReportsAndAnswersQueries() async throws {
        let fixture = try PackManFixture("usage")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let rsyslog = try RsyslogServer()
        defer { rsyslog.stop() }
        var config = fixture.config()
        config.usage.syslog = .to(try SyslogSender.Destination(parsing: rsyslog.destination))
        let daemon = try await fixture.daemon(config)
        try await PackManFixture.app(daemon).test(.router) { client in
            let job = try await client.execute(
                uri: "/v1/install?wait=3600", method: .post, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"packages":["VO_ALICE@ROOT::v6-32-06-1"],"lease":{"holder":"job-9","ttl":600}}"#)
            ) {
                try $0.decode(JobStatus.self)
            }
            #expect(job.state == .succeeded, "\(job)")
            // An environment handed out: a use in the database, not in the area's log.
            _ = try await client.execute(uri: "/v1/env?packages=ROOT&shell=sh", method: .get) { $0.text }
            #expect(!FileManager.default.fileExists(atPath: daemon.area.layout.usageLog))
            // The job's lease released: a use naming the holder, with how long it was held.
            try await client.execute(uri: "/v1/leases", method: .delete, headers: bearer(PackManFixture.jobToken), body: json(#"{"holder":"job-9"}"#)) {
                #expect($0.status == .ok)
            }
            // Uses reported by run --jdl (Slurm, HTCondor).
            for (jobID, batch) in [("job-1", BatchJob(system: .slurm, id: "4711", cluster: "hpc")), ("job-2", BatchJob(system: .htcondor, id: "88.2"))] {
                try await client.execute(
                    uri: "/v1/usage", method: .post, headers: bearer(PackManFixture.jobToken),
                    body: json(Self.reported(job: jobID, batch: batch))
                ) { #expect($0.status == .created, "\($0.text)") }
            }

            let admin = bearer(PackManFixture.adminToken)
            let all = try await client.execute(uri: "/v1/usage", method: .get, headers: admin) { try $0.decode([UsageRecord].self) }
            #expect(all.map(\.kind.rawValue).sorted() == ["env", "lease", "run-jdl", "run-jdl"], "\(all)")
            let environment = try #require(all.first { $0.kind == .environment })
            #expect(environment.packages.map(\.id) == ["VO_ALICE@zlib::v1.3.1-1", "VO_ALICE@ROOT::v6-32-06-1"], "the closure")
            #expect(environment.packages.allSatisfy { $0.sha256?.count == 64 }, "with the tarballs' sha256")
            #expect(environment.uid == getuid())
            let lease = try #require(all.first { $0.kind == .lease })
            #expect(lease.jobID == "job-9" && lease.seconds != nil && lease.user == "agent", "\(lease)")
            #expect(lease.packages.map(\.id) == ["VO_ALICE@ROOT::v6-32-06-1"], "what the lease held")

            let bySlurm = try await client.execute(uri: "/v1/usage?job=4711", method: .get, headers: admin) { try $0.decode([UsageRecord].self) }
            #expect(bySlurm.count == 1 && bySlurm[0].jobID == "job-1" && bySlurm[0].exitStatus == 3 && bySlurm[0].batch?.cluster == "hpc")
            let byPackage = try await client.execute(uri: "/v1/usage?package=ROOT&version=v6-32-06&user=aliprod", method: .get, headers: admin) {
                try $0.decode([UsageRecord].self)
            }
            #expect(byPackage.map(\.jobID) == ["job-1", "job-2"])
            let zlib = try await client.execute(uri: "/v1/usage?package=VO_ALICE%40zlib&since=2026-01-01&limit=1", method: .get, headers: admin) {
                try $0.decode([UsageRecord].self)
            }
            #expect(zlib.map(\.kind) == [.lease] || zlib.map(\.kind) == [.environment], "the newest zlib use: \(zlib)")
            #expect(try daemon.store.usages(of: "ROOT", since: 1_799_999_999).count == 2, "the revocation alert's question")

            // The syslog copy of each use, as rsyslogd parsed it.
            let lines = rsyslog.waitForLines(4)
            #expect(lines.count == 4, "\(lines)")
            let slurmLine = try #require(lines.first { $0.contains(#"job="job-1""#) })
            #expect(slurmLine.hasPrefix("usage packmand wn07 [alienUsage@32473 kind=\"run-jdl\""), "\(slurmLine)")
            #expect(slurmLine.contains(#"batchSystem="slurm" batchJob="4711" batchCluster="hpc""#) && slurmLine.contains(#"exitStatus="3""#))
            #expect(slurmLine.contains(#"package="VO_ALICE@ROOT::v6-32-06-1 sha256:cccc"#))
        }
    }

    @Test func refusesWithoutTheRightCredentialOrWithBadParameters() async throws {
        let fixture = try PackManFixture("usage-refusals")
        defer { fixture.cleanUp() }
        var config = fixture.config()
        config.usage.syslog = .off
        let daemon = try await fixture.daemon(config)
        try await PackManFixture.app(daemon).test(.router) { client in
            let report = Self.reported(job: "job-1", batch: BatchJob(system: .lsf, id: "77[3]"))
            try await client.execute(uri: "/v1/usage", method: .post, body: json(report)) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/v1/usage", method: .get, headers: bearer(PackManFixture.jobToken)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/v1/usage", method: .get) { #expect($0.status == .unauthorized) }
            let bad: [(String, String)] = [
                ("limit=0", "limit: expected 1…10000 records, got '0'"),
                ("limit=x", "limit: expected 1…10000"),
                ("since=yesterday", "since: expected seconds since 1970"),
                ("until=2026-13-45", "until: expected"),
                ("version=v1", "version: expected together with package"),
                ("package=ROOT::v1&version=v2", "version: package 'ROOT::v1' already names a version"),
                ("package=a%20b", "package: expected NAME"),
                ("jobs=1", "jobs: unknown parameter"),
                ("job=1&job=2", "job: given twice"),
                ("user=", "user: expected a value")
            ]
            for (query, message) in bad {
                try await client.execute(uri: "/v1/usage?\(query)", method: .get, headers: bearer(PackManFixture.adminToken)) { answer in
                    #expect(answer.status == .badRequest, "\(query)")
                    #expect(answer.text.contains(message), "\(query): \(answer.text)")
                }
            }
            let malformed = [
                (report.replacingOccurrences(of: #""kind""#, with: #""sort""#), "unknown field 'sort'"),
                (report.replacingOccurrences(of: #""system":"#, with: #""kind":"#), "unknown field 'batch.kind'"),
                (#"{"host":"h","kind":"run","packages":[],"started":1,"uid":0}"#, "packages: expected 1…10000 packages"),
                (#"{"host":"h","kind":"run","packages":[{"id":"x","sha256":"zz"}],"started":1,"uid":0}"#, "sha256: expected 64 hex digits"),
                (#"{"host":"h","kind":"run","packages":[{"id":"x"}],"started":-5,"uid":0}"#, "started, seconds: expected times ≥ 0"),
                ("[1]", "expected a JSON object")
            ]
            for (body, message) in malformed {
                try await client.execute(uri: "/v1/usage", method: .post, headers: bearer(PackManFixture.jobToken), body: json(body)) { answer in
                    #expect(answer.status == .badRequest, "\(body)")
                    #expect(answer.text.contains(message), "\(body): \(answer.text)")
                }
            }
            #expect(try daemon.store.usageCount() == 0)
        }
    }

    @Test func retentionIsAppliedFromTheConfig() async throws {
        let fixture = try PackManFixture("usage-retention")
        defer { fixture.cleanUp() }
        var config = fixture.config()
        config.usage.retentionDays = 1
        config.usage.maxRows = 100
        config.usage.syslog = .off
        let daemon = try await fixture.daemon(config)
        let now = daemon.area.clock()
        for age in [3 * 86400, 2 * 86400, 3600, 60] as [Int64] {
            daemon.recordUse(UsageRecord(kind: .run, started: now - age, host: "h", uid: 1, packages: [UsageRecord.Package(id: "VO_ALICE@x::1-1")]))
        }
        for index in 0..<150 {
            daemon.recordUse(
                UsageRecord(kind: .run, started: now - 30 + Int64(index % 2), host: "h", uid: 1, packages: [UsageRecord.Package(id: "VO_ALICE@y::1-1")]))
        }
        daemon.pruneUsage()
        #expect(try daemon.store.usageCount() == 100)
        #expect(try daemon.store.usages(of: "x").isEmpty, "older than a day, or beyond the newest 100")
    }

    /// Uses the CLI wrote to the area's log (no token needed for that) reach the database:
    /// each once, however often the import runs, and `GET /v1/usage` imports before answering.
    @Test func importsTheAreasLogOnce() async throws {
        let fixture = try PackManFixture("usage-import")
        defer { fixture.cleanUp() }
        var config = fixture.config()
        config.usage.syslog = .off
        let daemon = try await fixture.daemon(config)
        let log = UsageLog(path: daemon.area.layout.usageLog)
        func use(_ job: String) throws {
            try log.append(
                UsageRecord(
                    kind: .run, started: 1_800_000_000, host: "wn01", uid: 1000, user: "bob", jobID: job,
                    packages: [UsageRecord.Package(id: "VO_ALICE@ROOT::v6-32-06-1")]), now: 1_800_000_000)
        }
        try use("cli-1")
        try use("cli-2")
        #expect(daemon.importAreaUsage().isEmpty)
        #expect(daemon.importAreaUsage().isEmpty)
        #expect(try daemon.store.usages(of: "ROOT").map(\.jobID) == ["cli-1", "cli-2"])
        try use("cli-3")
        try await PackManFixture.app(daemon).test(.router) { client in
            let rows = try await client.execute(uri: "/v1/usage?package=ROOT", method: .get, headers: bearer(PackManFixture.adminToken)) {
                try $0.decode([UsageRecord].self)
            }
            #expect(rows.map(\.jobID) == ["cli-1", "cli-2", "cli-3"])
        }
    }
}
