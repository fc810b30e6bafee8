import AlienModel
import ArgumentParser
import Foundation
import SoftwareArea
import Torrents
import UnixSignals

/// `alien-install seed --area DIR`: seeds the tarballs kept in the area's cache until SIGINT/SIGTERM.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Seed the tarballs kept in a software area's cache to the site's other nodes.",
        discussion: """
            Every <area>/.alien/cache/<sha256>.<file>.torrent with its tarball next to it (kept by \
            `install --keep-for-seeding`, verified when installed) is seeded without re-hashing, \
            within --upload-rate and --max-torrents, announced to the torrents' trackers (and on \
            the LAN with --lsd). Prints "seeding N torrent(s) on port P" (a "seeding" event with \
            --json), rescans the cache every second (so tarballs later installs keep are seeded \
            too) and prints the session's errors as warnings, runs until SIGINT or SIGTERM, then stops the session (trackers told, at most \
            a few seconds) and prints the bytes uploaded. DHT and uTP stay off.
            """)

    @Option(name: .long, help: "Listen on PORT or HOST:PORT.")
    var listen: String = "0.0.0.0:6881"
    @Option(name: .long, help: "Upload limit in bytes per second (0: unlimited).")
    var uploadRate: Int = 0
    @Option(name: .long, help: "Seed at most this many torrents (the newest first).")
    var maxTorrents: Int = 100
    @Flag(name: .long, help: "Local peer discovery (multicast on the LAN).")
    var lsd = false
    @OptionGroup var area: AreaOptions

    func validate() throws {
        if uploadRate < 0 { throw ValidationError("--upload-rate: expected bytes per second >= 0") }
        if maxTorrents < 1 { throw ValidationError("--max-torrents: expected at least 1") }
    }

    /// `PORT` → `0.0.0.0:PORT`; anything else as given.
    var listenInterfaces: String { Int(listen) != nil ? "0.0.0.0:\(listen)" : listen }

    func run() async throws {
        let softwareArea = try area.open(mode: .existing)
        let session = LazyTorrentSession(
            settings: TorrentSessionSettings(
                listenInterfaces: listenInterfaces, uploadRateLimit: uploadRate,
                localPeerDiscovery: lsd, maxActiveTorrents: maxTorrents))
        let seeder = Seeder(area: softwareArea, settings: Seeder.Settings(maxTorrents: maxTorrents, ownsSession: true), session: session)
        // Trapped before the session starts: a signal from here on stops the seeding cleanly.
        let signals = await UnixSignalsSequence(trapping: [.sigint, .sigterm])
        if let error = await seeder.start() { throw SeedError(reason: error) }
        let port = await seeder.listeningPort()
        let started = await seeder.snapshot()
        if area.json {
            area.emit(
                .object([
                    "event": .string("seeding"), "torrents": .integer(Int64(started.torrents)), "port": .integer(Int64(port)),
                    "infohashes": .array(started.infoHashes.map { .string($0) })
                ]))
        } else {
            Output.write("seeding \(started.torrents) torrent(s) on port \(port)\n")
        }
        let seeding = Task { await seeder.run(every: .seconds(1), warn: { Output.write("warning: \($0)\n") }) }
        for await _ in signals { break }
        seeding.cancel()
        await seeding.value
        let uploaded = await seeder.snapshot().uploaded
        let clean = await seeder.stop()
        if area.json {
            area.emit(.object(["event": .string("stopped"), "uploaded": .integer(uploaded), "clean": .bool(clean)]))
        } else {
            Output.write("stopped: \(uploaded) bytes uploaded\(clean ? "" : " (session shutdown timed out)")\n")
        }
    }
}

/// The BitTorrent session of `seed` did not start.
struct SeedError: Error, CustomStringConvertible {
    var reason: String
    var description: String { "cannot start the BitTorrent session: \(reason)" }
}
