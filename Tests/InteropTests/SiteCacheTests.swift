import Foundation
import Testing
import TestSupport
import Trust

/// Two sites behind one Squid (the shipped
/// installer/squid/site-cache.conf) in front of nginx (the shipped installer/nginx/alien-repo.conf):
/// the second site's metadata and targets come out of the cache, and both verify them.
enum SiteCache {
    static var available: Bool {
        ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] == "1"
            || (SquidServer.available && FileManager.default.isExecutableFile(atPath: NginxServer.executable))
    }
}

@Suite(.enabled(if: SiteCache.available, "nginx or squid is missing (run make deps; ALIEN_REQUIRE_INTEROP=1 makes this a failure)"))
struct SiteCacheTests {
    static func shipped(_ path: String) throws -> String {
        try String(contentsOf: Interop.root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func theSecondSiteIsServedFromTheCache() throws {
        var fixture = try TUFRepositoryFixture()
        let target = "slc9_x86-64/AliPhysics/AliPhysics-v5-09-45a-01-1.slc9_x86-64.tar.gz"
        try fixture.addTarget(target, content: (0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try fixture.publish()
        let base = try Interop.temporaryDirectory("trust-squid")
        defer { try? FileManager.default.removeItem(at: base) }
        let repository = base.appendingPathComponent("repo")
        try fixture.store.write(prefix: "https://tuf.test/", to: repository)
        // nginx workers may run as nobody: the tree must be readable by all.
        _ = try Interop.run(URL(fileURLWithPath: "/bin/chmod"), ["-R", "a+rX", base.path])
        let root = base.appendingPathComponent("root.json")
        try Data(fixture.initialRootBytes).write(to: root)

        let nginx = try NginxServer(root: repository, serverBlock: try Self.shipped("installer/nginx/alien-repo.conf"))
        defer { nginx.stop() }
        let squid = try SquidServer(configuration: try Self.shipped("installer/squid/site-cache.conf"))
        defer { squid.stop() }
        let origin = nginx.baseURL.absoluteString

        for site in ["site-a", "site-b"] {
            let metadata = base.appendingPathComponent("\(site)/metadata").path
            let initialized = try Interop.run(CLITests.binary, ["trust", "init", root.path, "--metadata-dir", metadata])
            #expect(initialized.status == 0, "\(initialized.stderr)")
            let download = try Interop.run(
                CLITests.binary,
                [
                    "trust", "download", target, "--metadata-dir", metadata, "--metadata-url", origin + "/metadata",
                    "--target-base-url", origin + "/targets", "--target-dir", base.appendingPathComponent("\(site)/targets").path, "--json"
                ],
                environment: ["http_proxy": squid.proxyURL.absoluteString, "no_proxy": ""])
            #expect(download.status == 0, "\(site): \(download.stderr)")
            #expect(download.text.contains("\"status\":\"downloaded\""), "\(site): \(download.text)")
            let file = base.appendingPathComponent("\(site)/targets/\(target)")
            #expect(FileManager.default.contents(atPath: file.path) == Data(fixture.targetContents[target]!))
        }

        // Squid's log (the shipped `alien` format: time elapsed client code/status bytes method URL ...).
        var lines: [[Substring]] = []
        for _ in 0..<6000 {  // ≤ 300 s: squid logs after answering; a hang catcher
            lines = squid.accessLogLines.map { $0.split(separator: " ", omittingEmptySubsequences: true) }.filter { $0.count >= 7 }
            if lines.count >= 10 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let hits = ["TCP_HIT/", "TCP_MEM_HIT/", "TCP_REFRESH_UNMODIFIED/", "TCP_IMS_HIT/"]
        // Immutable files: the first site misses, the second hits. (timestamp.json and the
        // 404 for 2.root.json are revalidated or re-asked; they are tiny.)
        for suffix in [".snapshot.json", ".targets.json", ".tar.gz"] {
            let codes = lines.filter { $0[6].hasSuffix(suffix) }.map { String($0[3]) }
            #expect(codes.count == 2, "\(suffix): \(codes)\n\(squid.accessLogLines.joined(separator: "\n"))")
            #expect(codes.first?.hasPrefix("TCP_MISS/200") == true, "\(suffix): \(codes)")
            #expect(codes.last.map { code in hits.contains { code.hasPrefix($0) } } == true, "\(suffix): \(codes)")
        }
        let originLog = try String(contentsOf: nginx.directory.appendingPathComponent("access.log"), encoding: .utf8)
        #expect(
            originLog.components(separatedBy: "\n").filter { $0.contains(".tar.gz") }.count == 1,
            "the tarball reached the origin once:\n\(originLog)")
    }

    /// Two sites install the same closure through one Squid: the second site's tarballs come out
    /// of the cache (the origin serves each once), and both areas verify.
    @Test func aSecondSiteInstallsFromTheCache() throws {
        let site = try AreaCLITests.site("squid", blobSize: 500_000, serverBlock: try Self.shipped("installer/nginx/alien-repo.conf"))
        defer { site.stop() }
        let squid = try SquidServer(configuration: try Self.shipped("installer/squid/site-cache.conf"))
        defer { squid.stop() }
        for name in ["site-a", "site-b"] {
            let area = site.area(name)
            let installed = try Interop.run(
                CLITests.binary,
                ["install", "AliPhysics", "--area", area, "--arch", AreaCLITests.arch, "--repo", site.repoURL, "--root", site.rootFile],
                environment: ["http_proxy": squid.proxyURL.absoluteString, "no_proxy": ""])
            #expect(installed.status == 0, "\(name): \(installed.stderr)")
            let verified = try Interop.run(CLITests.binary, ["verify", "--area", area])
            #expect(verified.status == 0 && verified.text.split(separator: "\n").count == 5, "\(name): \(verified.text)")
        }
        let downloads = site.tarballDownloads
        #expect(downloads.count == 5 && downloads.values.allSatisfy { $0 == 1 }, "the origin served each tarball once: \(downloads)")
        var tarballLines: [[Substring]] = []
        for _ in 0..<6000 {  // ≤ 300 s: squid logs after answering; a hang catcher
            tarballLines = squid.accessLogLines.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
                .filter { $0.count >= 7 && $0[6].hasSuffix(".tar.gz") }
            if tarballLines.count >= 10 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let hits = ["TCP_HIT/", "TCP_MEM_HIT/", "TCP_REFRESH_UNMODIFIED/", "TCP_IMS_HIT/"]
        let codes = tarballLines.map { String($0[3]) }
        #expect(codes.count == 10, "\(codes)")
        #expect(codes.prefix(5).allSatisfy { $0.hasPrefix("TCP_MISS/200") }, "\(codes)")
        #expect(codes.suffix(5).allSatisfy { code in hits.contains { code.hasPrefix($0) } }, "\(codes)")
    }
}
