import AlienModel
import Foundation
import Tarballs
import Trust

extension SoftwareArea {
    /// The `downloader` path of `fetchAndExtract`: nil when the downloader passes the package to
    /// HTTP. A whole tarball is checked (length, sha256 against signed metadata) before extraction,
    /// then kept in the cache (`keepTarballs`) or deleted.
    func swarmAndExtract(_ package: PackageTarget, downloader: any TarballDownloader, catalog: PackageCatalog, stage: String,
                         into unpackRoot: String) async throws(SoftwareAreaError) -> ExtractionSummary? {
        let key = package.key
        var webSeeds: [String] = []
        if let primary = try? await catalog.updater.targetURL(for: package.info) {
            webSeeds = mirrorURLs(for: primary, updater: catalog.updater)
        }
        let directory = "\(stage)/swarm"
        try FileSystem.makeDirectories(directory)
        let outcome = try await downloader.download(package, catalog: catalog, into: directory, webSeeds: webSeeds, reporter: reporter)
        guard case let .file(path, torrent) = outcome else {
            if case let .useHTTP(reason?) = outcome { reporter.report(.fallback(key, reason: reason)) }
            return nil
        }
        let expected = package.info.file.hashes["sha256"]?.lowercased() ?? ""
        guard let digest = FileDigest.sha256(path: path) else { throw .io(path: path, operation: "read", reason: FileSystem.errorText()) }
        guard Int64(digest.size) == package.info.file.length, digest.hash.hex == expected else {
            unlink(path)
            throw .trust(package: key.description, reason: "\(package.info.path): the swarm gave \(digest.size) bytes with sha256 \(digest.hash.hex), "
                + "signed metadata says \(package.info.file.length) bytes with sha256 \(expected)")
        }
        reporter.report(.downloaded(key, bytes: package.info.file.length))
        let summary: ExtractionSummary
        do { summary = try TarballExtractor().extract(archive: path, into: unpackRoot) } catch {
            throw .extraction(package: key.description, reason: error.description)
        }
        if keepTarballs, let torrent {
            keepForSeeding(tarball: path, torrent: torrent, sha256: expected, targetPath: package.info.path)
        } else {
            unlink(path)
        }
        return summary
    }

    /// Moves a verified tarball and its torrent into the cache (best effort: seeding is optional).
    func keepForSeeding(tarball: String, torrent: String, sha256: String, targetPath: String) {
        let name = "\(sha256).\(targetPath.split(separator: "/").last.map(String.init) ?? "tarball")"
        do {
            try FileSystem.makeDirectories(layout.cache)
            let destination = "\(layout.cache)/\(name)"
            if rename(tarball, destination) != 0 { unlink(tarball); return }
            let torrentBytes = FileSystem.readBytes(torrent) ?? []
            try FileSystem.writeAtomically(torrentBytes, to: destination + ".torrent")
        } catch {
            reporter.report(.warning(PackageKey(name: "", version: "", revision: ""), "cannot keep \(name) for seeding: \(error)"))
        }
    }

    /// HTTP with `keepTarballs` for a package that has a torrent: the whole verified file (not
    /// streamed), extracted, then kept with its torrent (fetched through TUF; without it the
    /// tarball is not kept, the install goes on) for `seed`.
    func downloadKeepAndExtract(_ package: PackageTarget, torrentPath: String, catalog: PackageCatalog, stage: String,
                                into unpackRoot: String) async throws(SoftwareAreaError) -> ExtractionSummary {
        let key = package.key
        let tarball: String
        do { tarball = try await catalog.updater.downloadTarget(package.info, to: "\(stage)/download") } catch {
            throw .trust(package: key.description, reason: error.description)
        }
        reporter.report(.downloaded(key, bytes: package.info.file.length))
        let summary: ExtractionSummary
        do { summary = try TarballExtractor().extract(archive: tarball, into: unpackRoot) } catch {
            throw .extraction(package: key.description, reason: error.description)
        }
        do {
            guard let info = try await catalog.updater.targetInfo(for: torrentPath) else {
                throw SoftwareAreaError.trust(package: key.description, reason: "\(torrentPath) is not a trusted target")
            }
            let torrent = try await catalog.updater.downloadTarget(info, to: "\(stage)/torrent")
            keepForSeeding(tarball: tarball, torrent: torrent, sha256: package.info.file.hashes["sha256"]?.lowercased() ?? "",
                           targetPath: package.info.path)
        } catch {
            reporter.report(.warning(key, "not kept for seeding: its torrent \(torrentPath): \(error)"))
            unlink(tarball)
        }
        return summary
    }
}
