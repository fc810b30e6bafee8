import Foundation
import Testing
import TestSupport

/// `alien-install doctor --site` against a real site (nginx serving a published repository, an
/// area installed from it), then each check forced to fail once: the right ✗ and hint.
@Suite struct DoctorSiteCLITests {
    static let arch = AreaCLITests.arch

    /// The checklist as JSON: id → (status, detail, hint).
    static func doctor(_ arguments: [String]) throws -> (status: Int32, checks: [String: (status: String, detail: String, hint: String?)]) {
        let result = try AreaCLITests.cli(["doctor", "--site", "--json"] + arguments)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.text.utf8)) as? [String: Any], "\(result.text)\(result.stderr)")
        var checks: [String: (String, String, String?)] = [:]
        for check in object["checks"] as? [[String: Any]] ?? [] {
            checks[check["id"] as? String ?? ""] = (check["status"] as? String ?? "", check["detail"] as? String ?? "", check["hint"] as? String)
        }
        #expect((object["ok"] as? Bool) == (result.status == 0))
        return (result.status, checks)
    }

    static func installed(_ site: AreaCLITests.Site, area: String) throws {
        let installed = try AreaCLITests.cli(["install", "zlib", "--area", area, "--arch", arch, "--repo", site.repoURL, "--root", site.rootFile])
        try #require(installed.status == 0, "\(installed.stderr)")
    }

    @Test func aHealthySitePassesAndEachServiceCheckFailsWhenBroken() throws {
        let site = try AreaCLITests.site("doctor")
        defer { site.stop() }
        let area = site.area()
        try Self.installed(site, area: area)

        let healthy = try Self.doctor(["--area", area, "--proxy", ""])
        #expect(healthy.status == 0, "\(healthy.checks)")
        for id in ["area-exists", "area-writable", "area-space", "area-inodes", "trusted-root", "repository-direct", "clock", "metadata-fresh"] {
            #expect(healthy.checks[id]?.status == "pass", "\(id): \(String(describing: healthy.checks[id]))")
        }
        #expect(healthy.checks["metadata-fresh"]?.detail.contains("5 packages for \(Self.arch)") == true)
        #expect(healthy.checks["packmand"]?.status == "skip")

        // Unreachable repository: named, with a hint; the metadata check is skipped, not failed twice.
        let unreachable = try Self.doctor(["--area", area, "--repo", "http://127.0.0.1:9", "--proxy", ""])
        #expect(unreachable.status == 1)
        #expect(unreachable.checks["repository-direct"]?.status == "fail")
        #expect(unreachable.checks["repository-direct"]?.hint?.contains("firewall") == true)
        #expect(unreachable.checks["metadata-fresh"]?.status == "skip")

        // A proxy that is not there.
        let proxied = try Self.doctor(["--area", area, "--proxy", "http://127.0.0.1:9"])
        #expect(proxied.checks["repository-proxy"]?.status == "fail")
        #expect(proxied.checks["repository-proxy"]?.hint?.contains("Squid") == true)

        // A repository whose clock is 10 minutes ahead (fake Date header).
        let faults = try FaultServer(root: site.base.appendingPathComponent("repo"))
        defer { faults.stop() }
        let skewed = try Self.doctor(["--area", area, "--repo", faults.url("", faults: "date=\(Int(Date().timeIntervalSince1970) + 600)"), "--proxy", ""])
        #expect(skewed.checks["clock"]?.status == "fail", "\(String(describing: skewed.checks["clock"]))")
        #expect(skewed.checks["clock"]?.detail.contains("behind the repository") == true)
        #expect(skewed.checks["clock"]?.hint?.contains("chrony") == true)

        // A busy torrent port (nginx listens on it) and a tracker that is down.
        let port = try #require(site.server.baseURL.port)
        let busy = try Self.doctor(["--area", area, "--proxy", "", "--torrent-port", "\(port)", "--tracker", "http://127.0.0.1:9/announce"])
        #expect(busy.checks["torrent-port"]?.status == "fail")
        #expect(busy.checks["torrent-port"]?.detail == "TCP \(port) is in use")
        #expect(busy.checks["tracker"]?.status == "warn")

        // packmand configured but absent, and a socket anyone may write.
        let absent = try Self.doctor(["--area", area, "--proxy", "", "--packman", "unix:\(site.base.path)/packmand.sock"])
        #expect(absent.checks["packmand"]?.status == "fail")
        #expect(absent.checks["packmand"]?.hint?.contains("start packmand") == true)
    }

    @Test func aReadOnlyAreaFails() throws {
        guard getuid() == 0 else {
            Issue.record("skipped: remounting a tmpfs read-only needs root")
            return
        }
        let site = try AreaCLITests.site("doctor-ro")
        defer { site.stop() }
        let area = site.area("ro")
        try FileManager.default.createDirectory(atPath: area, withIntermediateDirectories: true)
        let mounted = try Interop.run(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=8m", "tmpfs", area])
        try #require(mounted.status == 0, "\(mounted.stderr)")
        defer { _ = try? Interop.run(URL(fileURLWithPath: "/bin/umount"), [area]) }
        try Self.installed(site, area: area)
        let remounted = try Interop.run(URL(fileURLWithPath: "/bin/mount"), ["-o", "remount,ro", area])
        try #require(remounted.status == 0, "\(remounted.stderr)")
        let report = try Self.doctor(["--area", area, "--proxy", ""])
        #expect(report.status == 1)
        #expect(report.checks["area-writable"]?.status == "fail")
        #expect(report.checks["area-writable"]?.detail.contains("Read-only file system") == true)
        #expect(report.checks["area-writable"]?.hint?.contains("read-write") == true)
        // A budget bigger than the filesystem.
        let budget = try Self.doctor(["--area", area, "--proxy", "", "--budget", "1T"])
        #expect(budget.checks["area-space"]?.status == "fail")
    }

    @Test func anExpiredRootFails() throws {
        let base = try Interop.temporaryDirectory("doctor-expired")
        defer { try? FileManager.default.removeItem(at: base) }
        let keys = base.appendingPathComponent("keys").path, repo = base.appendingPathComponent("repo").path
        for role in ["root", "targets", "snapshot", "timestamp"] {
            let generated = try AreaCLITests.cli(["keys", "generate", role, "--dir", keys])
            try #require(generated.status == 0, "\(generated.stderr)")
        }
        let initialised = try AreaCLITests.cli([
            "repo", "init", repo, "--root-key", "\(keys)/root.key", "--targets-key", "\(keys)/targets.key",
            "--snapshot-key", "\(keys)/snapshot.key", "--timestamp-key", "\(keys)/timestamp.key",
            "--expires", "root=1s"
        ])
        try #require(initialised.status == 0, "\(initialised.stderr)")
        let server = try NginxServer(root: URL(fileURLWithPath: repo))
        defer { server.stop() }
        Thread.sleep(forTimeInterval: 2)
        let area = base.appendingPathComponent("area").path
        let install = try AreaCLITests.cli([
            "install", "zlib", "--area", area, "--arch", Self.arch, "--repo", server.baseURL.absoluteString,
            "--root", "\(repo)/metadata/1.root.json"
        ])
        #expect(install.status != 0, "an expired root cannot verify anything")
        let report = try Self.doctor(["--area", area, "--proxy", ""])
        #expect(report.status == 1)
        #expect(report.checks["trusted-root"]?.status == "fail")
        #expect(report.checks["trusted-root"]?.detail.contains("expired") == true)
        #expect(report.checks["trusted-root"]?.hint?.contains("rotate-root") == true)
        #expect(report.checks["metadata-fresh"]?.status == "fail")
    }
}
