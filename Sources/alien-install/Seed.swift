import ArgumentParser
import Dispatch
import Foundation
import SoftwareArea
import Synchronization
import Torrents
import Trust
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
            --json), runs until SIGINT or SIGTERM, then stops the session (trackers told, at most \
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
        let torrents = softwareArea.cachedTorrents(limit: maxTorrents)
        let session = try Output.run {
            try TorrentSession(settings: TorrentSessionSettings(listenInterfaces: listenInterfaces, uploadRateLimit: uploadRate,
                                                                localPeerDiscovery: lsd, maxActiveTorrents: maxTorrents))
        }
        var ids: [(TorrentID, TorrentFile)] = []
        for entry in torrents {
            let id = try await Output.runAsync { try await session.add(entry.torrent, file: entry.tarball, seed: true) }
            ids.append((id, entry.torrent))
        }
        let stop = await SignalWaiter(signals: [.sigint, .sigterm])
        var port = 0
        for _ in 0..<50 {
            port = (try? await session.listenPort()) ?? 0
            if port != 0 { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        if area.json {
            area.emit(.object(["event": .string("seeding"), "torrents": .integer(Int64(ids.count)), "port": .integer(Int64(port)),
                               "infohashes": .array(ids.map { .string($0.1.infoHash) })]))
        } else {
            Output.write("seeding \(ids.count) torrent(s) on port \(port)\n")
        }
        while !stop.fired {
            for alert in (try? await session.alerts()) ?? [] where alert.kind == .error || alert.kind == .listenFailed {
                Output.write("warning: \(alert.message)\n")
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        var uploaded: Int64 = 0
        for (id, _) in ids { uploaded += (try? await session.status(id).bytesUploaded) ?? 0 }
        let clean = await session.shutdown(timeout: 5)
        if area.json {
            area.emit(.object(["event": .string("stopped"), "uploaded": .integer(uploaded), "clean": .bool(clean)]))
        } else {
            Output.write("stopped: \(uploaded) bytes uploaded\(clean ? "" : " (session shutdown timed out)")\n")
        }
    }
}

/// Remembers that one of `signals` arrived, through swift-service-lifecycle's `UnixSignals`
/// (the mechanism packmand's and `serve`'s service groups stop by; their default action is
/// replaced while it lives). `run --jdl` alone installs handlers of its own (`SignalForwarding`):
/// an ignored signal would stay ignored in the child it starts.
final class SignalWaiter: Sendable {
    private let arrived = Atomic<Bool>(false)
    private let watcher = Mutex<Task<Void, Never>?>(nil)

    init(signals: [UnixSignal]) async {
        let sequence = await UnixSignalsSequence(trapping: signals)
        let task = Task { [weak self] in
            for await _ in sequence {
                self?.arrived.store(true, ordering: .sequentiallyConsistent)
                return
            }
        }
        watcher.withLock { $0 = task }
    }

    var fired: Bool { arrived.load(ordering: .sequentiallyConsistent) }

    deinit { watcher.withLock { $0?.cancel() } }
}
