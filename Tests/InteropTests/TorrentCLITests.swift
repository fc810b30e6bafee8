import Foundation
import Testing
import TestSupport
import Torrents

/// `publish --web-seed-base/--tracker`, `install --via torrent|auto`, `seed`, as separate
/// processes on 127.0.0.1 (each one a "host"): nginx is the repository and web seed,
/// `alien-install seed` the site peers, opentracker the tracker.
@Suite(.serialized) struct TorrentCLITests {
    static let arch = "slc9_x86-64"

    struct Site {
        let base: URL
        let server: NginxServer
        var repo: String { base.appendingPathComponent("repo").path }
        var keys: String { base.appendingPathComponent("keys").path }
        var repoURL: String { server.baseURL.absoluteString }
        var rootFile: String { "\(repo)/metadata/1.root.json" }
        func area(_ name: String) -> String { base.appendingPathComponent(name).path }

        /// Lines of the nginx access log that asked for a tarball of `name` (any status: web seeds get 206).
        func tarballRequests(_ name: String) -> Int {
            server.settledAccessLogLines.filter { $0.contains("\"GET /targets/\(TorrentCLITests.arch)/\(name)/") && $0.contains(".tar.gz ") }.count
        }

        /// The published torrent of package `name` (the stored `<sha256>.<file>.torrent`).
        func torrent(_ name: String) throws -> (path: String, file: TorrentFile) {
            let directory = "\(repo)/targets/\(TorrentCLITests.arch)/\(name)"
            let entry = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".torrent") })
            let path = "\(directory)/\(entry)"
            return (path, try TorrentFile(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        }

        func stop() {
            server.stop()
            try? FileManager.default.removeItem(at: base)
        }
    }

    /// A repository with ROOT (3 MiB, no tracker) published with torrents whose web seed is nginx.
    static func site(_ name: String, blobSize: Int = 3 << 20) throws -> Site {
        let base = try Interop.temporaryDirectory("torrent-\(name)")
        let repo = base.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        let site = Site(base: base, server: try NginxServer(root: repo))
        for role in ["root", "targets", "snapshot", "timestamp"] {
            let generated = try cli(["keys", "generate", role, "--dir", site.keys])
            try #require(generated.status == 0, "\(generated.stderr)")
        }
        let initialised = try cli([
            "repo", "init", site.repo, "--root-key", "\(site.keys)/root.key", "--targets-key", "\(site.keys)/targets.key",
            "--snapshot-key", "\(site.keys)/snapshot.key", "--timestamp-key", "\(site.keys)/timestamp.key"
        ])
        try #require(initialised.status == 0, "\(initialised.stderr)")
        var root = FixturePackage(name: "ROOT", version: "v6-32-06")
        root.programs = ["root-hello": "#!/bin/sh\necho \"ROOT at {PREFIX}\"\n"]
        root.blobSize = blobSize
        try publish(root, site: site, ["--web-seed-base", site.repoURL])
        return site
    }

    static func publish(_ package: FixturePackage, site: Site, id: String? = nil, _ extra: [String]) throws {
        let workDir = site.base.appendingPathComponent("sw-\(package.name)-\(package.revision)")
        _ = try package.store(in: workDir, arch: arch)
        let published = try cli(["publish", "--repo", site.repo, "--work-dir", workDir.path, id ?? package.name, "--keys-dir", site.keys] + extra)
        try #require(published.status == 0, "\(published.stderr)")
    }

    static func cli(_ arguments: [String]) throws -> Interop.Result { try Interop.run(CLITests.binary, arguments) }

    static func install(_ site: Site, area: String, _ extra: [String], package: String = "ROOT") throws -> Interop.Result {
        try cli(
            [
                "install", package, "--area", area, "--arch", arch, "--repo", site.repoURL, "--root", site.rootFile, "--json",
                "--listen", "127.0.0.1:0"
            ] + extra)
    }

    /// Every file of an installed package, with the area's path replaced (relocation writes it).
    static func tree(_ area: String, package: String = "ROOT/v6-32-06-1") throws -> [String: Data] {
        let prefix = "\(area)/\(arch)/\(package)"
        var files: [String: Data] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: prefix))
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(prefix)/\(relative)", isDirectory: &isDirectory), !isDirectory.boolValue,
                !relative.hasSuffix(".alien-install.json")
            else { continue }
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(prefix)/\(relative)"))
            if let text = String(data: data, encoding: .utf8) {
                files[relative] = Data(text.replacingOccurrences(of: area, with: "@AREA@").utf8)
            } else {
                files[relative] = data
            }
        }
        return files
    }

    /// `alien-install seed` of `area` on a free port of 127.0.0.1, started and waited for.
    static func seeder(_ site: Site, area: String, _ extra: [String] = []) throws -> (BackgroundProcess, Int) {
        let port = Int(try NginxServer.freePort())
        let process = try BackgroundProcess(
            CLITests.binary.path, ["seed", "--area", area, "--listen", "127.0.0.1:\(port)"] + extra,
            output: site.base.appendingPathComponent("seed-\(port).log"))
        try #require(process.wait(for: "seeding 1 torrent(s) on port \(port)", seconds: 120), "seeder: \(process.text)")
        return (process, port)
    }

    @Test(.timeLimit(.minutes(5)))
    func webSeedOnlyThenPeersOnlyThenMixedAreIdenticalToHTTP() throws {
        let site = try Self.site("paths")
        defer { site.stop() }
        let http = try Self.install(site, area: site.area("http"), ["--via", "http"])
        try #require(http.status == 0, "\(http.stderr)")
        #expect(!http.text.contains("\"event\":\"swarm\""))
        let reference = try Self.tree(site.area("http"))
        #expect(reference["share/blob.bin"]?.count == 3 << 20)

        // The torrent's web seed is the tarball's stored URL at the repository.
        let directory = "\(site.repo)/targets/\(Self.arch)/ROOT"
        let stored = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".tar.gz") })
        #expect(try site.torrent("ROOT").file.webSeeds == ["\(site.repoURL)/targets/\(Self.arch)/ROOT/\(stored)"])

        // Web seed only (no peers, no tracker): nginx serves ranges of the tarball.
        let seedArea = site.area("seeder")
        let webSeed = try Self.install(site, area: seedArea, ["--via", "torrent", "--keep-for-seeding"])
        #expect(webSeed.status == 0, "\(webSeed.stderr)")
        #expect(webSeed.text.contains("\"event\":\"swarm\"") && !webSeed.text.contains("\"event\":\"fallback\""), "\(webSeed.text)")
        #expect(try Self.tree(seedArea) == reference)
        let cached = try FileManager.default.contentsOfDirectory(atPath: "\(seedArea)/.alien/cache")
        #expect(cached.count == 2 && cached.contains { $0.hasSuffix(".tar.gz.torrent") }, "\(cached)")

        // Peers only: the seeder above, no web seed; nginx sees no tarball request.
        let (seeder, port) = try Self.seeder(site, area: seedArea)
        defer { seeder.stop() }
        let before = site.tarballRequests("ROOT")
        let peers = try Self.install(
            site, area: site.area("peers"),
            [
                "--via", "torrent", "--no-web-seed", "--peer", "127.0.0.1:\(port)",
                "--stall-timeout", "60"
            ])
        #expect(peers.status == 0, "\(peers.stderr)")
        #expect(!peers.text.contains("\"event\":\"fallback\""), "\(peers.text)")
        #expect(site.tarballRequests("ROOT") == before, "the origin served the peers-only install")
        #expect(try Self.tree(site.area("peers")) == reference)

        // Both: the seeder (a site peer from the area's config.json, so auto picks the swarm) and the web seed.
        try FileManager.default.createDirectory(atPath: "\(site.area("mixed"))/.alien", withIntermediateDirectories: true)
        try "{\"peers\": [\"127.0.0.1:\(port)\"]}\n".write(toFile: "\(site.area("mixed"))/.alien/config.json", atomically: true, encoding: .utf8)
        let mixed = try Self.install(site, area: site.area("mixed"), [])
        #expect(mixed.status == 0, "\(mixed.stderr)")
        #expect(mixed.text.contains("\"event\":\"swarm\"") && !mixed.text.contains("\"event\":\"fallback\""), "\(mixed.text)")
        #expect(try Self.tree(site.area("mixed")) == reference)

        let stopped = seeder.stop()
        #expect(stopped.clean && stopped.status == 0, "seed did not stop cleanly on SIGTERM: \(seeder.text)")
        #expect(seeder.text.contains("stopped: ") && seeder.text.contains("bytes uploaded"), "\(seeder.text)")
    }

    @Test(.timeLimit(.minutes(5)))
    func aTamperedTorrentTargetIsRefusedBeforeAnyPeerIsAsked() throws {
        let site = try Self.site("tampered", blobSize: 1 << 20)
        defer { site.stop() }
        let (path, _) = try site.torrent("ROOT")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        let area = site.area("area")
        let refused = try Self.install(site, area: area, ["--via", "torrent"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("torrent") && refused.stderr.contains("refused"), "\(refused.stderr)")
        #expect(!refused.text.contains("\"event\":\"swarm\""))
        #expect(site.tarballRequests("ROOT") == 0, "nothing was downloaded")
        #expect(!FileManager.default.fileExists(atPath: "\(area)/\(Self.arch)/ROOT/v6-32-06-1"))
    }

    @Test(.timeLimit(.minutes(5)))
    func aDownTrackerLeavesTheWebSeedAndAutoPicksTheSwarm() throws {
        let site = try Self.site("tracker-down", blobSize: 1 << 20)
        defer { site.stop() }
        let dead = try NginxServer.freePort()
        var xz = FixturePackage(name: "xz", version: "v5.4.6")
        xz.blobSize = 1 << 20
        try Self.publish(xz, site: site, ["--web-seed-base", site.repoURL, "--tracker", "http://127.0.0.1:\(dead)/announce"])
        #expect(try site.torrent("xz").file.trackers == ["http://127.0.0.1:\(dead)/announce"])
        // The tracker's whitelist: every tarball's torrent info-hash from the signed metadata.
        let whitelist = try Self.cli(["repo", "list", site.repo, "--infohashes"])
        #expect(whitelist.status == 0)
        #expect(whitelist.text == [try site.torrent("ROOT").file.infoHash, try site.torrent("xz").file.infoHash].sorted().map { $0 + "\n" }.joined())
        // auto: the torrent names a tracker, so the swarm; the tracker is down, the web seed serves it.
        let auto = try Self.install(site, area: site.area("auto"), [], package: "xz")
        #expect(auto.status == 0, "\(auto.stderr)")
        #expect(auto.text.contains("\"event\":\"swarm\"") && !auto.text.contains("\"event\":\"fallback\""), "\(auto.text)")
        // auto without tracker or peers (ROOT): plain HTTP; with --keep-for-seeding the verified
        // tarball and its torrent are kept for `seed`.
        let plain = try Self.install(site, area: site.area("auto"), ["--keep-for-seeding"], package: "ROOT")
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!plain.text.contains("\"event\":\"swarm\""))
        let cached = try FileManager.default.contentsOfDirectory(atPath: "\(site.area("auto"))/.alien/cache")
        #expect(cached.filter { $0.contains("ROOT-v6-32-06-1") }.count == 2, "\(cached)")
    }

    /// A closure whose torrents name a tracker that is down, and no web seed: the first package
    /// tries the swarm while the others wait; it stalls, and the whole closure goes to HTTP with
    /// one fallback, not one stall per package.
    @Test(.timeLimit(.minutes(5)))
    func aDeadTrackerIsTriedOnceForTheWholeClosure() throws {
        let site = try Self.site("tracker-dead-closure", blobSize: 64 << 10)
        defer { site.stop() }
        let dead = try NginxServer.freePort()
        var zlib = FixturePackage(name: "zlib", version: "v1.3.1")
        zlib.blobSize = 256 << 10
        var python = FixturePackage(name: "Python", version: "v3.12.1", requires: [zlib])
        python.blobSize = 256 << 10
        var xz = FixturePackage(name: "xz", version: "v5.4.6", requires: [zlib, python])
        xz.blobSize = 256 << 10
        try Self.publish(xz, site: site, ["--tracker", "http://127.0.0.1:\(dead)/announce"])
        let result = try Self.install(site, area: site.area("closure"), ["--no-web-seed", "--stall-timeout", "3"], package: "xz")
        #expect(result.status == 0, "\(result.stderr)")
        let events = result.text.split(separator: "\n")
        #expect(events.filter { $0.contains("\"event\":\"swarm\"") }.count == 1, "\(result.text)")
        #expect(events.filter { $0.contains("\"event\":\"fallback\"") }.count == 1, "\(result.text)")
        let downloads = events.filter { $0.contains("\"event\":\"downloaded\"") }
        #expect(downloads.count == 3 && downloads.allSatisfy { $0.contains("\"source\":\"http\"") }, "\(downloads)")
    }

    /// The same dead tracker with web seeds (the default): the first package comes from the origin
    /// through the swarm, which had nobody in it, so the rest of the closure goes over HTTP at
    /// once instead of each package waiting for peers that cannot turn up.
    @Test(.timeLimit(.minutes(5)))
    func aDeadTrackerWithWebSeedsSendsTheRestOfTheClosureToHTTP() throws {
        let site = try Self.site("tracker-dead-seeded", blobSize: 64 << 10)
        defer { site.stop() }
        let dead = try NginxServer.freePort()
        let zlib = FixturePackage(name: "zlib", version: "v1.3.1")
        let python = FixturePackage(name: "Python", version: "v3.12.1", requires: [zlib])
        let xz = FixturePackage(name: "xz", version: "v5.4.6", requires: [zlib, python])
        try Self.publish(xz, site: site, ["--tracker", "http://127.0.0.1:\(dead)/announce"])
        let result = try Self.install(site, area: site.area("closure"), [], package: "xz")
        #expect(result.status == 0, "\(result.stderr)")
        let events = result.text.split(separator: "\n")
        #expect(events.filter { $0.contains("\"event\":\"swarm\"") }.count == 1, "\(result.text)")
        #expect(events.filter { $0.contains("the rest of this install comes over HTTP") }.count == 1, "\(result.text)")
        let downloads = events.filter { $0.contains("\"event\":\"downloaded\"") }
        #expect(downloads.count == 3, "\(downloads)")
        #expect(downloads.filter { $0.contains("\"source\":\"swarm\"") }.count == 1, "\(downloads)")
        #expect(downloads.filter { $0.contains("\"source\":\"http\"") }.count == 2, "\(downloads)")
    }

    @Test(.timeLimit(.minutes(5)))
    func aSeederKilledMidTransferEndsInTheHTTPFallback() throws {
        let site = try Self.site("killed", blobSize: 4 << 20)
        defer { site.stop() }
        let seedArea = site.area("seeder")
        let kept = try Self.install(site, area: seedArea, ["--via", "torrent", "--keep-for-seeding"])
        try #require(kept.status == 0, "\(kept.stderr)")
        // A slow seeder (256 KiB/s), killed with SIGKILL after a few pieces.
        let (seeder, port) = try Self.seeder(site, area: seedArea, ["--upload-rate", "\(256 << 10)"])
        defer { seeder.kill() }
        let killer = Thread {
            Thread.sleep(forTimeInterval: 3)
            seeder.kill()
        }
        killer.start()
        let area = site.area("leecher")
        let result = try Self.install(
            site, area: area,
            [
                "--via", "torrent", "--no-web-seed", "--peer", "127.0.0.1:\(port)",
                "--stall-timeout", "3"
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("\"event\":\"fallback\""), "\(result.text)")
        #expect(!seeder.isRunning)
        #expect(try Self.tree(area) == Self.tree(seedArea))
    }
}
