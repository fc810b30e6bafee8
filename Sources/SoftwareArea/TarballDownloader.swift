import Foundation
import Trust

/// How `install` gets tarballs: plain HTTP (streamed, piece-verified), a swarm, or the swarm
/// when the package's torrent names trackers or peers are configured, else HTTP.
public enum DownloadVia: String, Sendable, CaseIterable {
    case http, torrent, auto
}

/// What a `TarballDownloader` did with one package.
public enum TarballDownload: Sendable, Hashable {
    /// The whole tarball is at `path` (not yet verified: the area checks its length and sha256).
    /// `torrent`: the verified torrent file, kept next to the tarball for seeding.
    case file(path: String, torrent: String?)
    /// Not this way: the area uses its HTTP path (reason reported as a warning when not nil).
    case useHTTP(reason: String?)
}

/// Another way than the HTTP path to get a package tarball into a file (the seam for
/// BitTorrent, which the area does not know about). Throwing fails the install (e.g. a torrent
/// that does not match signed metadata); `.useHTTP` falls back.
public protocol TarballDownloader: Sendable {
    /// Downloads `package`'s tarball into a file under `directory` (inside the stage).
    /// `webSeeds`: the tarball's URLs at the repository and its mirrors.
    func download(_ package: PackageTarget, catalog: PackageCatalog, into directory: String, webSeeds: [String],
                  reporter: any AreaReporter) async throws(SoftwareAreaError) -> TarballDownload
}
