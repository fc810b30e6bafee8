import Foundation
import Testing
import TestSupport
import Torrents

/// Our torrents, seeders and client with other BitTorrent implementations on 127.0.0.1:
/// opentracker as the tracker, aria2c 1.36 and python3-libtorrent as the other peers.
@Suite(.serialized) struct TorrentInteropTests {
    static let aria2c = "/usr/bin/aria2c"
    static let python = "/usr/bin/python3"
    static var required: Bool { ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] == "1" }
    static var haveTracker: Bool { OpenTracker.isInstalled || required }
    static var haveAria2: Bool { FileManager.default.isExecutableFile(atPath: aria2c) || required }
    /// python3-libtorrent imports only under Debian's /usr/bin/python3 (measured-here.md).
    static var havePythonLibtorrent: Bool {
        if required { return true }
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        return (try? Interop.run(URL(fileURLWithPath: python), ["-c", "import libtorrent"]).status) == 0
    }

    typealias Site = TorrentCLITests.Site

    /// A site whose ROOT torrent announces to a tracker on `trackerPort` and has nginx as web seed.
    static func site(_ name: String, trackerPort: UInt16) throws -> Site {
        let site = try TorrentCLITests.site(name, blobSize: 0)
        var root = FixturePackage(name: "ROOT", version: "v6-32-06", revision: "2", payload: "tracked\n")
        root.blobSize = 3 << 20
        try TorrentCLITests.publish(
            root, site: site, id: "ROOT::v6-32-06-2", ["--web-seed-base", site.repoURL, "--tracker", "http://127.0.0.1:\(trackerPort)/announce"])
        return site
    }

    /// The published ROOT-…-2 torrent and a peers-only copy of it (same info-hash, no web seed) in `directory`.
    static func torrents(_ site: Site, into directory: URL) throws -> (TorrentFile, URL) {
        let candidates = try FileManager.default.contentsOfDirectory(atPath: "\(site.repo)/targets/\(TorrentCLITests.arch)/ROOT")
            .filter { $0.hasSuffix(".torrent") }
        for entry in candidates {
            let torrent = try TorrentFile(
                parsing: Array(try Data(contentsOf: URL(fileURLWithPath: "\(site.repo)/targets/\(TorrentCLITests.arch)/ROOT/\(entry)"))))
            guard !torrent.trackers.isEmpty else { continue }
            let peersOnly = directory.appendingPathComponent("peers-only.torrent")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(try torrent.withoutWebSeeds().bytes).write(to: peersOnly)
            return (torrent, peersOnly)
        }
        throw NginxServerError.startFailed("no tracked torrent in \(candidates)")
    }

    static func sha256(_ path: String) throws -> String {
        let result = try Interop.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [path])
        return String(result.text.prefix(64))
    }

    /// The tarball ROOT-…-`revision` as published.
    static func tarball(_ site: Site, revision: String = "2") throws -> String {
        let directory = "\(site.repo)/targets/\(TorrentCLITests.arch)/ROOT"
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory)
                .first { $0.hasSuffix("-\(revision).\(TorrentCLITests.arch).tar.gz") })
        return "\(directory)/\(name)"
    }

    @Test(.enabled(if: haveTracker, "opentracker is not installed (scripts/deps.sh installs it)"), .timeLimit(.minutes(5)))
    func peersFindEachOtherThroughOpentracker() throws {
        let port = try NginxServer.freePort()
        let site = try Self.site("tracker", trackerPort: port)
        defer { site.stop() }
        let (torrent, _) = try Self.torrents(site, into: site.base.appendingPathComponent("t"))
        let tracker = try OpenTracker(infoHashes: [torrent.infoHash], port: port)
        defer { tracker.stop() }
        let seedArea = site.area("seeder")
        let kept = try TorrentCLITests.install(site, area: seedArea, ["--via", "torrent", "--keep-for-seeding"], package: "ROOT::v6-32-06-2")
        try #require(kept.status == 0, "\(kept.stderr)")
        let (seeder, _) = try TorrentCLITests.seeder(site, area: seedArea)
        defer { seeder.stop() }
        // No --peer, no web seed: only the tracker can name the seeder.
        let before = site.tarballRequests("ROOT")
        let leecher = try TorrentCLITests.install(
            site, area: site.area("leecher"), ["--no-web-seed", "--stall-timeout", "60"],
            package: "ROOT::v6-32-06-2")
        #expect(leecher.status == 0, "\(leecher.stderr)")
        #expect(leecher.text.contains("\"event\":\"swarm\"") && !leecher.text.contains("\"event\":\"fallback\""), "\(leecher.text)")
        #expect(site.tarballRequests("ROOT") == before)
        #expect(try TorrentCLITests.tree(site.area("leecher"), package: "ROOT/v6-32-06-2") == TorrentCLITests.tree(seedArea, package: "ROOT/v6-32-06-2"))
    }

    @Test(.enabled(if: haveTracker && haveAria2, "opentracker or aria2c is not installed (scripts/deps.sh installs them)"), .timeLimit(.minutes(5)))
    func aria2cDownloadsFromOurSeederAndWebSeedAndSeedsToOurClient() throws {
        let port = try NginxServer.freePort()
        let site = try Self.site("aria2", trackerPort: port)
        defer { site.stop() }
        let work = site.base.appendingPathComponent("aria2")
        let (torrent, peersOnly) = try Self.torrents(site, into: work)
        let tracker = try OpenTracker(infoHashes: [torrent.infoHash], port: port)
        defer { tracker.stop() }
        let expected = try Self.sha256(Self.tarball(site))
        let seedArea = site.area("seeder")
        let kept = try TorrentCLITests.install(site, area: seedArea, ["--via", "torrent", "--keep-for-seeding"], package: "ROOT::v6-32-06-2")
        try #require(kept.status == 0, "\(kept.stderr)")
        let (seeder, _) = try TorrentCLITests.seeder(site, area: seedArea)
        defer { seeder.stop() }
        func aria2(_ torrentFile: String, into directory: URL) throws -> Interop.Result {
            try Interop.run(
                URL(fileURLWithPath: Self.aria2c),
                [
                    "--dir", directory.path, "--seed-time=0", "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
                    "--enable-peer-exchange=false", "--listen-port=\(try NginxServer.freePort())", "--file-allocation=none",
                    "--bt-stop-timeout=60", "--console-log-level=warn", "--summary-interval=0", torrentFile
                ])
        }
        // From our seeder only (found through the tracker).
        let fromPeers = try aria2(peersOnly.path, into: work.appendingPathComponent("peers"))
        #expect(fromPeers.status == 0, "\(fromPeers.text) \(fromPeers.stderr)")
        #expect(try Self.sha256(work.appendingPathComponent("peers/\(torrent.name)").path) == expected)
        // The published torrent as is (our seeder and nginx as web seed).
        let published = work.appendingPathComponent("published.torrent")
        try Data(torrent.bytes).write(to: published)
        let fromBoth = try aria2(published.path, into: work.appendingPathComponent("both"))
        #expect(fromBoth.status == 0, "\(fromBoth.text) \(fromBoth.stderr)")
        #expect(try Self.sha256(work.appendingPathComponent("both/\(torrent.name)").path) == expected)
        seeder.stop()

        // aria2c seeds; our client downloads from it alone.
        let ariaPort = try NginxServer.freePort()
        let seedDirectory = work.appendingPathComponent("peers")
        let ariaSeeder = try BackgroundProcess(
            Self.aria2c,
            [
                "--dir", seedDirectory.path, "--check-integrity=true", "--seed-ratio=0.0", "--seed-time=10", "--enable-dht=false",
                "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--listen-port=\(ariaPort)",
                "--bt-tracker-connect-timeout=1", "--console-log-level=notice", "--summary-interval=1", peersOnly.path
            ], output: work.appendingPathComponent("aria2-seed.log"))
        defer { ariaSeeder.stop() }
        #expect(ariaSeeder.wait(for: "SEED(", seconds: 120) || ariaSeeder.text.contains("Seeding"), "\(ariaSeeder.text)")
        let leecher = try TorrentCLITests.install(
            site, area: site.area("from-aria2"),
            [
                "--via", "torrent", "--no-web-seed", "--peer", "127.0.0.1:\(ariaPort)", "--stall-timeout", "60"
            ], package: "ROOT::v6-32-06-2")
        #expect(leecher.status == 0, "\(leecher.stderr) \(ariaSeeder.text)")
        #expect(!leecher.text.contains("\"event\":\"fallback\""), "\(leecher.text)")
    }

    @Test(
        .enabled(if: havePythonLibtorrent, "python3-libtorrent is not installed for /usr/bin/python3 (scripts/deps.sh installs it)"),
        .timeLimit(.minutes(5)))
    func pythonLibtorrentIsAThirdPeer() throws {
        let site = try TorrentCLITests.site("python", blobSize: 3 << 20)
        defer { site.stop() }
        let seedArea = site.area("seeder")
        let kept = try TorrentCLITests.install(site, area: seedArea, ["--via", "torrent", "--keep-for-seeding"])
        try #require(kept.status == 0, "\(kept.stderr)")
        let (seeder, seederPort) = try TorrentCLITests.seeder(site, area: seedArea)
        defer { seeder.stop() }
        let published = try site.torrent("ROOT").file
        let work = site.base.appendingPathComponent("python")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let peersOnly = work.appendingPathComponent("peers-only.torrent")
        try Data(try published.withoutWebSeeds().bytes).write(to: peersOnly)
        // python-libtorrent downloads from our seeder, then keeps seeding.
        let pythonPort = try NginxServer.freePort()
        let script = """
            import libtorrent as lt, sys, time
            torrent, directory, port, peer = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
            session = lt.session({'listen_interfaces': '127.0.0.1:%d' % port, 'enable_dht': False, 'enable_lsd': False,
                                  'enable_outgoing_utp': False, 'enable_incoming_utp': False, 'enable_upnp': False,
                                  'enable_natpmp': False, 'allow_multiple_connections_per_ip': True})
            handle = session.add_torrent({'ti': lt.torrent_info(torrent), 'save_path': directory})
            deadline = time.time() + 300  # a hang catcher
            while not handle.status().is_seeding and time.time() < deadline:
                if handle.status().num_peers == 0:
                    handle.connect_peer(('127.0.0.1', peer))
                time.sleep(0.2)
            print('complete' if handle.status().is_seeding else 'incomplete', flush=True)
            while True:
                time.sleep(1)
            """
        let pythonPeer = try BackgroundProcess(
            Self.python, ["-c", script, peersOnly.path, work.path, "\(pythonPort)", "\(seederPort)"],
            output: work.appendingPathComponent("python.log"))
        defer { pythonPeer.stop() }
        #expect(pythonPeer.wait(for: "complete", seconds: 330) && !pythonPeer.text.contains("incomplete"), "\(pythonPeer.text)")
        // Our client from both: the python peer and our seeder.
        let leecher = try TorrentCLITests.install(
            site, area: site.area("leecher"),
            [
                "--via", "torrent", "--no-web-seed", "--peer", "127.0.0.1:\(pythonPort)", "--peer", "127.0.0.1:\(seederPort)", "--stall-timeout", "60"
            ])
        #expect(leecher.status == 0, "\(leecher.stderr)")
        #expect(!leecher.text.contains("\"event\":\"fallback\""), "\(leecher.text)")
        #expect(try TorrentCLITests.tree(site.area("leecher")) == TorrentCLITests.tree(seedArea))
        // Then from the python peer alone (our seeder stopped).
        seeder.stop()
        let alone = try TorrentCLITests.install(
            site, area: site.area("python-only"),
            [
                "--via", "torrent", "--no-web-seed", "--peer", "127.0.0.1:\(pythonPort)", "--stall-timeout", "60"
            ])
        #expect(alone.status == 0 && !alone.text.contains("\"event\":\"fallback\""), "\(alone.stderr) \(alone.text)")
    }

    @Test(
        .enabled(if: havePythonLibtorrent, "python3-libtorrent is not installed for /usr/bin/python3 (scripts/deps.sh installs it)"),
        .timeLimit(.minutes(5)))
    func aPeerSendingCorruptPiecesIsCaughtAndTheInstallStillVerifies() throws {
        let site = try TorrentCLITests.site("corrupt", blobSize: 3 << 20)
        defer { site.stop() }
        let seedArea = site.area("seeder")
        let kept = try TorrentCLITests.install(site, area: seedArea, ["--via", "torrent", "--keep-for-seeding"])
        try #require(kept.status == 0, "\(kept.stderr)")
        // An honest but slow seeder (512 KiB/s) ...
        let (seeder, seederPort) = try TorrentCLITests.seeder(site, area: seedArea, ["--upload-rate", "\(512 << 10)"])
        defer { seeder.stop() }
        // ... and a fast python-libtorrent peer whose file is damaged after it checked it: one byte
        // flipped in every piece, in place (libtorrent 2.0 maps the file, so it serves the damage).
        let published = try site.torrent("ROOT").file
        let work = site.base.appendingPathComponent("corrupt")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let peersOnly = work.appendingPathComponent("peers-only.torrent")
        try Data(try published.withoutWebSeeds().bytes).write(to: peersOnly)
        let copy = work.appendingPathComponent(published.name)
        try FileManager.default.copyItem(atPath: try Self.tarball(site, revision: "1"), toPath: copy.path)
        let pythonPort = try NginxServer.freePort()
        let script = """
            import libtorrent as lt, sys, time
            torrent, directory, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
            session = lt.session({'listen_interfaces': '127.0.0.1:%d' % port, 'enable_dht': False, 'enable_lsd': False,
                                  'enable_outgoing_utp': False, 'enable_incoming_utp': False, 'enable_upnp': False,
                                  'enable_natpmp': False, 'allow_multiple_connections_per_ip': True})
            handle = session.add_torrent({'ti': lt.torrent_info(torrent), 'save_path': directory})
            while not handle.status().is_seeding:
                time.sleep(0.1)
            print('seeding', flush=True)
            while True:
                time.sleep(1)
            """
        let liar = try BackgroundProcess(
            Self.python, ["-c", script, peersOnly.path, work.path, "\(pythonPort)"],
            output: work.appendingPathComponent("python.log"))
        defer { liar.stop() }
        try #require(liar.wait(for: "seeding", seconds: 120), "\(liar.text)")
        let handle = try FileHandle(forUpdating: copy)
        for offset in stride(from: 100, to: Int(published.length), by: published.pieceLength) {
            try handle.seek(toOffset: UInt64(offset))
            let byte = try #require(try handle.read(upToCount: 1)?.first)
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: Data([byte ^ 0xFF]))
        }
        try handle.close()
        let leecher = try TorrentCLITests.install(
            site, area: site.area("leecher"),
            [
                "--via", "torrent", "--no-web-seed", "--peer", "127.0.0.1:\(pythonPort)", "--peer", "127.0.0.1:\(seederPort)", "--stall-timeout", "60"
            ])
        #expect(leecher.status == 0, "\(leecher.stderr)")
        #expect(leecher.text.contains("failed their hash check"), "\(leecher.text)")
        #expect(!leecher.text.contains("\"event\":\"fallback\""), "\(leecher.text)")
        #expect(try TorrentCLITests.tree(site.area("leecher")) == TorrentCLITests.tree(seedArea))
    }
}
