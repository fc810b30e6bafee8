public import AlienModel
public import Foundation
public import Torrents
import Trust

/// Publishes a torrent next to every package tarball: the target `<tarball target path>.torrent`
/// (stored, like every target, as `<sha256>.<file>.torrent`), whose web seed is the tarball's
/// URL in the repository (BEP 19) and whose trackers are the configured ones; the tarball's
/// signed `custom` gets `torrent` (that target path) and `infohash` (v1 hex, or v2 for v2-only
/// torrents). Sites trust the torrent through TUF before joining any swarm.
public struct TorrentExtension: PublishExtension {
    public static let customKey = PackageTargetMetadata.Key.torrent
    public static let infoHashKey = PackageTargetMetadata.Key.infoHash
    public static let suffix = ".torrent"

    public var workDirectory: URL
    /// The repository's public base URL (`…/targets/` under it); nil: no web seed in the torrent
    /// (sites still add their own repository URL as web seed).
    public var webSeedBase: String?
    public var trackers: [String]
    public var version: TorrentVersion
    public var isPrivate: Bool

    public init(workDirectory: URL, webSeedBase: String? = nil, trackers: [String] = [], version: TorrentVersion = .v1, isPrivate: Bool = false) {
        self.workDirectory = workDirectory
        self.webSeedBase = webSeedBase
        self.trackers = trackers
        self.version = version
        self.isPrivate = isPrivate
    }

    public static func torrentPath(for tarballTargetPath: String) -> String { tarballTargetPath + suffix }

    /// The web seed URL of a tarball: `<base>/targets/<arch>/<Name>/<sha256>.<file>` (its stored path).
    public func webSeed(for package: PackageTarball) -> String? {
        guard let base = webSeedBase, !base.isEmpty else { return nil }
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return "\(trimmed)/\(package.storedPath)"
    }

    func file(for package: PackageTarball) -> URL { workDirectory.appendingPathComponent("\(package.sha256)\(Self.suffix)") }

    /// Creates (once per tarball and work directory) the torrent file.
    func torrent(for package: PackageTarball) throws(PublisherError) -> TorrentFile {
        let file = file(for: package)
        if let data = FileManager.default.contents(atPath: file.path), let parsed = try? TorrentFile(parsing: Array(data)),
            parsed.length == package.length
        {
            return parsed
        }
        let creator = TorrentCreator(version: version, webSeeds: webSeed(for: package).map { [$0] } ?? [], trackers: trackers, isPrivate: isPrivate)
        let torrent: TorrentFile
        do { torrent = try creator.create(file: package.file.standardizedFileURL.path, length: package.length) } catch {
            throw .torrent(path: package.file.path, error)
        }
        guard torrent.length == package.length else {
            throw .tarball(path: package.file.path, reason: "changed while publishing: torrent of \(torrent.length) bytes, expected \(package.length)")
        }
        do {
            try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
            try Data(torrent.bytes).write(to: file, options: .atomic)
        } catch {
            throw .tarball(path: file.path, reason: "cannot write the torrent: \(error.localizedDescription)")
        }
        return torrent
    }

    public func customFields(for package: PackageTarball) throws(PublisherError) -> [String: JSONValue] {
        let torrent = try torrent(for: package)
        return [Self.customKey: .string(Self.torrentPath(for: package.targetPath)), Self.infoHashKey: .string(torrent.infoHash)]
    }

    public func companionFiles(for package: PackageTarball) throws(PublisherError) -> [CompanionFile] {
        let torrent = try torrent(for: package)
        return [
            CompanionFile(
                targetPath: Self.torrentPath(for: package.targetPath), file: file(for: package),
                custom: ["torrent_of": .string(package.targetPath), Self.infoHashKey: .string(torrent.infoHash)])
        ]
    }
}
