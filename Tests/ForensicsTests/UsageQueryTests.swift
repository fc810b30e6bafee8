import Testing
@testable import Forensics

@Suite struct UsageQueryTests {
    @Test(arguments: [
        ("ROOT", true), ("ROOT::v6-32-06", true), ("ROOT::v6-32-06-1", true), ("VO_ALICE@ROOT::v6-32-06", true), ("VO_ALICE@ROOT", true),
        ("ROOT::v6-32", false), ("ROOT::v6-32-06-2", false), ("VO_PANDA@ROOT", false), ("RO", false), ("ROOTX", false), ("AliPhysics", false)
    ])
    func packagesMatchByNameVersionAndVO(wanted: String, matches: Bool) {
        #expect(UsageQuery.package("VO_ALICE@ROOT::v6-32-06-1", matches: wanted) == matches)
    }

    @Test func everyCriterionGivenMustMatch() {
        let record = UsageRecordTests.record(started: 1_000, user: "alice", job: "42", batch: BatchJob(system: .htcondor, id: "1234.7"))
        #expect(UsageQuery().matches(record))
        #expect(UsageQuery(since: 1_000, until: 1_001).matches(record))
        #expect(!UsageQuery(since: 1_001).matches(record))
        #expect(!UsageQuery(until: 1_000).matches(record), "until is exclusive")
        #expect(UsageQuery(job: "42").matches(record))
        #expect(UsageQuery(job: "1234.7").matches(record), "the batch system's id names the job too")
        #expect(!UsageQuery(job: "43").matches(record))
        #expect(UsageQuery(user: "alice").matches(record))
        #expect(UsageQuery(user: "1000").matches(record), "the uid")
        #expect(UsageQuery(user: "aliprod").matches(record), "the JDL's user")
        #expect(!UsageQuery(user: "bob").matches(record))
        #expect(UsageQuery(package: "ROOT", job: "42", user: "alice").matches(record))
        #expect(!UsageQuery(package: "GEANT4", job: "42").matches(record))
    }

    /// A sha256 names the tarball a package was installed from (any case); with a package, the
    /// same package must have both.
    @Test func aTarballsSHA256MatchesThePackageInstalledFromIt() {
        var record = UsageRecordTests.record(packages: ["VO_ALICE@zlib::v1.3.1-1", "VO_ALICE@ROOT::v6-32-06-1"])
        record.packages[0].sha256 = String(repeating: "b", count: 64)
        #expect(UsageQuery(sha256: String(repeating: "A", count: 64)).matches(record))
        #expect(UsageQuery(package: "VO_ALICE@ROOT::v6-32-06-1", sha256: String(repeating: "a", count: 64)).matches(record))
        #expect(!UsageQuery(package: "VO_ALICE@zlib::v1.3.1-1", sha256: String(repeating: "a", count: 64)).matches(record), "another package's")
        #expect(!UsageQuery(sha256: String(repeating: "c", count: 64)).matches(record))
    }
}

@Suite struct UsageQueryTimeTests {
    @Test(arguments: [
        ("1733400000", Int64(1_733_400_000)), ("2024-12-05", Int64(1_733_356_800)), ("2024-12-05T19:00:00Z", Int64(1_733_425_200)),
        ("90m", Int64(10_000 - 5_400)), ("2h", Int64(10_000 - 7_200)), ("1d", Int64(10_000 - 86_400))
    ])
    func readsWhatAnAdminTypes(text: String, expected: Int64) {
        #expect(UsageQuery.time(text, now: 10_000) == expected)
    }

    @Test(arguments: ["", "yesterday", "2024-13-01", "2024-12-05T25:00:00Z", "2024-12-05T19:00:00", "-5", "5w", "2024-1-5"])
    func refusesAnythingElse(text: String) {
        #expect(UsageQuery.time(text, now: 10_000) == nil)
    }
}
