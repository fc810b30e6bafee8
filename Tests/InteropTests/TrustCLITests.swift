import Foundation
import Testing
import TestSupport
import Trust

/// `alien-install trust init|refresh|info|download` as an admin runs them, against a signed
/// repository served by a real nginx: exit 0 only on full success, the reason on stderr, refused
/// metadata never stored and no unverified byte left in the target directory.
@Suite struct TrustCLITests {
    struct Site {
        let repository: URL
        let server: NginxServer
        let metadataDir: String
        let targetDir: String
        var metadataURL: String { server.baseURL.absoluteString + "/metadata" }
        var targetURL: String { server.baseURL.absoluteString + "/targets" }

        func trust(_ command: String, _ arguments: [String]) throws -> Interop.Result {
            var all = [command, "--metadata-dir", metadataDir, "--metadata-url", metadataURL] + arguments
            if command == "download" { all += ["--target-base-url", targetURL, "--target-dir", targetDir] }
            return try Interop.run(CLITests.binary, ["trust"] + all)
        }

        func stop() {
            server.stop()
            try? FileManager.default.removeItem(at: repository.deletingLastPathComponent())
        }
    }

    /// A repository with a top-level target and one in a delegated role, written to disk and served.
    static func site() throws -> (Site, TUFRepositoryFixture) {
        var fixture = try TUFRepositoryFixture()
        try fixture.addTarget("slc9_x86-64/zlib/zlib-v1.3-1.slc9_x86-64.tar.gz", content: Array(repeating: 7, count: 40_000))
        let packages = SigningKey.generate()
        try fixture.delegate(
            try DelegatedRole(
                name: "ROOT-packages", keyIDs: [packages.keyID], threshold: 1, terminating: true,
                paths: .paths(["*/ROOT/*"])), signers: [packages])
        try fixture.addTarget("slc9_x86-64/ROOT/ROOT-v6-1.slc9_x86-64.tar.gz", content: Array("root tarball".utf8), role: "ROOT-packages")
        try fixture.publish()
        let base = try Interop.temporaryDirectory("trust-cli")
        let repository = base.appendingPathComponent("repo")
        try Self.write(fixture, to: repository)
        let site = Site(
            repository: repository, server: try NginxServer(root: repository),
            metadataDir: base.appendingPathComponent("site/metadata").path,
            targetDir: base.appendingPathComponent("site/targets").path)
        try Data(fixture.initialRootBytes).write(to: base.appendingPathComponent("root.json"))
        return (site, fixture)
    }

    static func write(_ fixture: TUFRepositoryFixture, to repository: URL) throws {
        try fixture.store.write(prefix: "https://tuf.test/", to: repository)
    }

