import Foundation
import PackManAPI
import Testing
import TestSupport

/// One real packmand serving two VOs, each from its own repository (published by the CLI with
/// its own keys, served by its own nginx): the same package name, version and bytes in both
/// install as two packages in two areas; a package only A publishes is never B's; a token
/// limited to A gets 403 on B; a job killed in B's area resumes there after a restart.
@Suite(.serialized) struct PackmandVOsTests {
    static let arch = AreaCLITests.arch
    static let limitedToken = "token-for-vo-a-only"

    static func start(_ a: AreaCLITests.Site, _ b: AreaCLITests.Site) throws -> PackmandProcess {
        let extra = """
            vo: VO_A
            vos:
              VO_B:
                area: \(b.area())
                repository: \(b.repoURL)
                trusted_root: \(b.rootFile)

            """
        return try PackmandProcess(
            directory: a.base, area: a.area(), arch: arch, repository: a.repoURL, rootFile: a.rootFile, extra: extra,
            tokens: "onlyA job \(PackmandProcess.sha256(limitedToken)) vos=VO_A\n")
    }

    /// `alien-install packman ARGS` against the daemon's socket with the job token.
    static func packman(_ daemon: PackmandProcess, _ arguments: [String], token: String = PackmandProcess.jobToken) throws -> Interop.Result {
        let tokenFile = daemon.directory.appendingPathComponent("token-\(UUID().uuidString)")
        try "\(token)\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        return try AreaCLITests.cli(["packman"] + arguments + ["--packman", "unix:" + daemon.socket, "--token-file", tokenFile.path])
    }

    /// Publishes PandaRoot v1 (its own program) into `site`'s repository with its keys.
    static func publishOnly(in site: AreaCLITests.Site) throws {
        var panda = FixturePackage(name: "PandaRoot", version: "v1")
        AreaCLITests.program(&panda)
        let workDir = site.base.appendingPathComponent("sw-panda")
        try panda.store(in: workDir, arch: arch)
        let published = try AreaCLITests.cli([
            "publish", "--repo", site.base.appendingPathComponent("repo").path, "--work-dir", workDir.path, "PandaRoot",
            "--keys-dir", site.base.appendingPathComponent("keys").path
        ])
        try #require(published.status == 0, "\(published.stderr)")
    }

    @Test func twoRepositoriesWithDifferentKeysOnePackmand() throws {
        let a = try AreaCLITests.site("vo-a"), b = try AreaCLITests.site("vo-b")
        defer { a.stop(); b.stop() }
        try Self.publishOnly(in: a)
        let daemon = try Self.start(a, b)
        defer { daemon.stop() }

        // The same name, version and bytes in both VOs: two installs, two areas, each from its repository.
        let installA = try Self.packman(daemon, ["install", "VO_A@zlib::v1.3.1-1", "--json"])
        #expect(installA.status == 0, "\(installA.text) \(installA.stderr)")
        let installB = try Self.packman(daemon, ["install", "--vo", "VO_B", "zlib::v1.3.1-1", "--json"])
        #expect(installB.status == 0, "\(installB.text) \(installB.stderr)")
        #expect(installB.text.contains(#""vo" : "VO_B""#), "\(installB.text)")
        let zlibInA = "\(a.area())/\(Self.arch)/zlib/v1.3.1-1", zlibInB = "\(b.area())/\(Self.arch)/zlib/v1.3.1-1"
        #expect(FileManager.default.fileExists(atPath: zlibInA) && FileManager.default.fileExists(atPath: zlibInB))
        // Each VO's copy came from its own repository, once; the same bytes (targets are named by their sha256).
        let zlibA = a.tarballDownloads.filter { $0.key.contains(".zlib-") }, zlibB = b.tarballDownloads.filter { $0.key.contains(".zlib-") }
        #expect(zlibA.count == 1 && zlibA.values.allSatisfy { $0 == 1 }, "\(a.tarballDownloads)")
        #expect(zlibB == zlibA, "\(b.tarballDownloads)")
        #expect(
            try Interop.run(URL(fileURLWithPath: "\(zlibInB)/bin/zlib-hello"), []).text == "zlib at \(zlibInB)\n",
            "B's copy is relocated into B's area")
        let listed = try Self.packman(daemon, ["listInstalled", "--json"])
        let installed = try JSONDecoder().decode([InstalledInfo].self, from: Data(listed.text.utf8))
        #expect(installed.map(\.id) == ["VO_A@zlib::v1.3.1-1", "VO_B@zlib::v1.3.1-1"] && installed.map(\.vo) == ["VO_A", "VO_B"], "\(installed)")
        let onlyB = try Self.packman(daemon, ["listInstalled", "--vo", "VO_B"])
        #expect(onlyB.text == "VO_B@zlib::v1.3.1-1\n", "\(onlyB.text)")

