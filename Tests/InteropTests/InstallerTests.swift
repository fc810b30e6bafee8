import Basics
import Foundation
import Testing
import TestSupport

/// `installer/alien-installer` (POSIX sh, run with Debian's dash) against a repository served by
/// nginx on 127.0.0.1: a worker node from nothing to a passing `doctor --site`, a package
/// installed with the installed binary, a second run that changes nothing, a dry run that makes
/// nothing, and `--uninstall` that removes what the installer made and nothing else.
@Suite struct InstallerTests {
    static let script = Interop.root.appendingPathComponent("installer/alien-installer").path

    static func installer(_ arguments: [String]) throws -> Interop.Result {
        try Interop.run(URL(fileURLWithPath: "/bin/sh"), [script] + arguments, environment: ["http_proxy": "", "HTTP_PROXY": ""])
    }

    /// bin/alien-install and bin/alien-env of this build, as `--from-tarball` takes them.
    static func binaryTarball(in base: URL) throws -> String {
        let stage = base.appendingPathComponent("dist/bin")
        try FileManager.default.createDirectory(at: stage, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLITests.binary, to: stage.appendingPathComponent("alien-install"))
        try FileManager.default.copyItem(at: AlienEnvTests.alienEnv, to: stage.appendingPathComponent("alien-env"))
        let tarball = base.appendingPathComponent("alien-install-bin.tar.gz").path
        let packed = try Interop.run(URL(fileURLWithPath: "/bin/tar"), ["-czf", tarball, "-C", base.appendingPathComponent("dist").path, "bin"])
        try #require(packed.status == 0, "\(packed.stderr)")
        return tarball
    }

