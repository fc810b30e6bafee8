import Basics
import Foundation
import Testing
import TestSupport

/// `alien-install install|remove|gc|verify|list|lease` against a repository published by
/// `alien-install publish` and served by a real nginx: a closure installed and run, no second
/// download (access log), refusal messages, 20 concurrent installers, and kill -9 at 50 random moments.
@Suite struct AreaCLITests {
    static let arch = "slc9_x86-64"

    struct Site {
        let base: URL
        let server: NginxServer
        var repoURL: String { server.baseURL.absoluteString }
        var rootFile: String { base.appendingPathComponent("repo/metadata/1.root.json").path }
        func area(_ name: String = "area") -> String { base.appendingPathComponent(name).path }

        /// Successful GETs of package tarballs, by file name.
        var tarballDownloads: [String: Int] { targetDownloads(suffix: ".tar.gz") }
        /// Successful GETs of piece-hash lists (publish writes them by default), by file name.
        var pieceListDownloads: [String: Int] { targetDownloads(suffix: ".pieces") }

        func targetDownloads(suffix: String) -> [String: Int] {
            var counts: [String: Int] = [:]
            // Settled: every request the installer had answered is in the log.
            for line in server.settledAccessLogLines where line.contains("\"GET /targets/") && line.hasSuffix(" 200") {
                let path = line.split(separator: " ")[1]
                guard path.hasSuffix(suffix) else { continue }
                counts[String(path.split(separator: "/").last ?? ""), default: 0] += 1
            }
            return counts
        }

        func stop() {
            server.stop()
            try? FileManager.default.removeItem(at: base)
        }
    }

    static func program(_ package: inout FixturePackage) {
        package.programs = ["\(package.name.lowercased())-hello": "#!/bin/sh\necho \"\(package.name) at {PREFIX}\"\n"]
    }

    /// zlib, xz, ROOT(zlib, xz), Python(zlib), AliPhysics(ROOT, Python), published with the CLI.
    /// `serverBlock`: an nginx server block to run instead of the test default (e.g. the shipped
    /// installer/nginx/alien-repo.conf). `tls`: nginx serves it over https with that certificate.
    static func site(_ name: String, blobSize: Int = 0, serverBlock: String? = nil, tls: NginxServer.TLS? = nil) throws -> Site {
        let base = try Interop.temporaryDirectory("area-\(name)")
        let keys = base.appendingPathComponent("keys").path, repo = base.appendingPathComponent("repo").path
        for role in ["root", "targets", "snapshot", "timestamp"] {
            let generated = try CLITests.cli(["keys", "generate", role, "--dir", keys])
            try #require(generated.status == 0, "\(generated.stderr)")
        }
        let initialised = try CLITests.cli([
            "repo", "init", repo, "--root-key", "\(keys)/root.key", "--targets-key", "\(keys)/targets.key",
            "--snapshot-key", "\(keys)/snapshot.key", "--timestamp-key", "\(keys)/timestamp.key"
        ])
        try #require(initialised.status == 0, "\(initialised.stderr)")
        var zlib = FixturePackage(name: "zlib", version: "v1.3.1")
        program(&zlib)
        let xz = FixturePackage(name: "xz", version: "v5.4.6")
        var root = FixturePackage(name: "ROOT", version: "v6-32-06", requires: [zlib, xz])
        program(&root)
        root.blobSize = blobSize
        let python = FixturePackage(name: "Python", version: "v3.12.1", requires: [zlib])
        var aliPhysics = FixturePackage(name: "AliPhysics", version: "v5-09-45a-01", requires: [root, python])
        program(&aliPhysics)
        aliPhysics.blobSize = blobSize
        let workDir = base.appendingPathComponent("sw")
        try aliPhysics.store(in: workDir, arch: arch)
        let published = try CLITests.cli(["publish", "--repo", repo, "--work-dir", workDir.path, "AliPhysics", "--keys-dir", keys])
        try #require(published.status == 0, "\(published.stderr)")
        return Site(base: base, server: try NginxServer(root: URL(fileURLWithPath: repo), serverBlock: serverBlock, tls: tls))
    }

    static func cli(_ arguments: [String]) throws -> Interop.Result {
        try Interop.run(CLITests.binary, arguments)
    }

