import AlienModel
import Foundation
import Publisher
import Testing
import TestSupport
import Torrents
import Trust

/// Publishing writes a torrent target next to each tarball: web seed = the tarball's stored URL,
/// the trackers, the chosen format; the tarball's signed `custom` names it and its info-hash.
@Suite struct TorrentExtensionTests {
    @Test(arguments: [TorrentVersion.v1, .v2, .hybrid])
    func publishingWritesASignedTorrentNamedInTheTarballsMetadata(version: TorrentVersion) throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("torrent-\(version)", keys: keys)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        var big = FixturePackage(name: "zlib", version: "v1.3.1")
        big.blobSize = 600_000
        let package = try PackageTarball.inspect(try Fixtures.tarballs([big])[0])
        let work = directory.deletingLastPathComponent().appendingPathComponent("torrent-work")
        let plugin = TorrentExtension(
            workDirectory: work, webSeedBase: "http://repo.example/alice/", trackers: ["http://tracker.example/announce"],
            version: version)
        try repository.publish([package], signers: keys.online, extensions: [plugin])

        let targets = try Fixtures.verify(directory)
        let torrentPath = package.targetPath + ".torrent"
        guard case let .object(custom)? = targets.targets[package.targetPath]?.custom else {
            Issue.record("no custom object")
            return
        }
        #expect(custom["torrent"] == .string(torrentPath))
        let target = try #require(targets.targets[torrentPath], "the torrent is a target of its own")
        let sha256 = try #require(target.hashes["sha256"])
        let stored = directory.appendingPathComponent(PackageTarball.storedPath(targetPath: torrentPath, sha256: sha256))
        let torrent = try TorrentFile(parsing: Array(try Data(contentsOf: stored)))
        #expect(custom["infohash"] == .string(torrent.infoHash))
        #expect(torrent.length == package.length)
        #expect(torrent.webSeeds == ["http://repo.example/alice/\(package.storedPath)"])
        #expect(package.storedPath.hasPrefix("targets/\(package.record.arch)/zlib/\(package.sha256)."))
        #expect(torrent.trackers == ["http://tracker.example/announce"])
        #expect((torrent.infoHashV1 != nil) == (version != .v2) && (torrent.infoHashV2 != nil) == (version != .v1))
        // The piece-hash sidecar is independent: without PieceHashExtension there is none.
        #expect(custom["pieces"] == nil)
    }

    @Test func withoutAWebSeedBaseTheTorrentHasNoWebSeed() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("torrent-noseed", keys: keys)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let package = try PackageTarball.inspect(try Fixtures.tarballs([FixturePackage(name: "xz", version: "v5.4.6")])[0])
        let work = directory.deletingLastPathComponent().appendingPathComponent("work")
        try repository.publish(
            [package], signers: keys.online,
            extensions: [
                PieceHashExtension(workDirectory: work.appendingPathComponent("p")),
                TorrentExtension(workDirectory: work.appendingPathComponent("t"))
            ])
        let targets = try Fixtures.verify(directory)
        guard case let .object(custom)? = targets.targets[package.targetPath]?.custom else {
            Issue.record("no custom object")
            return
        }
        #expect(custom["pieces"] != nil && custom["torrent"] != nil && custom["infohash"] != nil)
        let torrent = try TorrentFile(parsing: Array(try Data(contentsOf: work.appendingPathComponent("t/\(package.sha256).torrent"))))
        #expect(torrent.webSeeds.isEmpty && torrent.trackers.isEmpty && torrent.infoHashV1 != nil)
    }

    @Test func undefineWithdrawsTheTorrentWithItsTarball() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("torrent-undefine", keys: keys)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let package = try PackageTarball.inspect(try Fixtures.tarballs([FixturePackage(name: "xz", version: "v5.4.6")])[0])
        let work = directory.deletingLastPathComponent().appendingPathComponent("work")
        try repository.publish([package], signers: keys.online, extensions: [TorrentExtension(workDirectory: work)])
        #expect(try Fixtures.verify(directory).targets[package.targetPath + ".torrent"] != nil)
        let report = try repository.undefine(try PackageID(parsing: "xz::v5.4.6-1"), signers: keys.online)
        #expect(report.removed == [package.targetPath])
        #expect(try Fixtures.verify(directory).targets.isEmpty)
    }
}
