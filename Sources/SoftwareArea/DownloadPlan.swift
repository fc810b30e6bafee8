import AlienModel
import Foundation
public import Torrents
public import Trust

/// What the catalog answers for one package before any of its bytes is fetched: every way to
/// get the tarball, each part verified against signed metadata before it is used (the seam in
/// front of every `PackageSource`).
public struct DownloadPlan: Sendable {
    public var package: PackageTarget
    /// The signed piece-hash list, checked to describe this tarball (length, sha256); nil when
    /// none was published: then the whole file is checked before extraction.
    public var pieces: PieceHashList?
    /// The signed torrent, checked to describe this tarball (length, the signed info-hash);
    /// nil when none was published or no source wants one.
    public var torrent: TrustedTorrent?
    /// The tarball at the repository, then at each mirror (same layout under `…/targets/`).
    public var urls: [String]

    public var length: Int64 { package.info.file.length }
    public var sha256: String { package.info.file.hashes["sha256"]?.lowercased() ?? "" }

    public init(package: PackageTarget, pieces: PieceHashList?, torrent: TrustedTorrent?, urls: [String]) {
        self.package = package
        self.pieces = pieces
        self.torrent = torrent
        self.urls = urls
    }
}

/// A torrent fetched through TUF and matched to its tarball.
public struct TrustedTorrent: Sendable {
    public var file: TorrentFile
    /// The verified `.torrent` file (inside the stage), kept beside a tarball kept for seeding.
    public var path: String
    /// Its target path.
    public var target: String
}

extension PackageCatalog {
    /// The plan for `package`: its piece-hash list and (with `torrent`) its torrent fetched
    /// through TUF into `directory` and checked, and its URLs at the repository and `mirrors`.
    public func plan(
        for package: PackageTarget, mirrors: [String], torrent wantTorrent: Bool,
        directory: String
    ) async throws(SoftwareAreaError) -> DownloadPlan {
        var pieces: PieceHashList?
        if let listPath = package.pieceListPath {
            pieces = try await pieceList(for: package, listPath: listPath, directory: directory)
        }
        var torrent: TrustedTorrent?
        if wantTorrent, let fields = package.torrentFields {
            torrent = try await trustedTorrent(package, path: fields.path, infoHash: fields.infoHash, directory: directory)
        }
        let primary: String
        do { primary = try await updater.targetURL(for: package.info) } catch {
            throw .trust(package: package.build.description, .update(error))
        }
        return DownloadPlan(package: package, pieces: pieces, torrent: torrent, urls: Self.urls(primary, base: updater.targetBaseURL, mirrors: mirrors))
    }

    /// The target's URL at the repository and at each mirror (`<mirror>/targets/<relative>`),
    /// repository first, each once.
    static func urls(_ primary: String, base: String?, mirrors: [String]) -> [String] {
        guard let base, primary.hasPrefix(base) else { return [primary] }
        let relative = primary.dropFirst(base.count)
        var urls = [primary]
        for mirror in mirrors {
            let trimmed = mirror.hasSuffix("/") ? String(mirror.dropLast()) : mirror
            let url = "\(trimmed)/targets/\(relative)"
            if !urls.contains(url) { urls.append(url) }
        }
        return urls
    }

    /// A small signed companion target (piece list, torrent) of `package`, downloaded into `directory`.
    private func companion(
        _ path: String, of package: PackageTarget, what: String,
        directory: String
    ) async throws(SoftwareAreaError) -> (bytes: [UInt8], file: String) {
        let key = package.build.description
        do {
            guard let info = try await updater.targetInfo(for: path) else {
                throw SoftwareAreaError.trust(package: key, reason: "\(package.info.path): its \(what) \(path) is not a trusted target")
            }
            // Read into memory and checked there; only a torrent (kept for seeding) is written.
            let bytes = try await updater.targetBytes(info)
            let file = "\(directory)/\(path.split(separator: "/").last.map(String.init) ?? "companion")"
            if what == "torrent" {
                try FileSystem.makeDirectories(directory)
                try FileSystem.writeFile(bytes, to: file)
            }
            return (bytes, file)
        } catch let error as SoftwareAreaError {
            throw error
        } catch let error as UpdaterError {
            throw .trust(package: key, .companion(kind: what, path: path, error))
        } catch {
            throw .trust(package: key, reason: "\(what) \(path) refused: \(error)")
        }
    }

    func pieceList(for package: PackageTarget, listPath: String, directory: String) async throws(SoftwareAreaError) -> PieceHashList {
        let key = package.build.description
        let bytes = try await companion(listPath, of: package, what: "piece-hash list", directory: directory).bytes
        let list: PieceHashList
        do { list = try PieceHashList(parsing: bytes) } catch {
            throw .trust(package: key, .pieceList(path: listPath, error))
        }
        let sha256 = package.info.file.hashes["sha256"]?.lowercased()
        guard list.length == package.info.file.length, list.sha256 == sha256 else {
            throw .trust(
                package: key,
                reason: "piece-hash list \(listPath) describes \(list.length) bytes with sha256 \(list.sha256), "
                    + "the target \(package.info.path) has \(package.info.file.length) bytes with sha256 \(sha256 ?? "none")")
        }
        return list
    }

    func trustedTorrent(
        _ package: PackageTarget, path torrentPath: String, infoHash: String?,
        directory: String
    ) async throws(SoftwareAreaError) -> TrustedTorrent {
        let key = package.build.description
        let (bytes, file) = try await companion(torrentPath, of: package, what: "torrent", directory: directory)
        let torrent: TorrentFile
        do { torrent = try TorrentFile(parsing: bytes) } catch {
            throw .trust(package: key, .torrent(path: torrentPath, error))
        }
        guard torrent.length == package.info.file.length else {
            throw .trust(
                package: key,
                reason: "torrent \(torrentPath) describes \(torrent.length) bytes, the target \(package.info.path) has \(package.info.file.length)")
        }
        if let infoHash, infoHash != torrent.infoHashV1, infoHash != torrent.infoHashV2 {
            throw .trust(package: key, reason: "torrent \(torrentPath) has info-hash \(torrent.infoHash), the signed metadata says \(infoHash)")
        }
        return TrustedTorrent(file: torrent, path: file, target: torrentPath)
    }
}

extension PackageTarget {
    /// `custom.pieces`: the target path of the tarball's piece-hash list, when it has one.
    var pieceListPath: String? { metadata.pieces }

    /// `custom.torrent` and `custom.infohash` of a tarball target.
    var torrentFields: (path: String, infoHash: String?)? { metadata.torrent.map { ($0, metadata.infoHash?.lowercased()) } }
}