    /// `Name/Version-Rev` of every package an install record's signed metadata requires.
    static func requiredFolders(record: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: record),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let custom = object["custom"] as? [String: Any], let paths = custom["full_requires"] as? [String]
        else { return [] }
        // <arch>/<Name>/<Name>-<Version>-<Rev>.<arch>.tar.gz → <Name>/<Version>-<Rev>
        return paths.compactMap { path in
            let parts = path.split(separator: "/")
            guard parts.count == 3 else { return nil }
            let name = String(parts[1])
            let file = parts[2].dropFirst(name.count + 1).replacingOccurrences(of: ".\(arch).tar.gz", with: "")
            return "\(name)/\(file)"
        }
    }

    @Test func installRunAndManageThroughTheCLI() throws {
        let site = try Self.site("manage")
        defer { site.stop() }
        let area = site.area()
        let first = try Self.cli([
            "install", "VO_ALICE@ROOT::v6-32-06-1", "--area", area, "--arch", Self.arch, "--repo", site.repoURL,
            "--root", site.rootFile
        ])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.text.contains("ROOT/v6-32-06-1: installed in \(area)/\(Self.arch)/ROOT/v6-32-06-1"))
        let prefix = "\(area)/\(Self.arch)/ROOT/v6-32-06-1"
        let hello = try Interop.run(URL(fileURLWithPath: "\(prefix)/bin/root-hello"), [])
        #expect(hello.text == "ROOT at \(prefix)\n")
        #expect(site.tarballDownloads.count == 3 && site.tarballDownloads.values.allSatisfy { $0 == 1 })
        // Streamed: each tarball was verified against its signed piece-hash list.
        #expect(site.pieceListDownloads.count == 3 && site.pieceListDownloads.values.allSatisfy { $0 == 1 }, "\(site.pieceListDownloads)")

        // Already installed: exit 0, only metadata fetched, nothing downloaded.
        let again = try Self.cli(["install", "ROOT", "--area", area, "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.text.contains("\"event\":\"already-installed\""))
        #expect(site.tarballDownloads.values.allSatisfy { $0 == 1 })

        let listed = try Self.cli(["list", "--installed", "--area", area])
        #expect(listed.text.contains("VO_ALICE@ROOT::v6-32-06-1"))
        let available = try Self.cli(["list", "--available", "--area", area, "--json"])
        #expect(available.status == 0 && available.text.split(separator: "\n").count == 5, "\(available.stderr)")

        let needed = try Self.cli(["remove", "zlib", "--area", area])
        #expect(needed.status == 1)
        #expect(needed.stderr.contains("zlib/v1.3.1-1: needed by installed ROOT/v6-32-06-1; not removed (--force to remove anyway)"))
        let leased = try Self.cli(["lease", "acquire", "ROOT", "--holder", "job-7", "--ttl", "600", "--area", area])
        #expect(leased.status == 0, "\(leased.stderr)")
        let refused = try Self.cli(["remove", "ROOT", "--area", area])
        #expect(refused.status == 1 && refused.stderr.contains("ROOT/v6-32-06-1: leased by job-7"))
        let gc = try Self.cli(["gc", "--budget", "0", "--area", area, "--json"])
        #expect(gc.status == 0 && gc.text.contains("\"removed\":[]"), "\(gc.text) \(gc.stderr)")
        #expect(try Self.cli(["lease", "release", "--holder", "job-7", "--area", area]).status == 0)

        try "tampered\n".write(toFile: "\(prefix)/bin/root-hello", atomically: false, encoding: .utf8)
        let damaged = try Self.cli(["verify", "ROOT", "--area", area])
        #expect(damaged.status == 1 && damaged.text.contains("ROOT/v6-32-06-1: bin/root-hello: size expected"))
        let repaired = try Self.cli(["verify", "--repair", "--area", area])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(try Interop.run(URL(fileURLWithPath: "\(prefix)/bin/root-hello"), []).text == "ROOT at \(prefix)\n")

        let removed = try Self.cli(["remove", "ROOT", "--area", area])
        #expect(removed.status == 0 && removed.text.contains("ROOT/v6-32-06-1: removed"), "\(removed.stderr)")
        let collected = try Self.cli(["gc", "--budget", "0", "--area", area])
        #expect(collected.status == 0 && collected.text.contains("2 package(s) removed"), "\(collected.text)")
        // Not a terminal: no live progress line in text; --json gives progress events.
        #expect(!first.text.contains("ETA"))
        let json = try Self.cli(["install", "xz", "--area", area, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.text.contains("\"event\":\"progress\"") && json.text.contains("\"bytes_per_second\":"), "\(json.text)")
    }

    @Test func concurrentInstallersDownloadEachTarballOnce() throws {
        let site = try Self.site("concurrent")
        defer { site.stop() }
        let area = site.area()
        let bootstrap = try Self.cli(["trust", "init", site.rootFile, "--metadata-dir", "\(area)/.alien/trust"])
        try #require(bootstrap.status == 0, "\(bootstrap.stderr)")
        let patterns = [["AliPhysics"], ["ROOT"], ["Python"], ["zlib", "xz"], ["AliPhysics"], ["ROOT", "Python"], ["xz"], ["AliPhysics::latest"]]
        // 20 installers at once over overlapping closures.
        let requests = (0..<20).map { patterns[$0 % patterns.count] }
        var processes: [(Process, URL)] = []
        for (index, packages) in requests.enumerated() {
            let process = Process()
            process.executableURL = CLITests.binary
            process.arguments = ["install"] + packages + ["--area", area, "--arch", Self.arch, "--repo", site.repoURL]
            let log = site.base.appendingPathComponent("installer-\(index).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.start()
            processes.append((process, log))
        }
        for (process, log) in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        let downloads = site.tarballDownloads
        #expect(downloads.count == 5, "\(downloads)")
        #expect(downloads.values.allSatisfy { $0 == 1 }, "\(downloads)")
        let verified = try Self.cli(["verify", "--area", area])
        #expect(verified.status == 0 && verified.text.split(separator: "\n").count == 5, "\(verified.text)")
    }

    @Test func killedInstallerLeavesCompletePackagesOrNothing() throws {
        let site = try Self.site("kill", blobSize: 3_000_000)
        defer { site.stop() }
        let area = site.area()
        let arguments = ["install", "AliPhysics", "--area", area, "--arch", Self.arch, "--repo", site.repoURL, "--root", site.rootFile]
        for round in 0..<50 {
            let process = Process()
            process.executableURL = CLITests.binary
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.start()
            usleep(UInt32.random(in: 0...400_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // Every visible package directory is complete: it has its record and verifies, and
            // the packages it needs are visible too (closures are renamed in dependency order).
            let archDirectory = "\(area)/\(Self.arch)"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: archDirectory)) ?? [] where name != "Modules" {
                for version in (try? FileManager.default.contentsOfDirectory(atPath: "\(archDirectory)/\(name)")) ?? [] {
                    let record = "\(archDirectory)/\(name)/\(version)/.alien-install.json"
                    #expect(FileManager.default.fileExists(atPath: record), "round \(round): \(name)/\(version) is visible without its record")
                    for dependency in Self.requiredFolders(record: record) {
                        #expect(
                            FileManager.default.fileExists(atPath: "\(archDirectory)/\(dependency)/.alien-install.json"),
                            "round \(round): \(name)/\(version) is visible without \(dependency)")
                    }
                }
            }
            if FileManager.default.fileExists(atPath: "\(area)/.alien/config.json") {
                let verified = try Self.cli(["verify", "--area", area])
                #expect(verified.status == 0, "round \(round): \(verified.text) \(verified.stderr)")
            }
            if round % 4 == 3 {
                // Start over now and then, so kills land early in the closure again.
                _ = try Self.cli(["gc", "--budget", "0", "--area", area])
            }
        }
        let finished = try Self.cli(arguments)
        #expect(finished.status == 0, "\(finished.stderr)")
        let verified = try Self.cli(["verify", "--area", area])
        #expect(verified.status == 0 && verified.text.split(separator: "\n").count == 5, "\(verified.text)")
        let stage = (try? FileManager.default.contentsOfDirectory(atPath: "\(area)/.alien/stage")) ?? []
        #expect(stage.filter { !$0.hasSuffix(".lock") }.isEmpty, "stale stage directories swept: \(stage)")
        let prefix = "\(area)/\(Self.arch)/AliPhysics/v5-09-45a-01-1"
        #expect(try Interop.run(URL(fileURLWithPath: "\(prefix)/bin/aliphysics-hello"), []).text == "AliPhysics at \(prefix)\n")
    }
}