        // A package only A publishes: A's to install, never B's (B's repository does not define it).
        let pandaAsB = try Self.packman(daemon, ["install", "VO_B@PandaRoot::v1-1"])
        #expect(pandaAsB.status == 1 && pandaAsB.text.contains("failed") && pandaAsB.text.contains("PandaRoot"), "\(pandaAsB.text) \(pandaAsB.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(b.area())/\(Self.arch)/PandaRoot"))
        #expect(b.server.accessLogLines.allSatisfy { !$0.contains("PandaRoot") }, "nothing of A's asked of B's repository")
        #expect(!a.tarballDownloads.keys.contains { $0.contains(".PandaRoot-") }, "nor fetched from A's for B")
        let pandaAsA = try Self.packman(daemon, ["install", "PandaRoot::v1-1"])
        #expect(pandaAsA.status == 0, "\(pandaAsA.text) \(pandaAsA.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(a.area())/\(Self.arch)/PandaRoot/v1-1"))
        let unknown = try Self.packman(daemon, ["install", "VO_C@zlib"])
        #expect(unknown.status != 0 && unknown.stderr.contains("VO_C is not a VO of this site (known: VO_A, VO_B)"), "\(unknown.stderr)")

        // A token limited to VO_A: 403 on B's packages, fine on A's.
        let refused = try Self.packman(daemon, ["install", "VO_B@xz"], token: Self.limitedToken)
        #expect(refused.status != 0 && refused.stderr.contains("HTTP 403") && refused.stderr.contains("limited to VO_A"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(b.area())/\(Self.arch)/xz"))
        let allowed = try Self.packman(daemon, ["install", "VO_A@xz"], token: Self.limitedToken)
        #expect(allowed.status == 0, "\(allowed.text) \(allowed.stderr)")

        // The audit log carries the VO.
        let audit = try Self.packman(daemon, ["audit", "--vo", "VO_B", "--json"])
        let entries = try JSONDecoder().decode([AuditEntry].self, from: Data(audit.text.utf8))
        #expect(entries.allSatisfy { $0.vo == "VO_B" } && entries.contains { $0.identity.hasPrefix("onlyA") && $0.result.hasPrefix("denied") }, "\(entries)")
        #expect(entries.contains { $0.action == "install" && $0.subject == "VO_B@zlib::v1.3.1-1" && $0.result == "succeeded" })
        // `jdl check`: each package in its VO's area (the prefix, else --vo).
        let jdl = a.base.appendingPathComponent("vos.jdl").path
        try #"Packages = {"PandaRoot::v1-1", "VO_B@zlib::v1.3.1-1"};"#.write(toFile: jdl, atomically: true, encoding: .utf8)
        let perVO = ["--vo", "VO_A", "--vo-area", "VO_A=\(a.area())", "--vo-area", "VO_B=\(b.area())"]
        let checked = try AreaCLITests.cli(["jdl", "check", jdl] + perVO)
        #expect(checked.status == 0, "\(checked.text) \(checked.stderr)")
        #expect(checked.text.contains("Packages: VO_A@PandaRoot::v1-1, VO_B@zlib::v1.3.1-1"), "\(checked.text)")
        let crossedJDL = a.base.appendingPathComponent("crossed.jdl").path
        try #"Packages = {"VO_B@PandaRoot::v1-1"};"#.write(toFile: crossedJDL, atomically: true, encoding: .utf8)
        let crossed = try AreaCLITests.cli(["jdl", "check", crossedJDL] + perVO)
        #expect(crossed.status == 1 && crossed.text.contains("VO_B@PandaRoot::v1-1 not defined for \(Self.arch)"), "\(crossed.text) \(crossed.stderr)")

