public import Foundation
public import Torrents

/// A verified tarball kept in `<area>/.alien/cache/` with its torrent, ready to seed.
public struct CachedTorrent: Sendable {
    public var torrent: TorrentFile
    public var tarball: String
    public var modified: Date
}

extension SoftwareArea {
    /// The cache's torrents whose tarball is present with the torrent's length, newest first,
    /// at most `limit` (what `seed` and packmand seed).
    public func cachedTorrents(limit: Int = .max) -> [CachedTorrent] {
        Self.cachedTorrents(in: layout.cache, limit: limit)
    }

    public static func cachedTorrents(in directory: String, limit: Int = .max) -> [CachedTorrent] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var found: [CachedTorrent] = []
        for name in names where name.hasSuffix(".torrent") {
            let tarball = "\(directory)/\(name.dropLast(".torrent".count))"
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: tarball),
                let size = (attributes[.size] as? NSNumber)?.int64Value,
                let data = FileManager.default.contents(atPath: "\(directory)/\(name)"),
                let torrent = try? TorrentFile(parsing: Array(data)), torrent.length == size
            else { continue }
            found.append(CachedTorrent(torrent: torrent, tarball: tarball, modified: (attributes[.modificationDate] as? Date) ?? .distantPast))
        }
        return Array(found.sorted { $0.modified > $1.modified }.prefix(limit))
    }
}