    /// bin/alien-install and bin/packmand of this build.
    static func voboxTarball(in base: URL) throws -> String {
        let tarball = try binaryTarball(in: base)
        try FileManager.default.copyItem(at: PackmandProcess.binary, to: base.appendingPathComponent("dist/bin/packmand"))
        let packed = try Interop.run(URL(fileURLWithPath: "/bin/tar"), ["-czf", tarball, "-C", base.appendingPathComponent("dist").path, "bin"])
        try #require(packed.status == 0, "\(packed.stderr)")
        return tarball
    }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    @Test func shellcheckFindsNothing() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/shellcheck") else {
            if ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] == "1" { Issue.record("shellcheck is missing (make deps installs it)") }
            return
        }
        let checked = try Interop.run(URL(fileURLWithPath: "/usr/bin/shellcheck"), ["-s", "sh", Self.script])
        #expect(checked.status == 0, "\(checked.text)")
    }

    @Test func aWorkerNodeFromNothingToAPassingDoctorThenUpgradeAndUninstall() throws {
        let site = try AreaCLITests.site("installer")
        defer { site.stop() }
        let tarball = try Self.binaryTarball(in: site.base)
        let prefix = site.base.appendingPathComponent("opt/alien").path
        // Something of the admin's in the prefix: the installer must leave it alone.
        try FileManager.default.createDirectory(atPath: "\(prefix)/etc", withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: "\(prefix)/etc/admin-notes.txt"))
        let arguments = [
            "--type", "workernode", "--prefix", prefix, "--repo", site.repoURL, "--root", site.rootFile,
            "--from-tarball", tarball, "--batch", "--skip-packages", "--arch", AreaCLITests.arch
        ]

        // A dry run prints the actions and makes nothing.
        let dry = try Self.installer(arguments + ["--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.text.contains("+ tar -xzf \(tarball)"))
        #expect(dry.text.contains("+ write \(prefix)/etc/alien/site.conf"))
        #expect(!FileManager.default.fileExists(atPath: "\(prefix)/bin"))
        #expect(!FileManager.default.fileExists(atPath: "\(prefix)/area"))

        let first = try Self.installer(arguments)
        #expect(first.status == 0, "\(first.text)\n\(first.stderr)")
        #expect(first.text.contains("✓ metadata-fresh: 5 packages for"), "\(first.text)")
        #expect(first.text.contains("the repository offers 5 packages"))
        let binary = "\(prefix)/bin/alien-install"
        #expect(FileManager.default.isExecutableFile(atPath: binary))
        let conf = try String(contentsOfFile: "\(prefix)/etc/alien/site.conf", encoding: .utf8)
        #expect(conf.contains("ALIEN_REPOSITORIES='\(site.repoURL)'") && conf.contains("ALIEN_AREA='\(prefix)/area'"))
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/area/.alien/trust/root.json"))

        // The installed binary installs and runs a package, with only the profile's environment.
        let used = try Interop.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", ". \(prefix)/etc/profile.d/alien.sh && alien-install install zlib && alien-install run zlib -- zlib-hello"])
        #expect(used.status == 0, "\(used.stderr)")
        #expect(used.text.contains("zlib at \(prefix)/area/"))
        let fast = try Interop.run(URL(fileURLWithPath: "/bin/sh"), ["-c", ". \(prefix)/etc/profile.d/alien.sh && alien-env zlib --shell sh"])
        #expect(fast.status == 0, "\(fast.stderr)")
        #expect(fast.text.contains("export ZLIB_ROOT='\(prefix)/area/"), "alien-env is installed next to alien-install")

        // A second run, with no arguments but the prefix: the previous configuration, nothing rewritten.
        let before = Self.modificationDate(binary), confBefore = Self.modificationDate("\(prefix)/etc/alien/site.conf")
        let again = try Self.installer(["--prefix", prefix, "--from-tarball", tarball, "--batch", "--skip-packages"])
        #expect(again.status == 0, "\(again.text)\n\(again.stderr)")
        #expect(again.text.contains("alien-install: unchanged") && again.text.contains("site.conf: unchanged"), "\(again.text)")
        #expect(Self.modificationDate(binary) == before && Self.modificationDate("\(prefix)/etc/alien/site.conf") == confBefore)
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/area/\(AreaCLITests.arch)/zlib/v1.3.1-1"), "the area is kept")

        // A failing upgrade (a tarball without the binary) leaves the installation working.
        let broken = site.base.appendingPathComponent("broken.tar.gz").path
        _ = try Interop.run(URL(fileURLWithPath: "/bin/tar"), ["-czf", broken, "-C", site.base.path, "keys"])
        let failed = try Self.installer(["--prefix", prefix, "--from-tarball", broken, "--batch", "--skip-packages"])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("no bin/alien-install"))
        #expect(Self.modificationDate(binary) == before)
        #expect(try Interop.run(URL(fileURLWithPath: binary), ["list", "--installed", "--area", "\(prefix)/area"]).status == 0)

        // Uninstall: what it made goes, the admin's file and the area stay.
        let removed = try Self.installer(["--prefix", prefix, "--uninstall"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.text.contains("kept the software area"))
        #expect(!FileManager.default.fileExists(atPath: binary))
        #expect(!FileManager.default.fileExists(atPath: "\(prefix)/etc/alien"))
        #expect(!FileManager.default.fileExists(atPath: "\(prefix)/etc/profile.d"))
        #expect(!FileManager.default.fileExists(atPath: "\(prefix)/.alien-installer.manifest"))
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/etc/admin-notes.txt"))
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/area/\(AreaCLITests.arch)/zlib/v1.3.1-1"))
    }

    /// A VO-box: packmand's config written and checked, tokens made once (hashes only in the
    /// tokens file), and the configured daemon installing for a job agent holding job.token.
    @Test func aVOBoxGetsAWorkingPackmandConfiguration() throws {
        let site = try AreaCLITests.site("installer-vobox")
        defer { site.stop() }
        let tarball = try Self.voboxTarball(in: site.base)
        let prefix = site.base.appendingPathComponent("opt/alien").path
        let socket = site.base.appendingPathComponent("packmand.sock").path
        let arguments = [
            "--type", "vobox", "--prefix", prefix, "--repo", site.repoURL, "--repo", site.repoURL + "/", "--root", site.rootFile,
            "--from-tarball", tarball, "--batch", "--skip-packages", "--arch", AreaCLITests.arch, "--socket", socket,
            "--budget", "1G"
        ]
        let first = try Self.installer(arguments)
        #expect(first.status == 0, "\(first.text)\n\(first.stderr)")
        let conf = "\(prefix)/etc/alien"
        let yaml = try String(contentsOfFile: "\(conf)/packmand.yaml", encoding: .utf8)
        #expect(yaml.contains("area: \(prefix)/area") && yaml.contains("unix: \(socket)") && yaml.contains("budget: 1G"), "\(yaml)")
        #expect(yaml.contains("mirrors: [\(site.repoURL)/]"), "\(yaml)")
        let jobToken = try String(contentsOfFile: "\(conf)/job.token", encoding: .utf8)
        #expect(jobToken.count == 64)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: "\(conf)/job.token")[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let tokens = try String(contentsOfFile: "\(conf)/packmand.tokens", encoding: .utf8)
        #expect(!tokens.contains(jobToken), "only hashes in the tokens file")
        #expect(tokens.contains("job-agents job ") && tokens.contains("site-admin admin "))

        // A second run keeps the tokens the job agents hold.
        let again = try Self.installer(["--prefix", prefix, "--from-tarball", tarball, "--batch", "--skip-packages"])
        #expect(again.status == 0, "\(again.text)\n\(again.stderr)")
        #expect(try String(contentsOfFile: "\(conf)/job.token", encoding: .utf8) == jobToken)
        #expect(again.text.contains("packmand.yaml: unchanged") && again.text.contains("packmand.tokens: unchanged"), "\(again.text)")

        // The daemon as configured: a job agent installs through it, the checklist sees it healthy.
        let ready = site.base.appendingPathComponent("ready").path
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "\(prefix)/bin/packmand")
        daemon.arguments = ["--config", "\(conf)/packmand.yaml", "--ready-file", ready]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.start()
        defer {
            kill(daemon.processIdentifier, SIGTERM)
            daemon.waitUntilExit()
        }
        for _ in 0..<6000 where !FileManager.default.fileExists(atPath: ready) { usleep(50_000) }  // ≤ 300 s: a hang catcher
        try #require(FileManager.default.fileExists(atPath: ready), "packmand did not start")
        let installed = try Interop.run(
            URL(fileURLWithPath: "\(prefix)/bin/alien-install"),
            ["packman", "install", "zlib", "--packman", "unix:\(socket)", "--token-file", "\(conf)/job.token"])
        #expect(installed.status == 0, "\(installed.text)\(installed.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/area/\(AreaCLITests.arch)/zlib/v1.3.1-1"))
        let doctor = try Interop.run(
            URL(fileURLWithPath: "\(prefix)/bin/alien-install"),
            ["doctor", "--site", "--area", "\(prefix)/area", "--packman", "unix:\(socket)", "--proxy", ""])
        #expect(doctor.status == 0, "\(doctor.text)")
        #expect(doctor.text.contains("✓ packmand: health: HTTP 200"), "\(doctor.text)")
    }

    /// A VO-box serving two VOs: `--vo NAME=URL,ROOT,BUDGET` adds one to packmand's `vos:`
    /// (its own area and root), and the configured daemon installs each VO's package in its area.
    @Test func aVOBoxWithTwoVOs() throws {
        let a = try AreaCLITests.site("installer-vo-a"), b = try AreaCLITests.site("installer-vo-b")
        defer { a.stop(); b.stop() }
        let tarball = try Self.voboxTarball(in: a.base)
        let prefix = a.base.appendingPathComponent("opt/alien").path
        let socket = a.base.appendingPathComponent("packmand.sock").path
        let installed = try Self.installer([
            "--type", "vobox", "--prefix", prefix, "--repo", a.repoURL, "--root", a.rootFile, "--default-vo", "VO_A",
            "--vo", "VO_B=\(b.repoURL),\(b.rootFile),2G", "--from-tarball", tarball, "--batch", "--skip-packages", "--arch", AreaCLITests.arch,
            "--socket", socket, "--no-doctor"
        ])
        #expect(installed.status == 0, "\(installed.text)\n\(installed.stderr)")
        let conf = "\(prefix)/etc/alien"
        let yaml = try String(contentsOfFile: "\(conf)/packmand.yaml", encoding: .utf8)
        #expect(yaml.contains("vo: VO_A\n") && yaml.contains("vos:\n  VO_B:\n    area: \(prefix)/vo-areas/VO_B\n"), "\(yaml)")
        #expect(yaml.contains("    repository: \(b.repoURL)\n    trusted_root: \(conf)/root-VO_B.json\n    disk_budget: 2G"), "\(yaml)")
        // The installer's copy (as for root.json: written with a final newline).
        let copied = try String(contentsOfFile: "\(conf)/root-VO_B.json", encoding: .utf8)
        #expect(copied.trimmingCharacters(in: .newlines) == (try String(contentsOfFile: b.rootFile, encoding: .utf8)).trimmingCharacters(in: .newlines))
        let again = try Self.installer(["--prefix", prefix, "--from-tarball", tarball, "--batch", "--skip-packages", "--no-doctor"])
        #expect(again.status == 0 && again.text.contains("packmand.yaml: unchanged"), "the VOs are remembered: \(again.text)\n\(again.stderr)")

        let ready = a.base.appendingPathComponent("ready").path
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "\(prefix)/bin/packmand")
        daemon.arguments = ["--config", "\(conf)/packmand.yaml", "--ready-file", ready]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.start()
        defer {
            kill(daemon.processIdentifier, SIGTERM)
            daemon.waitUntilExit()
        }
        for _ in 0..<6000 where !FileManager.default.fileExists(atPath: ready) { usleep(50_000) }  // ≤ 300 s: a hang catcher
        try #require(FileManager.default.fileExists(atPath: ready), "packmand did not start")
        for (vo, area) in [("VO_A", "\(prefix)/area"), ("VO_B", "\(prefix)/vo-areas/VO_B")] {
            let result = try Interop.run(
                URL(fileURLWithPath: "\(prefix)/bin/alien-install"),
                ["packman", "install", "--vo", vo, "zlib", "--packman", "unix:\(socket)", "--token-file", "\(conf)/job.token"])
            #expect(result.status == 0, "\(vo): \(result.text)\(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: "\(area)/\(AreaCLITests.arch)/zlib/v1.3.1-1"), "\(vo) in \(area)")
        }
        #expect(a.tarballDownloads.values.reduce(0, +) == 1 && b.tarballDownloads.values.reduce(0, +) == 1)
    }

    @Test func refusesMalformedVOs() throws {
        let base = try Interop.temporaryDirectory("installer-bad-vo")
        defer { try? FileManager.default.removeItem(at: base) }
        let prefix = base.appendingPathComponent("p").path
        let common = ["--type", "vobox", "--prefix", prefix, "--repo", "http://127.0.0.1:9", "--insecure-dev", "--batch"]
        for (vo, message) in [
            ("VO_B", "--vo VO_B: expected NAME=URL,ROOT_FILE[,BUDGET]"),
            ("VO B=http://x,/r", "unknown argument"),
            ("VO/B=http://x,/r", "--vo VO/B=http://x,/r: the name may hold only letters"),
            ("VO_B=ftp://x,/r", "expected an http://, https:// or file:// URL, got 'ftp://x'"),
            ("VO_B=http://x", "--vo VO_B=http://x: expected NAME=URL,ROOT_FILE[,BUDGET]"),
            ("VO_B=http://x,root.json", "the root file must be an absolute path"),
            ("VO_B=http://x,/nonexistent/root.json", "/nonexistent/root.json: no such file"),
            ("VO_ALICE=http://x,/r", "VO_ALICE is given twice (or is the default VO)")
        ] {
            let refused = try Self.installer(common + ["--vo"] + vo.split(separator: " ", maxSplits: 1).map(String.init))
            #expect(refused.status != 0 && refused.stderr.contains(message), "\(vo): \(refused.stderr)")
        }
        let workernode = try Self.installer([
            "--type", "workernode", "--prefix", prefix, "--repo", "http://x", "--insecure-dev", "--batch", "--vo", "V=http://x,/r"
        ])
        #expect(workernode.stderr.contains("--vo is for --type vobox"), "\(workernode.stderr)")
        #expect(!FileManager.default.fileExists(atPath: prefix), "nothing made")
    }

    @Test func batchModeNamesWhatIsMissing() throws {
        let base = try Interop.temporaryDirectory("installer-missing")
        defer { try? FileManager.default.removeItem(at: base) }
        let prefix = base.appendingPathComponent("p").path
        let noRepo = try Self.installer(["--type", "workernode", "--prefix", prefix, "--batch"])
        #expect(noRepo.status == 1)
        #expect(noRepo.stderr.contains("repository URL: give it on the command line"), "\(noRepo.stderr)")
        let noRoot = try Self.installer(["--type", "workernode", "--prefix", prefix, "--repo", "http://127.0.0.1:9", "--batch"])
        #expect(noRoot.stderr.contains("trusted root metadata file"), "\(noRoot.stderr)")
        let badType = try Self.installer(["--type", "laptop", "--prefix", prefix, "--batch"])
        #expect(badType.stderr.contains("--type must be vobox, workernode or client, not 'laptop'"))
        let unknown = try Self.installer(["--frobnicate"])
        #expect(unknown.stderr.contains("unknown argument: --frobnicate"))
        #expect(!FileManager.default.fileExists(atPath: prefix), "nothing made")
        let nothing = try Self.installer(["--prefix", prefix, "--uninstall"])
        #expect(nothing.stderr.contains("nothing to uninstall"))
    }
}
