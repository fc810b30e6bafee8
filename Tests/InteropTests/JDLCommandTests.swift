import Forensics
import Basics
import Foundation
import Testing
import TestSupport

/// `alien-install jdl check|env` and `run --jdl` against a repository published by the CLI
/// (AreaCLITests' site: zlib, xz, ROOT, Python, AliPhysics for slc9_x86-64, plus `EightOnly`
/// for slc8_x86-64) served by a real nginx.
@Suite(.serialized) struct JDLCommandTests {
    static let arch = AreaCLITests.arch

    static func site(_ name: String) throws -> AreaCLITests.Site {
        let site = try AreaCLITests.site(name)
        var eightOnly = FixturePackage(name: "EightOnly", version: "v1")
        eightOnly.programs = ["eight-hello": "#!/bin/sh\necho eight\n"]
        let work = site.base.appendingPathComponent("sw8")
        try eightOnly.store(in: work, arch: "slc8_x86-64")
        let published = try CLITests.cli([
            "publish", "--repo", site.base.appendingPathComponent("repo").path, "--work-dir", work.path,
            "--arch", "slc8_x86-64", "EightOnly", "--keys-dir", site.base.appendingPathComponent("keys").path
        ])
        try #require(published.status == 0, "\(published.stderr)")
        return site
    }

