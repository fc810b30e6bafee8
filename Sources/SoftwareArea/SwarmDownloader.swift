import Foundation
import Torrents
import Trust

/// `TarballDownloader` over BitTorrent: fetches the package's torrent as a TUF target (its
/// length and hashes checked against signed metadata, refused otherwise, before any peer is
/// contacted), checks that it describes the tarball (length, the signed `custom.infohash`),
/// then joins the swarm (the torrent's trackers and web seeds, the repository as web seed,
/// given peers). No progress for `stallTimeout` seconds: the area falls back to HTTP.
public struct SwarmDownloader: TarballDownloader {
    public var session: LazyTorrentSession
    public var via: DownloadVia
    public var peers: [PeerAddress]
    public var stallTimeout: Double
    /// Use web seeds: the torrent's and the tarball's URL at the repository and mirrors.
    /// false: peers only (the origin is not asked until the HTTP fallback).
    public var webSeeds: Bool
    /// nil: web seeds from the start without trackers or peers, else only while peers are slow.
    public var webSeedPolicy: WebSeedPolicy?

    public init(session: LazyTorrentSession, via: DownloadVia = .torrent, peers: [PeerAddress] = [], stallTimeout: Double = 30,
                webSeeds: Bool = true, webSeedPolicy: WebSeedPolicy? = nil) {
        self.session = session
        self.via = via
        self.peers = peers
        self.stallTimeout = stallTimeout
        self.webSeeds = webSeeds
        self.webSeedPolicy = webSeedPolicy
    }

    /// `custom.torrent` and `custom.infohash` of a tarball target.
    static func torrentFields(_ package: PackageTarget) throws(SoftwareAreaError) -> (path: String, infoHash: String?)? {
        guard case let .object(custom)? = package.info.file.custom, let value = custom["torrent"] else { return nil }
        guard case let .string(path) = value, !path.isEmpty else {
            throw .badTargetMetadata(target: package.info.path, field: "torrent", expected: "a target path", got: value.kind)
        }
        var infoHash: String?
        if let hashValue = custom["infohash"] {
            guard case let .string(hash) = hashValue, !hash.isEmpty else {
                throw .badTargetMetadata(target: package.info.path, field: "infohash", expected: "a hex info-hash", got: hashValue.kind)
            }
            infoHash = hash.lowercased()
        }
        return (path, infoHash)
    }

    /// The signed torrent of `package`, checked to describe its tarball.
    func trustedTorrent(_ package: PackageTarget, path torrentPath: String, infoHash: String?, catalog: PackageCatalog,
                        directory: String) async throws(SoftwareAreaError) -> (TorrentFile, String) {
        let key = package.key.description
        let file: String
        do {
            guard let info = try await catalog.updater.targetInfo(for: torrentPath) else {
                throw SoftwareAreaError.trust(package: key, reason: "\(package.info.path): its torrent \(torrentPath) is not a trusted target")
            }
            file = try await catalog.updater.downloadTarget(info, to: "\(directory)/torrent")
        } catch let error as SoftwareAreaError {
            throw error
        } catch {
            throw .trust(package: key, reason: "torrent \(torrentPath) refused: \(error)")
        }
        guard let bytes = FileSystem.readBytes(file) else { throw .io(path: file, operation: "read", reason: FileSystem.errorText()) }
        let torrent: TorrentFile
        do { torrent = try TorrentFile(parsing: bytes) } catch {
            throw .trust(package: key, reason: "torrent \(torrentPath): \(error)")
        }
        guard torrent.length == package.info.file.length else {
            throw .trust(package: key, reason: "torrent \(torrentPath) describes \(torrent.length) bytes, the target \(package.info.path) has \(package.info.file.length)")
        }
        if let infoHash, infoHash != torrent.infoHashV1, infoHash != torrent.infoHashV2 {
            throw .trust(package: key, reason: "torrent \(torrentPath) has info-hash \(torrent.infoHash), the signed metadata says \(infoHash)")
        }
        return (torrent, file)
    }

    public func download(_ package: PackageTarget, catalog: PackageCatalog, into directory: String, webSeeds: [String],
                         reporter: any AreaReporter) async throws(SoftwareAreaError) -> TarballDownload {
        guard via != .http else { return .useHTTP(reason: nil) }
        guard let fields = try Self.torrentFields(package) else {
            return .useHTTP(reason: via == .torrent ? "no torrent is published for \(package.info.path)" : nil)
        }
        let (trusted, torrentFile) = try await trustedTorrent(package, path: fields.path, infoHash: fields.infoHash, catalog: catalog,
                                                              directory: directory)
        if via == .auto, trusted.trackers.isEmpty, peers.isEmpty { return .useHTTP(reason: nil) }
        var torrent = trusted
        if !self.webSeeds {
            do { torrent = try trusted.withoutWebSeeds() } catch {
                throw .trust(package: package.key.description, reason: "torrent \(fields.path): \(error)")
            }
        }
        let key = package.key
        reporter.report(.swarm(key, infoHash: torrent.infoHash))
        let seeds = self.webSeeds ? webSeeds.filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") } : []
        let swarm = SwarmDownload(torrent: torrent, peers: peers, webSeeds: seeds.filter { !torrent.webSeeds.contains($0) },
                                  stallTimeout: stallTimeout, webSeedPolicy: webSeedPolicy)
        let target = "\(directory)/\(torrent.name)"
        do {
            let report = try await swarm.run(in: try await session.session(), to: target) { bytes, total, rate in
                reporter.report(.progress(key, bytes: bytes, total: total, bytesPerSecond: Double(rate)))
            }
            if report.hashFailures > 0 || report.bannedPeers > 0 {
                reporter.report(.warning(key, "\(report.hashFailures) piece(s) from peers failed their hash check and were fetched again; "
                    + "\(report.bannedPeers) peer(s) banned"))
            }
        } catch {
            unlink(target)
            return .useHTTP(reason: "torrent: \(error); falling back to HTTP")
        }
        return .file(path: target, torrent: torrentFile)
    }
}
