import Forensics
import Foundation
import PackMan
import Testing

@Suite struct StateStoreUsageTests {
    static func store() throws -> (StateStore, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-usage-\(UUID().uuidString)").path
        return (try StateStore(path: "\(directory)/state.sqlite"), directory)
    }

    static let rootSHA = String(repeating: "a", count: 64), zlibSHA = String(repeating: "b", count: 64)

    static func use(
        _ kind: UsageRecord.Kind = .runJDL, at started: Int64, job: String? = nil, batch: BatchJob? = nil, uid: UInt32 = 1000,
        user: String? = "alice", jdlUser: String? = nil, packages: [(String, String?)]
    ) -> UsageRecord {
        UsageRecord(
            kind: kind, started: started, seconds: 2.5, exitStatus: kind == .runJDL ? 0 : nil, host: "wn01", uid: uid, user: user,
            jobID: job, jdlUser: jdlUser, batch: batch, packages: packages.map { UsageRecord.Package(id: $0.0, sha256: $0.1) })
    }

    /// Five uses of ROOT and zlib by two users in Slurm and HTCondor jobs, asked by package
    /// (name, version, revision, VO), by grid and batch job, by user, uid and JDL user, by time.
    @Test func answersByPackageJobUserAndTime() throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let root6 = ("VO_ALICE@ROOT::v6-32-06-1", Self.rootSHA), root6b = ("VO_ALICE@ROOT::v6-32-06-2", nil as String?)
        let zlib = ("VO_ALICE@zlib::v1.3.1-1", Self.zlibSHA), other = ("VO_CMS@ROOT::v6-32-06-1", nil as String?)
        try store.record(
            usage: Self.use(
                at: 100, job: "job-1", batch: BatchJob(system: .slurm, id: "4711", cluster: "hpc"), jdlUser: "aliprod",
                packages: [root6, zlib]))
        try store.record(usage: Self.use(at: 200, job: "job-2", batch: BatchJob(system: .htcondor, id: "88.2"), packages: [root6b, zlib]))
        try store.record(usage: Self.use(.environment, at: 300, uid: 2000, user: "bob", packages: [zlib]))
        try store.record(usage: Self.use(.lease, at: 400, job: "job-3", uid: 2000, user: "bob", packages: [other]))
        try store.record(usage: Self.use(.run, at: 500, user: nil, packages: [root6]))
        #expect(try store.usageCount() == 5)

        func started(_ query: UsageQuery, limit: Int = 1000) throws -> [Int64] { try store.usages(matching: query, limit: limit).map(\.started) }
        #expect(try started(UsageQuery()) == [100, 200, 300, 400, 500], "oldest first")
        #expect(try started(UsageQuery(package: "ROOT")) == [100, 200, 400, 500])
        #expect(try started(UsageQuery(package: "ROOT::v6-32-06")) == [100, 200, 400, 500], "a version: any revision")
        #expect(try started(UsageQuery(package: "ROOT::v6-32-06-2")) == [200])
        #expect(try started(UsageQuery(package: "VO_ALICE@ROOT")) == [100, 200, 500])
        #expect(try started(UsageQuery(package: "ROOT::v6-30-01")).isEmpty)
        #expect(try started(UsageQuery(package: "zlib", since: 150, until: 300)) == [200], "until is exclusive")
        #expect(try started(UsageQuery(job: "4711")) == [100], "the batch system's job id")
        #expect(try started(UsageQuery(job: "job-2")) == [200], "the grid job id")
        #expect(try started(UsageQuery(job: "88.2")) == [200])
        #expect(try started(UsageQuery(user: "bob")) == [300, 400])
        #expect(try started(UsageQuery(user: "1000")) == [100, 200, 500], "a uid")
        #expect(try started(UsageQuery(user: "aliprod")) == [100], "the JDL's user")
        #expect(try started(UsageQuery(package: "ROOT", user: "alice")) == [100, 200])
        #expect(try started(UsageQuery(), limit: 2) == [400, 500], "the newest, oldest first")

        // The full record comes back as it went in.
        let first = try #require(try store.usages(matching: UsageQuery(job: "4711")).first)
        #expect(
            first
                == Self.use(
                    at: 100, job: "job-1", batch: BatchJob(system: .slurm, id: "4711", cluster: "hpc"), jdlUser: "aliprod",
                    packages: [root6, zlib]))

        // What a revocation alert asks: by package and time, by the tarball's sha256.
        #expect(try store.usages(of: "ROOT::v6-32-06-1", since: 150).map(\.started) == [400, 500])
        #expect(try store.usages(of: "VO_ALICE@ROOT::v6-32-06-1", since: 150).map(\.started) == [500])
        #expect(try store.usages(ofTarballSHA256: Self.rootSHA.uppercased()).map(\.started) == [100, 500])
        #expect(try store.usages(ofTarballSHA256: Self.zlibSHA, since: 250).map(\.started) == [300])
    }

    @Test func retentionPrunesByAgeAndByCount() throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for time in 1...10 {
            try store.record(usage: Self.use(at: Int64(time) * 100, job: "job-\(time)", packages: [("VO_ALICE@zlib::v1-1", Self.zlibSHA)]))
        }
        #expect(try store.pruneUsage(before: 350, keepRows: 100) == 3)
        #expect(try store.usages(matching: UsageQuery()).map(\.started) == [400, 500, 600, 700, 800, 900, 1000])
        #expect(try store.pruneUsage(before: 0, keepRows: 4) == 3)
        #expect(try store.usages(matching: UsageQuery()).map(\.started) == [700, 800, 900, 1000])
        // The packages of pruned uses go with them (no orphan answers by sha256 or name).
        #expect(try store.usages(ofTarballSHA256: Self.zlibSHA).count == 4)
        #expect(try store.usages(of: "zlib").count == 4)
        #expect(try store.pruneUsage(before: 0, keepRows: 4) == 0)
    }

    @Test func recordsSurviveReopeningAndLimitsAreBounded() throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try store.record(usage: Self.use(at: 1, packages: [("VO_ALICE@ROOT::v1-1", nil)]))
        let reopened = try StateStore(path: store.path)
        #expect(try reopened.usages(matching: UsageQuery(package: "ROOT"), limit: 0).count == 1, "a limit below 1 is 1")
        #expect(try reopened.usages(matching: UsageQuery(package: "ROOT"), limit: .max).count == 1)
    }
}