    static func snapshotOf(_ directory: String) -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let name = enumerator?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: directory + "/" + name) { files[name] = data }
        }
        return files
    }

    @Test func initRefreshInfoDownloadAndCache() throws {
        let (site, _) = try Self.site()
        defer { site.stop() }
        let rootFile = site.repository.deletingLastPathComponent().appendingPathComponent("root.json").path
        let initialized = try Interop.run(CLITests.binary, ["trust", "init", rootFile, "--metadata-dir", site.metadataDir])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        #expect(initialized.text.contains("trusted root version 1"))

        let refreshed = try site.trust("refresh", ["--json"])
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        let roles = try JSONSerialization.jsonObject(with: refreshed.stdout) as? [[String: Any]] ?? []
        #expect(roles.compactMap { $0["role"] as? String } == ["root", "timestamp", "snapshot", "targets"])

        let rootTarget = "slc9_x86-64/ROOT/ROOT-v6-1.slc9_x86-64.tar.gz"
        let info = try site.trust("info", [rootTarget, "--json"])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.text.contains("\"role\":\"ROOT-packages\""))

        let first = try site.trust("download", [rootTarget, "slc9_x86-64/zlib/zlib-v1.3-1.slc9_x86-64.tar.gz"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.text.components(separatedBy: "downloaded ").count == 3)
        #expect(FileManager.default.contents(atPath: site.targetDir + "/" + rootTarget) == Data("root tarball".utf8))
        let second = try site.trust("download", [rootTarget, "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.text.contains("\"status\":\"cached\""))
        #expect(
            !(try String(contentsOf: site.server.directory.appendingPathComponent("access.log"), encoding: .utf8))
                .components(separatedBy: "\n").filter { $0.contains("ROOT-v6-1") }.isEmpty)
    }

    @Test func unknownTargetsAndTamperedFilesFailWithTheReasonAndLeaveNothing() throws {
        let (site, _) = try Self.site()
        defer { site.stop() }
        let rootFile = site.repository.deletingLastPathComponent().appendingPathComponent("root.json").path
        #expect(try Interop.run(CLITests.binary, ["trust", "init", rootFile, "--metadata-dir", site.metadataDir]).status == 0)

        let unknown = try site.trust("info", ["slc9_x86-64/ROOT/ROOT-v9-9.slc9_x86-64.tar.gz"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("ROOT-v9-9.slc9_x86-64.tar.gz: no trusted targets role lists it"))

        // The server's copy of zlib is swapped for other bytes of the same length.
        let zlib = "slc9_x86-64/zlib/zlib-v1.3-1.slc9_x86-64.tar.gz"
        let stored = try FileManager.default.contentsOfDirectory(atPath: site.repository.appendingPathComponent("targets/slc9_x86-64/zlib").path)
        for name in stored {
            try Data(repeating: 8, count: 40_000).write(to: site.repository.appendingPathComponent("targets/slc9_x86-64/zlib/" + name))
        }
        let tampered = try site.trust("download", [zlib])
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("sha256"), "\(tampered.stderr)")
        #expect(Self.snapshotOf(site.targetDir).isEmpty, "no unverified byte is left in the target directory")
    }

    @Test func aRolledBackTimestampIsRefusedAndTheTrustedMetadataStays() throws {
        let (site, initial) = try Self.site()
        var fixture = initial
        defer { site.stop() }
        let rootFile = site.repository.deletingLastPathComponent().appendingPathComponent("root.json").path
        #expect(try Interop.run(CLITests.binary, ["trust", "init", rootFile, "--metadata-dir", site.metadataDir]).status == 0)
        let oldTimestamp = try Data(contentsOf: site.repository.appendingPathComponent("metadata/timestamp.json"))
        try fixture.addTarget("slc9_x86-64/zlib/zlib-v1.3-2.slc9_x86-64.tar.gz", content: Array("new".utf8))
        try fixture.publish()
        try Self.write(fixture, to: site.repository)
        #expect(try site.trust("refresh", []).status == 0)
        let trusted = Self.snapshotOf(site.metadataDir)

        try oldTimestamp.write(to: site.repository.appendingPathComponent("metadata/timestamp.json"))
        let rolledBack = try site.trust("refresh", [])
        #expect(rolledBack.status == 1)
        #expect(rolledBack.stderr.contains("timestamp"), "\(rolledBack.stderr)")
        #expect(Self.snapshotOf(site.metadataDir) == trusted)
    }

    /// `scripts/tuf-conformance-client`, the TUF conformance suite's CLI protocol mapped onto
    /// `trust` (docs/TUF-CONFORMANCE.md), called as the suite calls it: global options first,
    /// `--target-name` repeated, the command last; exit 0 or 1.
    @Test func theConformanceSuiteAdapterDrivesTheCLI() throws {
        let (site, _) = try Self.site()
        defer { site.stop() }
        let adapter = Interop.root.appendingPathComponent("scripts/tuf-conformance-client")
        let environment = ["ALIEN_INSTALL": CLITests.binary.path]
        func client(_ arguments: [String]) throws -> Interop.Result {
            try Interop.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", adapter.path] + arguments, environment: environment)
        }
        let rootFile = site.repository.deletingLastPathComponent().appendingPathComponent("root.json").path
        try FileManager.default.createDirectory(atPath: site.metadataDir, withIntermediateDirectories: true)
        let initialized = try client(["--metadata-dir", site.metadataDir, "init", rootFile])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        let refreshed = try client(["--metadata-url", site.metadataURL, "--metadata-dir", site.metadataDir, "refresh"])
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        #expect(Set(Self.snapshotOf(site.metadataDir).keys) == ["root.json", "timestamp.json", "snapshot.json", "targets.json"])
        let zlib = "slc9_x86-64/zlib/zlib-v1.3-1.slc9_x86-64.tar.gz", root = "slc9_x86-64/ROOT/ROOT-v6-1.slc9_x86-64.tar.gz"
        let common = ["--metadata-url", site.metadataURL, "--metadata-dir", site.metadataDir]
        let downloaded = try client(
            common + [
                "--target-name", zlib, "--target-name", root, "--target-dir", site.targetDir,
                "--target-base-url", site.targetURL, "download"
            ])
        #expect(downloaded.status == 0, "\(downloaded.stderr)")
        #expect(FileManager.default.contents(atPath: site.targetDir + "/" + root) == Data("root tarball".utf8))
        let unknown = try client(
            common + [
                "--target-name", "nonexistent target", "--target-dir", site.targetDir,
                "--target-base-url", site.targetURL, "download"
            ])
        #expect(unknown.status == 1 && unknown.stderr.contains("nonexistent target"), "\(unknown.stderr)")
    }

    /// `http_proxy` from the environment (a site Squid) carries the client's requests: a
    /// recording proxy sees the absolute-URI request for a host that does not exist.
    @Test func theEnvironmentProxyCarriesTheRequests() throws {
        let base = try Interop.temporaryDirectory("trust-proxy")
        defer { try? FileManager.default.removeItem(at: base) }
        let proxy = try FaultServer(root: base)
        defer { proxy.stop() }
        let (site, fixture) = try Self.site()
        defer { site.stop() }
        let metadata = base.appendingPathComponent("metadata").path
        try Data(fixture.initialRootBytes).write(to: base.appendingPathComponent("root.json"))
        #expect(try Interop.run(CLITests.binary, ["trust", "init", base.appendingPathComponent("root.json").path, "--metadata-dir", metadata]).status == 0)
        let refreshed = try Interop.run(
            CLITests.binary, ["trust", "refresh", "--metadata-dir", metadata, "--metadata-url", "http://repository.alien.invalid/metadata"],
            environment: ["http_proxy": proxy.baseURL, "no_proxy": ""])
        // The proxy answers with something that is not metadata: the refresh must fail, safely.
        #expect(refreshed.status == 1)
        #expect(proxy.logLines.contains { $0.contains(" GET http://repository.alien.invalid/metadata/2.root.json ") }, "\(proxy.logLines)")
    }
}