        // `run --jdl`: a job's packages in one VO; --vo gives unprefixed ones B, the daemon installs
        // and leases them in B's area, and the lease is released there.
        let token = a.base.appendingPathComponent("job-token")
        try "\(PackmandProcess.jobToken)\n".write(to: token, atomically: true, encoding: .utf8)
        let environment = ["ALIEN_PACKMAN": "unix:" + daemon.socket, "ALIEN_PACKMAN_TOKEN_FILE": token.path]
        let mixed = a.base.appendingPathComponent("mixed.jdl").path
        try #"Packages = {"VO_A@zlib", "VO_B@xz"};"#.write(toFile: mixed, atomically: true, encoding: .utf8)
        let refusedJob = try Interop.run(
            CLITests.binary, ["run", "--jdl", mixed, "--area", a.area(), "--", "/bin/true"], environment: environment)
        #expect(refusedJob.status != 0 && refusedJob.stderr.contains("packages of VO_A and VO_B; a job runs in one VO's area"), "\(refusedJob.stderr)")
        let jobB = a.base.appendingPathComponent("b.jdl").path
        try #"Packages = {"xz::v5.4.6-1"};"#.write(toFile: jobB, atomically: true, encoding: .utf8)
        let script = #"ls "$AREA/.alien/leases""#
        let ran = try Interop.run(
            CLITests.binary, ["run", "--jdl", jobB, "--vo", "VO_B", "--job-id", "job-b1", "--area", b.area(), "--", "sh", "-c", script],
            environment: environment.merging(["AREA": b.area()]) { $1 })
        #expect(ran.status == 0 && ran.text.contains("job-b1.json"), "\(ran.text) \(ran.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(b.area())/\(Self.arch)/xz/v5.4.6-1"))
        #expect(!FileManager.default.fileExists(atPath: "\(b.area())/.alien/leases/job-b1.json"), "released in B's area")
        let jobAudit = try daemon.client().audit(vo: "VO_B").map { "\($0.action) \($0.subject): \($0.result)" }
        #expect(jobAudit.contains("install VO_B@xz::v5.4.6-1: succeeded") && jobAudit.contains("release job-b1: : released"), "\(jobAudit)")

        for area in [a.area(), b.area()] {
            let verify = try AreaCLITests.cli(["verify", "--area", area])
            #expect(verify.status == 0, "\(area): \(verify.text) \(verify.stderr)")
        }
    }

    @Test func aJobKilledInBsAreaResumesThere() throws {
        let a = try AreaCLITests.site("vo-kill-a")
        let b = try AreaCLITests.site("vo-kill-b", blobSize: 24 << 20, serverBlock: PackmandTests.slowServer("8m"))
        defer { a.stop(); b.stop() }
        var daemon = try Self.start(a, b)
        let started = try daemon.client().install(["VO_B@ROOT"])
        #expect(started.vo == "VO_B")
        let deadline = Date().addingTimeInterval(300)  // a hang catcher: the loop ends at the first bytes
        while Date() < deadline {
            let job = try daemon.client().job(started.id)
            if job.state == .running, job.bytes > 1 << 20 { break }
            #expect(!job.state.isFinished, "finished before the kill: \(job)")
            usleep(50_000)
        }
        #expect(daemon.stop(signal: SIGKILL) == 128 + SIGKILL)
        daemon = try Self.start(a, b)
        defer { daemon.stop() }
        #expect(daemon.log.contains("resumed 1 interrupted job(s): \(started.id)"), "\(daemon.log)")
        let finished = try daemon.client().install(["VO_B@ROOT"], wait: 170)
        #expect(finished.id == started.id && finished.state == .succeeded && finished.vo == "VO_B", "\(finished)")
        #expect(FileManager.default.fileExists(atPath: "\(b.area())/\(Self.arch)/ROOT/v6-32-06-1"))
        #expect(!FileManager.default.fileExists(atPath: "\(a.area())/\(Self.arch)/ROOT"), "resumed in its own VO's area")
        let verify = try AreaCLITests.cli(["verify", "--area", b.area()])
        #expect(verify.status == 0, "\(verify.text) \(verify.stderr)")
        let resumed = try daemon.client().audit().filter { $0.job == started.id && $0.action == "resume" }
        #expect(resumed.count == 1 && resumed.allSatisfy { $0.vo == "VO_B" }, "\(resumed)")
    }
}
