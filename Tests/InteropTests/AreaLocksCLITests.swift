import Foundation
import Testing
import TestSupport

/// What a site lives with around the area's locks and paths: another user cannot lock (and so
/// stall) installs, a wait says what it waits for, and read-only commands on a mistyped area
/// fail instead of creating it.
@Suite struct AreaLocksCLITests {
    static let arch = AreaCLITests.arch

    static func installArguments(_ site: AreaCLITests.Site, _ area: String) -> [String] {
        ["install", "zlib", "--area", area, "--arch", arch, "--repo", site.repoURL, "--root", site.rootFile]
    }

    @Test(.enabled(if: getuid() == 0, "runuser needs root; CI runs as root"))
    func otherUsersCannotOpenOrLockTheAreasLocks() throws {
        let site = try AreaCLITests.site("locks-private")
        defer { site.stop() }
        let area = site.area()
        let installed = try AreaCLITests.cli(Self.installArguments(site, area))
        try #require(installed.status == 0, "\(installed.stderr)")
        let lock = "\(area)/.alien/locks/\(Self.arch)/zlib/v1.3.1-1.lock"
        #expect(FileManager.default.fileExists(atPath: lock))
        // The area itself stays readable for everyone (jobs use the packages).
        chmod(site.base.path, 0o755)
        let runuser = URL(fileURLWithPath: "/usr/sbin/runuser")
        for target in [lock, "\(area)/.alien/locks/\(Self.arch)/zlib/new.lock"] {
            let attempt = try Interop.run(runuser, ["-u", "nobody", "--", "/usr/bin/flock", "--nonblock", target, "true"])
            #expect(attempt.status != 0, "nobody locked \(target)")
            #expect(attempt.stderr.contains("Permission denied"), "\(attempt.stderr)")
        }
        let listing = try Interop.run(runuser, ["-u", "nobody", "--", "/bin/ls", "\(area)/\(Self.arch)/zlib/v1.3.1-1/share"])
        #expect(listing.status == 0 && listing.text.contains("payload.txt"), "packages stay readable: \(listing.stderr)")
    }

    @Test func aWaitSaysForWhichPackageItWaitsThenGoesOn() throws {
        let site = try AreaCLITests.site("locks-wait")
        defer { site.stop() }
        let area = site.area()
        // Set the area up, then hold zlib's lock from another process.
        let setUp = try AreaCLITests.cli(["list", "--available", "--area", area, "--arch", Self.arch, "--repo", site.repoURL, "--root", site.rootFile])
        try #require(setUp.status == 0, "\(setUp.stderr)")
        let lock = "\(area)/.alien/locks/\(Self.arch)/zlib/v1.3.1-1.lock"
        try FileManager.default.createDirectory(atPath: (lock as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let holder = try BackgroundProcess(
            "/usr/bin/python3",
            [
                "-c",
                """
                import fcntl, sys, time
                f = open(sys.argv[1], "w"); fcntl.flock(f, fcntl.LOCK_EX); print("held", flush=True); time.sleep(600)
                """, lock
            ], output: site.base.appendingPathComponent("holder.log"))
        defer { holder.kill() }
        #expect(holder.wait(for: "held"))
        let installer = try BackgroundProcess(
            CLITests.binary.path, Self.installArguments(site, area),
            output: site.base.appendingPathComponent("install.log"))
        defer { installer.kill() }
        // Not on a terminal: a line at the first report of the wait (after 2 s; later on a busy
        // machine, which can skip a second), then none for ten seconds. A hang catcher bounds this.
        #expect(installer.wait(for: " s for the lock held by another installer", seconds: 120), "\(installer.text)")
        let line = installer.text.split(separator: "\n").first { $0.hasPrefix("zlib/v1.3.1-1: waiting ") }
        let seconds = line.flatMap { Int($0.dropFirst("zlib/v1.3.1-1: waiting ".count).split(separator: " ").first ?? "") }
        #expect((seconds ?? 0) >= 2, "one line naming the package and the seconds waited: \(installer.text)")
        #expect(!FileManager.default.fileExists(atPath: "\(area)/\(Self.arch)/zlib/v1.3.1-1"))
        holder.kill()
        #expect(installer.exitStatus(within: 300) == 0, "\(installer.text)")
        #expect(FileManager.default.fileExists(atPath: "\(area)/\(Self.arch)/zlib/v1.3.1-1/.alien-install.json"))
    }

    @Test(arguments: [["verify"], ["list", "--installed"], ["list"], ["gc", "--budget", "0"], ["env", "zlib"]])
    func readOnlyCommandsOnAMissingAreaFailAndCreateNothing(_ command: [String]) throws {
        let base = try Interop.temporaryDirectory("no-area")
        defer { try? FileManager.default.removeItem(at: base) }
        let missing = base.appendingPathComponent("typo").path
        let result = try AreaCLITests.cli(command + ["--area", missing, "--arch", Self.arch])
        #expect(result.status == 1, "\(result.text) \(result.stderr)")
        #expect(result.stderr.contains(missing), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing), "\(command) created the area")
        if command[0] != "env" {
            #expect(result.stderr.contains("not a software area (no such directory)"), "\(result.stderr)")
            #expect(result.stderr.contains("alien-install list --available --area \(missing)"), "says how to make one: \(result.stderr)")
        }
    }
}
