import Foundation
import SoftwareArea
import Testing
import Torrents
import Transport

/// The seeder over a real libtorrent session on 127.0.0.1 and an area cache written in code.
@Suite(.serialized) struct SeederTests {
    struct Cache {
        let root: URL
        let area: SoftwareArea

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("alien-seeder-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent(".alien/cache"), withIntermediateDirectories: true)
            area = try SoftwareArea.open(root: root.path, arch: "slc9_x86-64", fetcher: HTTPClient())
        }

        /// A kept tarball (`size` bytes of `byte`) with its torrent, modified `age` seconds ago.
        @discardableResult
        func keep(_ name: String, byte: UInt8, size: Int = 40_000, age: TimeInterval = 0) throws -> TorrentFile {
            let tarball = root.appendingPathComponent(".alien/cache/\(name).tar.gz")
            try Data(repeating: byte, count: size).write(to: tarball)
            let torrent = try TorrentCreator().create(file: tarball.path, length: Int64(size))
            try Data(torrent.bytes).write(to: URL(fileURLWithPath: tarball.path + ".torrent"))
            let when = Date(timeIntervalSinceNow: -age)
            try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: tarball.path)
            return torrent
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    static func session() -> LazyTorrentSession {
        LazyTorrentSession(settings: TorrentSessionSettings(listenInterfaces: "127.0.0.1:0"))
    }

    @Test func seedsWhatTheCacheHoldsAndWhatArrivesLater() async throws {
        let cache = try Cache()
        defer { cache.remove() }
        let first = try cache.keep("a", byte: 1)
        // A torrent without its tarball is not offered.
        try Data(try TorrentCreator().create(file: cache.root.appendingPathComponent(".alien/cache/a.tar.gz").path, length: 40_000).bytes)
            .write(to: cache.root.appendingPathComponent(".alien/cache/gone.tar.gz.torrent"))
        let seeder = Seeder(area: cache.area, settings: Seeder.Settings(ownsSession: true), session: Self.session())
        #expect(await seeder.start() == nil)
        #expect(await seeder.listeningPort() > 0)
        var snapshot = await seeder.snapshot()
        #expect(snapshot.enabled && snapshot.torrents == 1 && snapshot.error == nil)
        #expect(snapshot.infoHashes == [first.infoHash])
        #expect(snapshot.length == 40_000)
        let second = try cache.keep("b", byte: 2)
        #expect(await seeder.rescan().isEmpty)
        snapshot = await seeder.snapshot()
        #expect(snapshot.torrents == 2)
        #expect(Set(snapshot.infoHashes) == [first.infoHash, second.infoHash])
        #expect(await seeder.stop())
        #expect(await seeder.snapshot().torrents == 0)
    }

    @Test func seedsAtMostMaxTorrentsTheNewestFirst() async throws {
        let cache = try Cache()
        defer { cache.remove() }
        try cache.keep("old", byte: 3, age: 3_600)
        let newest = try cache.keep("new", byte: 4)
        let seeder = Seeder(area: cache.area, settings: Seeder.Settings(maxTorrents: 1, ownsSession: true), session: Self.session())
        await seeder.start()
        #expect(await seeder.snapshot().infoHashes == [newest.infoHash])
        // Still one after a rescan.
        _ = await seeder.rescan()
        #expect(await seeder.snapshot().torrents == 1)
        await seeder.stop()
    }

    /// packmand seeds every VO's area on one session: the newest over all of them, within the limit.
    @Test func seedsTheAreasOfEveryVOTheNewestFirst() async throws {
        let one = try Cache(), other = try Cache()
        defer { one.remove(); other.remove() }
        try one.keep("oldest", byte: 7, age: 7_200)
        let middle = try other.keep("middle", byte: 8, age: 3_600)
        let newest = try one.keep("newest", byte: 9)
        let seeder = Seeder(areas: [one.area, other.area], settings: Seeder.Settings(maxTorrents: 2, ownsSession: true), session: Self.session())
        await seeder.start()
        #expect(Set(await seeder.snapshot().infoHashes) == [newest.infoHash, middle.infoHash])
        await seeder.stop()
    }

    @Test func disabledDoesNothing() async throws {
        let cache = try Cache()
        defer { cache.remove() }
        try cache.keep("a", byte: 5)
        let session = Self.session()
        let seeder = Seeder(area: cache.area, settings: Seeder.Settings(enabled: false), session: session)
        #expect(await seeder.start() == nil)
        let snapshot = await seeder.snapshot()
        #expect(!snapshot.enabled && snapshot.torrents == 0 && snapshot.port == 0)
        #expect(await seeder.listeningPort(attempts: 1) == 0)
        #expect(await seeder.rescan().isEmpty)
    }

    @Test(.timeLimit(.minutes(5))) func runPassesUntilCancelled() async throws {
        let cache = try Cache()
        defer { cache.remove() }
        let seeder = Seeder(area: cache.area, settings: Seeder.Settings(ownsSession: true), session: Self.session())
        await seeder.start()
        let passes = AsyncStream<Seeder.Snapshot>.makeStream()
        let running = Task { await seeder.run(every: .milliseconds(10), warn: { _ in }, afterPass: { passes.continuation.yield($0) }) }
        var iterator = passes.stream.makeAsyncIterator()
        #expect(await iterator.next()?.torrents == 0)
        try cache.keep("later", byte: 6)
        // A later pass finds the newly kept tarball.
        var found = false
        while let snapshot = await iterator.next() {
            if snapshot.torrents == 1 { found = true; break }
        }
        #expect(found)
        running.cancel()
        await running.value
        await seeder.stop()
    }
}
