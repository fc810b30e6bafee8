import Forensics
import Foundation
import PackManAPI
import Testing
import TestSupport

/// Who ran what, where, with real processes: jobs (`run --jdl` under fake Slurm and HTCondor
/// environments) on an area a real packmand serves, their uses in packmand's database, found by
/// `alien-install forensics` and `GET /v1/usage` by package, job and user, and their syslog
/// copies as a real rsyslogd on 127.0.0.1 parsed them; without packmand, the CLI's own copy.
@Suite(.serialized) struct ForensicsCommandTests {
    static let arch = AreaCLITests.arch

    @Test func jobsUnderPackmandAreFoundByPackageJobAndUser() throws {
        let site = try AreaCLITests.site("forensics-packmand")
        defer { site.stop() }
        let rsyslog = try RsyslogServer()
        defer { rsyslog.stop() }
        let daemon = try PackmandTests.start(site, extra: "usage:\n  syslog: \(rsyslog.destination)\n  retention_days: 30\n")
        defer { daemon.stop() }
        let jobToken = site.base.appendingPathComponent("job-token"), adminToken = site.base.appendingPathComponent("admin-token")
        try "\(PackmandProcess.jobToken)\n".write(to: jobToken, atomically: true, encoding: .utf8)
        try "\(PackmandProcess.adminToken)\n".write(to: adminToken, atomically: true, encoding: .utf8)
        let file = site.base.appendingPathComponent("job.jdl")
        try #"Packages = {"VO_ALICE@ROOT::latest"}; Executable = "true"; User = "aliprod";"#.write(to: file, atomically: true, encoding: .utf8)
        let area = site.area()
        let condorAd = site.base.appendingPathComponent(".job.ad")
        try Data("GlobalJobId = \"schedd.example.org#88.2#1800000000\"\nClusterId = 88\nProcId = 2\n".utf8).write(to: condorAd)

        let slurm = try Interop.run(
            CLITests.binary, ["run", "--jdl", file.path, "--job-id", "job-7", "--area", area, "--", "sh", "-c", "exit 4"],
            environment: ["ALIEN_PACKMAN_TOKEN_FILE": jobToken.path, "SLURM_JOB_ID": "4711", "SLURM_CLUSTER_NAME": "hpc"])
        #expect(slurm.status == 4, "\(slurm.stderr)")
        let condor = try Interop.run(
            CLITests.binary, ["run", "--jdl", file.path, "--job-id", "job-8", "--area", area],
            environment: ["ALIEN_PACKMAN_TOKEN_FILE": jobToken.path, "_CONDOR_JOB_AD": condorAd.path, "SLURM_JOB_ID": ""])
        #expect(condor.status == 0, "\(condor.stderr)")
        #expect(!slurm.stderr.contains("not recorded") && !condor.stderr.contains("packmand did not take"), "\(slurm.stderr) \(condor.stderr)")
        // The uses went to packmand, not into the area's log.
        #expect(!FileManager.default.fileExists(atPath: "\(area)/.alien/usage.log"))

        // GET /v1/usage: by job (grid and batch), by package, by user; a job token may not ask.
        let admin = try daemon.client(PackmandProcess.adminToken, unix: true)
        let bySlurm = try admin.usage(UsageQuery(job: "4711"))
        try #require(bySlurm.count == 1, "\(bySlurm)")
        #expect(bySlurm[0].kind == .runJDL && bySlurm[0].jobID == "job-7" && bySlurm[0].exitStatus == 4 && bySlurm[0].jdlUser == "aliprod")
        #expect(bySlurm[0].batch == BatchJob(system: .slurm, id: "4711", cluster: "hpc") && bySlurm[0].uid == getuid())
        let installRecord =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: URL(
                        fileURLWithPath:
                            "\(area)/\(Self.arch)/ROOT/v6-32-06-1/.alien-install.json"))) as? [String: Any]
        let rootSHA = try #require((installRecord?["hashes"] as? [String: String])?["sha256"])
        #expect(bySlurm[0].packages.contains(UsageRecord.Package(id: "VO_ALICE@ROOT::v6-32-06-1", sha256: rootSHA)), "\(bySlurm[0].packages)")
        #expect(try admin.usage(UsageQuery(job: "schedd.example.org#88.2#1800000000")).map(\.jobID) == ["job-8"])
        // Each job also released its lease: a `lease` use naming the job, and how long it was held.
        let byPackage = try admin.usage(UsageQuery(package: "ROOT::v6-32-06"))
        #expect(byPackage.map(\.kind.rawValue).sorted() == ["lease", "lease", "run-jdl", "run-jdl"], "\(byPackage)")
        #expect(byPackage.filter { $0.kind == .lease }.allSatisfy { $0.seconds != nil && ["job-7", "job-8"].contains($0.jobID ?? "") })
        #expect(try admin.usage(UsageQuery(user: "aliprod")).map(\.jobID) == ["job-7", "job-8"])
        #expect(try admin.usage(UsageQuery(package: "AliPhysics")).isEmpty)
        #expect(throws: PackManClientError.self) { try daemon.client().usage(UsageQuery()) }

        // alien-install forensics asks the packmand serving the area (admin token), same output as from the log.
        let forensics = ["ALIEN_PACKMAN_TOKEN_FILE": adminToken.path]
        let byJob = try Interop.run(CLITests.binary, ["forensics", "--job", "4711", "--area", area], environment: forensics)
        #expect(byJob.status == 0, "\(byJob.stderr)")
        #expect(
            byJob.text.contains(" run-jdl ") && byJob.text.contains("job job-7 for aliprod slurm 4711 exit 4")
                && byJob.text.contains("VO_ALICE@ROOT::v6-32-06-1"), "\(byJob.text)")
        let asJSON = try Interop.run(
            CLITests.binary, ["forensics", "--package", "ROOT", "--user", "aliprod", "--json", "--area", area],
            environment: forensics)
        let records = try asJSON.text.split(separator: "\n").map { try UsageRecord(jsonLine: Array($0.utf8)) }
        #expect(records.map(\.jobID) == ["job-7", "job-8"] && records[1].batch?.system == .htcondor, "\(asJSON.text) \(asJSON.stderr)")
        // A job token may not read the records: the command says so and shows the area's log (empty).
        let refused = try Interop.run(
            CLITests.binary, ["forensics", "--package", "ROOT", "--area", area],
            environment: ["ALIEN_PACKMAN_TOKEN_FILE": jobToken.path])
        #expect(refused.status == 0 && refused.text.isEmpty && refused.stderr.contains("HTTP 403"), "\(refused.stderr)")

        // The syslog copies, as rsyslogd parsed their structured data: two jobs, two leases.
        let lines = rsyslog.waitForLines(4)
        #expect(lines.count == 4, "\(lines)")
        let slurmLine = try #require(lines.first { $0.contains(#"kind="run-jdl""#) && $0.contains(#"job="job-7""#) }, "\(lines)")
        #expect(slurmLine.hasPrefix("usage packmand "), "\(slurmLine)")
        #expect(slurmLine.contains(#"uid="\#(getuid())""#) && slurmLine.contains(#"jdlUser="aliprod""#))
        #expect(slurmLine.contains(#"batchSystem="slurm" batchJob="4711" batchCluster="hpc""#) && slurmLine.contains(#"exitStatus="4""#))
        #expect(slurmLine.contains(#"package="VO_ALICE@ROOT::v6-32-06-1 sha256:\#(rootSHA)""#), "\(slurmLine)")
        #expect(lines.contains { $0.contains(#"kind="run-jdl""#) && $0.contains(#"batchSystem="htcondor" batchJob="schedd.example.org#88.2#1800000000""#) })
        #expect(lines.filter { $0.contains(#"kind="lease""#) }.count == 2)
    }

    /// A site without packmand: the area's log keeps the record, config.json's `syslog` key sends the copy.
    @Test func withoutPackmandTheAreaSendsItsOwnSyslogCopy() throws {
        let site = try AreaCLITests.site("forensics-area-syslog")
        defer { site.stop() }
        let rsyslog = try RsyslogServer()
        defer { rsyslog.stop() }
        let area = site.area()
        let installed = try CLITests.cli(["install", "zlib", "--area", area, "--arch", Self.arch, "--repo", site.repoURL, "--root", site.rootFile])
        try #require(installed.status == 0, "\(installed.stderr)")
        let configPath = "\(area)/.alien/config.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any])
        config["syslog"] = rsyslog.destination
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let file = site.base.appendingPathComponent("job.jdl")
        try #"Packages = {"VO_ALICE@zlib::latest"}; Executable = "true"; User = "aliprod";"#.write(to: file, atomically: true, encoding: .utf8)
        let run = try Interop.run(
            CLITests.binary, ["run", "--jdl", file.path, "--job-id", "job-5", "--area", area],
            environment: ["PBS_JOBID": "123.pbs01", "SLURM_JOB_ID": ""])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = rsyslog.waitForLines(1)
        #expect(lines.count == 1 && lines[0].hasPrefix("usage alien-install "), "\(lines)")
        #expect(lines.first?.contains(#"job="job-5""#) == true && lines.first?.contains(#"batchSystem="pbs" batchJob="123.pbs01""#) == true)
        let found = try CLITests.cli(["forensics", "--job", "123.pbs01", "--area", area])
        #expect(found.status == 0 && found.text.contains("job job-5 for aliprod pbs 123.pbs01 exit 0"), "\(found.text) \(found.stderr)")

        // A destination that is not one is refused naming the key.
        config["syslog"] = "tcp://127.0.0.1:1"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let refused = try CLITests.cli(["forensics", "--area", area])
        #expect(refused.status != 0 && refused.stderr.contains("syslog: expected off, a socket path"), "\(refused.stderr)")
    }
}