    static func jdl(_ text: String, in site: AreaCLITests.Site, name: String = "job.jdl") throws -> String {
        let path = site.base.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func checkAgainstTheRepositoryDirectly() throws {
        let site = try Self.site("jdl-check")
        defer { site.stop() }
        let direct = ["--repo", site.repoURL, "--root", site.rootFile, "--arch", Self.arch]
        let good = try Self.jdl(#"Packages = {"VO_ALICE@ROOT::v6-32-06-1", "AliPhysics::latest"}; Requirements = other.TTL > 1;"#, in: site)
        let defined = try CLITests.cli(["jdl", "check", good] + direct)
        #expect(defined.status == 0, "\(defined.stdout) \(defined.stderr)")
        #expect(defined.text.contains("AliPhysics::latest → AliPhysics::v5-09-45a-01-1"))
        #expect(
            defined.text.contains(
                #"Requirements = (other.Type == "machine") && (member(other.Packages, "VO_ALICE@ROOT::v6-32-06-1")) && (member(other.Packages, "VO_ALICE@AliPhysics::v5-09-45a-01-1")) && (other.TTL > 1);"#
            ))

        let json = try CLITests.cli(["jdl", "check", good, "--json"] + direct)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        #expect(object["valid"] as? Bool == true)
        let repository = try #require(object["repository"] as? [String: Any])
        let packages = try #require(repository["packages"] as? [[String: String]])
        #expect(packages.map { $0["resolved"] } == ["VO_ALICE@ROOT::v6-32-06-1", "VO_ALICE@AliPhysics::v5-09-45a-01-1"])

        let bad = try Self.jdl(#"Packages = {"AliPhysic::v5", "ROOT::v7", "EightOnly::v1"};"#, in: site, name: "bad.jdl")
        let undefined = try CLITests.cli(["jdl", "check", bad] + direct)
        #expect(undefined.status == 1)
        #expect(undefined.text.contains("AliPhysic::v5 not defined for \(Self.arch); did you mean AliPhysics::v5-09-45a-01-1?"), "\(undefined.text)")
        #expect(undefined.text.contains("ROOT::v7 not defined for \(Self.arch); did you mean ROOT::v6-32-06-1?"))
        #expect(undefined.text.contains("EightOnly::v1 not defined for \(Self.arch); only for slc8_x86-64"))
        let badJSON = try CLITests.cli(["jdl", "check", bad, "--json"] + direct)
        #expect(badJSON.status == 1)
        #expect(badJSON.text.contains(#""status":"other-architecture""#) && badJSON.text.contains(#""valid":false"#))

        let noRepository = try CLITests.cli(["jdl", "check", good])
        #expect(noRepository.status != 0)
        #expect(noRepository.stderr.contains("--syntax-only"))
    }

    /// Every `run --jdl` is recorded in the area's usage log, with the batch system's job from the
    /// environment and the tarballs' sha256; `forensics` answers by job, package, user and time.
    @Test func runJDLRecordsWhoRanWhatAndForensicsFindsIt() throws {
        let site = try Self.site("jdl-forensics")
        defer { site.stop() }
        let area = site.area()
        let trusted = try CLITests.cli(["install", "ROOT", "--area", area, "--arch", Self.arch, "--repo", site.repoURL, "--root", site.rootFile])
        try #require(trusted.status == 0, "\(trusted.stderr)")
        let file = try Self.jdl(#"Packages = {"VO_ALICE@ROOT::latest"}; Executable = "true"; User = "aliprod";"#, in: site)
        let slurm = try Interop.run(
            CLITests.binary, ["run", "--jdl", file, "--job-id", "job-7", "--area", area, "--", "sh", "-c", "exit 4"],
            environment: ["SLURM_JOB_ID": "4711", "SLURM_CLUSTER_NAME": "hpc"])
        #expect(slurm.status == 4, "\(slurm.stderr)")
        let condorAd = site.base.appendingPathComponent(".job.ad").path
        try Data("ClusterId = 88\nProcId = 2\n".utf8).write(to: URL(fileURLWithPath: condorAd))
        let condor = try Interop.run(
            CLITests.binary, ["run", "--jdl", file, "--job-id", "job-8", "--area", area],
            environment: ["_CONDOR_JOB_AD": condorAd, "SLURM_JOB_ID": ""])
        #expect(condor.status == 0, "\(condor.stderr)")

        let byBatchJob = try CLITests.cli(["forensics", "--job", "4711", "--area", area, "--json"])
        #expect(byBatchJob.status == 0, "\(byBatchJob.stderr)")
        let lines = byBatchJob.text.split(separator: "\n")
        try #require(lines.count == 1, "\(byBatchJob.text)")
        let record = try UsageRecord(jsonLine: Array(lines[0].utf8))
        #expect(record.kind == .runJDL && record.jobID == "job-7" && record.jdlUser == "aliprod" && record.exitStatus == 4)
        #expect(record.batch == BatchJob(system: .slurm, id: "4711", cluster: "hpc"))
        #expect(record.uid == getuid())
        let root = try #require(record.packages.first { $0.id.hasPrefix("VO_ALICE@ROOT::") })
        let installRecord =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: URL(
                        fileURLWithPath:
                            "\(area)/\(Self.arch)/ROOT/v6-32-06-1/.alien-install.json"))) as? [String: Any]
        #expect(root.sha256 != nil && root.sha256 == (installRecord?["hashes"] as? [String: String])?["sha256"], "the tarball's sha256")
        #expect(record.packages.contains { $0.id.hasPrefix("VO_ALICE@zlib::") }, "the closure is recorded too")

        let byCondor = try CLITests.cli(["forensics", "--job", "88.2", "--area", area])
        #expect(byCondor.status == 0 && byCondor.text.contains("job job-8") && byCondor.text.contains("htcondor 88.2"), "\(byCondor.text)")
        let byPackage = try CLITests.cli(["forensics", "--package", "ROOT::v6-32-06", "--user", "aliprod", "--since", "1d", "--area", area])
        #expect(byPackage.text.split(separator: "\n").count == 2, "\(byPackage.text)")
        #expect(try CLITests.cli(["forensics", "--package", "ROOT::v6-30-01", "--area", area]).text.isEmpty)
        #expect(try CLITests.cli(["forensics", "--until", "2000-01-01", "--area", area]).text.isEmpty)
        let badTime = try CLITests.cli(["forensics", "--since", "yesterday", "--area", area])
        #expect(badTime.status != 0 && badTime.stderr.contains("--since: expected"), "\(badTime.stderr)")
        let noArea = try CLITests.cli(["forensics", "--area", site.base.appendingPathComponent("nowhere").path])
        #expect(noArea.status == 1 && !FileManager.default.fileExists(atPath: site.base.appendingPathComponent("nowhere").path))
    }

    @Test func runJDLHoldsALeaseWhileTheCommandRuns() throws {
        let site = try Self.site("jdl-run")
        defer { site.stop() }
        let area = site.area()
        let trusted = try CLITests.cli(["install", "zlib", "--area", area, "--arch", Self.arch, "--repo", site.repoURL, "--root", site.rootFile])
        try #require(trusted.status == 0, "\(trusted.stderr)")
        let file = try Self.jdl(#"Packages = {"VO_ALICE@ROOT::latest"}; Executable = "root-hello"; Arguments = "$1";"#, in: site)

        // Through the area's catalog (no --repo given).
        let checked = try CLITests.cli(["jdl", "check", file, "x", "--area", area])
        #expect(checked.status == 0, "\(checked.stdout) \(checked.stderr)")
        #expect(checked.text.contains("ROOT::latest → ROOT::v6-32-06-1"))

        let script = #"cat "$AREA/.alien/leases/$ALIEN_JOB_ID.json"; echo; root-hello; exit 3"#
        let run = try Interop.run(
            CLITests.binary, ["run", "--jdl", file, "x", "--job-id", "job-42", "--area", area, "--", "sh", "-c", script],
            environment: ["AREA": area])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.text.contains(#""holder":"job-42""#) && run.text.contains("ROOT/v6-32-06-1") && run.text.contains("zlib/v1.3.1-1"), "\(run.text)")
        #expect(run.text.contains("ROOT at \(area)/\(Self.arch)/ROOT/v6-32-06-1"))
        #expect(!FileManager.default.fileExists(atPath: "\(area)/.alien/leases/job-42.json"))

        // Without a command: the JDL's Executable; the package is already installed.
        let executable = try CLITests.cli(["run", "--jdl", file, "x", "--area", area])
        #expect(executable.status == 0, "\(executable.stderr)")
        #expect(executable.text == "ROOT at \(area)/\(Self.arch)/ROOT/v6-32-06-1\n")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: "\(area)/.alien/leases")) ?? []).isEmpty)

        // A command that cannot start still releases the lease.
        let missing = try CLITests.cli(["run", "--jdl", file, "x", "--job-id", "job-43", "--area", area, "--", "no-such-program-here"])
        #expect(missing.status == 127)
        #expect(!FileManager.default.fileExists(atPath: "\(area)/.alien/leases/job-43.json"))

        // SIGTERM to alien-install reaches the job; the lease goes, the status says how it ended.
        let job = Process()
        job.executableURL = CLITests.binary
        job.arguments = ["run", "--jdl", file, "x", "--job-id", "job-44", "--area", area, "--", "sleep", "600"]
        job.standardOutput = FileHandle.nullDevice
        job.standardError = FileHandle.nullDevice
        try job.start()
        let leaseFile = "\(area)/.alien/leases/job-44.json"
        for _ in 0..<6000 where !FileManager.default.fileExists(atPath: leaseFile) { usleep(50_000) }  // ≤ 300 s: a hang catcher
        #expect(FileManager.default.fileExists(atPath: leaseFile))
        job.terminate()
        job.waitUntilExit()
        #expect(job.terminationStatus == 143)
        #expect(!FileManager.default.fileExists(atPath: leaseFile))

        let env = try CLITests.cli(["jdl", "env", file, "x", "--area", area, "--arch", Self.arch, "--shell", "json"])
        #expect(env.status == 0, "\(env.stderr)")
        let changes = try #require(try JSONSerialization.jsonObject(with: env.stdout) as? [String: Any])
        #expect(changes["ROOT_ROOT"] as? String == "\(area)/\(Self.arch)/ROOT/v6-32-06-1")
        #expect(changes["ZLIB_ROOT"] as? String == "\(area)/\(Self.arch)/zlib/v1.3.1-1")

        let notInstalled = try Self.jdl(#"Packages = {"AliPhysics::latest"};"#, in: site, name: "other.jdl")
        let envMissing = try CLITests.cli(["jdl", "env", notInstalled, "--area", area, "--arch", Self.arch])
        #expect(envMissing.status == 1)
        #expect(envMissing.stderr.contains("AliPhysics") && envMissing.stderr.contains("not installed"), "\(envMissing.stderr)")
    }
}
