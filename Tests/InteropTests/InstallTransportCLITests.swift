import Foundation
import Testing
import TestSupport

/// `alien-install install` through a broken network: a repository that drops connections
/// (the tarball resumes with Range), and a failing or dead repository with `--mirror` (metadata
/// and tarballs come from the mirror, still checked against the signed metadata).
@Suite struct InstallTransportCLITests {
    static let arch = AreaCLITests.arch

    static func hello(_ area: String) throws -> String {
        let prefix = "\(area)/\(arch)/AliPhysics/v5-09-45a-01-1"
        return try Interop.run(URL(fileURLWithPath: "\(prefix)/bin/aliphysics-hello"), []).text
    }

    @Test func aDroppedConnectionResumesWithRange() throws {
        let site = try AreaCLITests.site("resume", blobSize: 3 << 20)
        defer { site.stop() }
        let faults = try FaultServer(root: site.base.appendingPathComponent("repo"))
        defer { faults.stop() }
        // Every response without a Range header breaks after 256 KiB: metadata fits, tarballs do not.
        let repo = faults.url("", faults: "drop=262144")
        let area = site.area()
        let installed = try AreaCLITests.cli([
            "install", "AliPhysics", "--area", area, "--arch", Self.arch, "--repo", repo,
            "--root", site.rootFile, "--json"
        ])
        #expect(installed.status == 0, "\(installed.stderr)")
        let resumed = faults.logLines.filter { $0.contains("AliPhysics-v5-09-45a-01-1") && $0.contains(".tar.gz") && $0.contains("range=bytes=") }
        #expect(!resumed.isEmpty, "the tarball was resumed with Range: \(faults.logLines)")
        #expect(try Self.hello(area) == "AliPhysics at \(area)/\(Self.arch)/AliPhysics/v5-09-45a-01-1\n")
        let verified = try AreaCLITests.cli(["verify", "--area", area])
        #expect(verified.status == 0, "\(verified.text)\(verified.stderr)")
    }

    @Test func aFailingRepositoryFallsOverToItsMirror() throws {
        let site = try AreaCLITests.site("mirror")
        defer { site.stop() }
        let faults = try FaultServer(root: site.base.appendingPathComponent("repo"))
        defer { faults.stop() }
        let area = site.area()
        let broken = faults.url("", faults: "status=500")
        let installed = try AreaCLITests.cli([
            "install", "AliPhysics", "--area", area, "--arch", Self.arch, "--repo", broken,
            "--mirror", site.repoURL, "--root", site.rootFile
        ])
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(try Self.hello(area) == "AliPhysics at \(area)/\(Self.arch)/AliPhysics/v5-09-45a-01-1\n")
        #expect(faults.logLines.contains { $0.contains("/f/status=500/metadata/") }, "the repository was asked first")
        #expect(site.tarballDownloads.count == 5, "every tarball came from the mirror once: \(site.tarballDownloads)")
        let config = try String(contentsOfFile: "\(area)/.alien/config.json", encoding: .utf8)
        #expect(config.contains(site.repoURL.replacingOccurrences(of: "/", with: "\\/")) || config.contains(site.repoURL), "remembered: \(config)")

        // A dead repository (nothing listens) and the remembered mirror: a later refresh still works.
        let dead = try AreaCLITests.cli(["install", "AliPhysics", "--area", area, "--repo", "http://127.0.0.1:9/"])
        #expect(dead.status == 0, "\(dead.stderr)")
        #expect(dead.text.contains("already installed"))
        // Forgetting the mirror: the dead repository alone fails with the reason, nothing changes.
        let removed = try AreaCLITests.cli(["remove", "AliPhysics", "--area", area])
        #expect(removed.status == 0, "\(removed.stderr)")
        let alone = try AreaCLITests.cli(["install", "AliPhysics", "--area", area, "--mirror", "none"])
        #expect(alone.status != 0)
        #expect(alone.stderr.contains("127.0.0.1:9"), "\(alone.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(area)/\(Self.arch)/AliPhysics/v5-09-45a-01-1"))
    }
}
