import Foundation
import PackManAPI
import Testing
import TestSupport

/// packmand with `seeding.enabled`: what it installs for a job is kept (tarball + torrent) and
/// seeded, so another node of the site installs from packmand alone (web seeds off; nginx's
/// log shows no second tarball request); the status page and the metrics show it.
@Suite(.serialized) struct PackmandSeedingTests {
    @Test(.timeLimit(.minutes(5)))
    func whatPackmandInstalledIsSeededToTheSite() throws {
        let site = try TorrentCLITests.site("packmand-seed")
        defer { site.stop() }
        let port = Int(try NginxServer.freePort())
        let directory = site.base.appendingPathComponent("packmand")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let daemon = try PackmandProcess(
            directory: directory, area: site.area("vobox"), arch: TorrentCLITests.arch,
            repository: site.repoURL, rootFile: site.rootFile,
            extra: "seeding:\n  enabled: true\n  listen: 127.0.0.1:\(port)\n  rescan: 1\n  ratio: 0")
        var stopped = false
        defer { if !stopped { _ = daemon.stop() } }
        let job = try daemon.client().install(["ROOT"], wait: 120)
        #expect(job.state == .succeeded, "\(job)")
        #expect(site.tarballRequests("ROOT") == 1)
        let cached = try FileManager.default.contentsOfDirectory(atPath: "\(site.area("vobox"))/.alien/cache")
        #expect(cached.contains { $0.hasSuffix(".tar.gz.torrent") } && cached.contains { $0.hasSuffix(".tar.gz") }, "\(cached)")

        // Within a rescan the daemon seeds it: a worker node gets it from packmand alone.
        var page = ""
        for _ in 0..<3000 {  // ≤ 300 s: a hang catcher
            page = String(decoding: try daemon.client().raw("GET", "/"), as: UTF8.self)
            if page.contains("1 torrent(s) on port \(port)") { break }
            usleep(100_000)
        }
        #expect(page.contains("1 torrent(s) on port \(port)"), "\(page)")
        let worker = site.area("worker")
        let installed = try TorrentCLITests.install(site, area: worker, ["--via", "torrent", "--peer", "127.0.0.1:\(port)", "--no-web-seed"])
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(site.tarballRequests("ROOT") == 1, "the worker's bytes came from packmand's seeding, not the repository")
        #expect(try TorrentCLITests.tree(worker) == (try TorrentCLITests.tree(site.area("vobox"))))
        var ratio = 0.0
        for _ in 0..<1500 {  // ≤ 300 s: a hang catcher
            let metrics = String(decoding: try daemon.client().raw("GET", "/metrics"), as: UTF8.self)
            if let line = metrics.split(separator: "\n").first(where: { $0.hasPrefix("packmand_seeding_ratio") }),
                let value = Double(line.split(separator: " ").last ?? "")
            {
                ratio = value
            }
            if ratio >= 0.9 { break }
            usleep(200_000)
        }
        #expect(ratio >= 0.9, "about one copy uploaded: ratio \(ratio)")
        stopped = true
        #expect(daemon.stop() == 0, "SIGTERM stops packmand and its torrent session cleanly")
    }

    /// packmand downloads through the swarm too (`download:`): with a site peer seeding the
    /// package and web seeds off, its install gets every byte from the peer (the repository
    /// serves metadata only), verified against the signed piece list on the way in.
    @Test(.timeLimit(.minutes(5)))
    func packmandDownloadsThroughTheSwarm() throws {
        let site = try TorrentCLITests.site("packmand-swarm")
        defer { site.stop() }
        let seedArea = site.area("seeder")
        // The seeder's node got it over HTTP (one request), keeping the verified tarball for `seed`.
        let kept = try TorrentCLITests.install(site, area: seedArea, ["--via", "http", "--keep-for-seeding"])
        try #require(kept.status == 0, "\(kept.stderr)")
        #expect(site.tarballRequests("ROOT") == 1)
        let (seeder, port) = try TorrentCLITests.seeder(site, area: seedArea)
        defer { seeder.kill() }
        let directory = site.base.appendingPathComponent("packmand")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let daemon = try PackmandProcess(
            directory: directory, area: site.area("vobox"), arch: TorrentCLITests.arch,
            repository: site.repoURL, rootFile: site.rootFile,
            extra: "download:\n  via: torrent\n  peers: [\"127.0.0.1:\(port)\"]\n  web_seeds: false\n  listen: 127.0.0.1:0")
        defer { _ = daemon.stop() }
        let job = try daemon.client().install(["ROOT"], wait: 120)
        #expect(job.state == .succeeded, "\(job)")
        #expect(site.tarballRequests("ROOT") == 1, "packmand's bytes came from the site peer, not the repository")
        let log = try daemon.client().installLog("ROOT")
        #expect(log.lines.contains { $0.text.contains("downloaded") && $0.text.contains("from swarm") }, "\(log)")
        #expect(try TorrentCLITests.tree(site.area("vobox")) == (try TorrentCLITests.tree(seedArea)))
    }
}
