import AlienModel
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Tarballs
import Transport
import Trust

extension SoftwareArea {
    /// Gets the package's tarball and extracts it into `unpackRoot` (inside the stage).
    ///
    /// With a piece-hash list (`custom.pieces` names its target): the list is fetched through
    /// TUF (a signed target: length and hashes checked), must describe the tarball target
    /// (length, sha256), and the tarball is streamed through a `VerifiedPieceStream` whose
    /// verified pieces go straight into a `TarballStream` extracting into `unpackRoot` while
    /// later bytes arrive. The whole-file length and sha256 are checked before the extraction
    /// counts as finished. Without a list: the verified download of the whole file, then extraction.
    func fetchAndExtract(_ package: PackageTarget, catalog: PackageCatalog, stage: String,
                         into unpackRoot: String) async throws(SoftwareAreaError) -> ExtractionSummary {
        let key = package.key
        if let downloader {
            if let summary = try await swarmAndExtract(package, downloader: downloader, catalog: catalog, stage: stage, into: unpackRoot) {
                return summary
            }
        }
        if keepTarballs, let torrentPath = try SwarmDownloader.torrentFields(package)?.path {
            return try await downloadKeepAndExtract(package, torrentPath: torrentPath, catalog: catalog, stage: stage, into: unpackRoot)
        }
        if let listPath = try Self.pieceListPath(package) {
            return try await streamAndExtract(package, listPath: listPath, catalog: catalog, stage: stage, into: unpackRoot)
        }
        let tarball: String
        do { tarball = try await catalog.updater.downloadTarget(package.info, to: "\(stage)/download") } catch {
            throw .trust(package: key.description, reason: error.description)
        }
        reporter.report(.downloaded(key, bytes: package.info.file.length))
        let summary: ExtractionSummary
        do { summary = try TarballExtractor(digests: true).extract(archive: tarball, into: unpackRoot) } catch {
            throw .extraction(package: key.description, reason: error.description)
        }
        unlink(tarball)
        return summary
    }

    /// `custom.pieces`: the target path of the tarball's piece-hash list, when it has one.
    static func pieceListPath(_ package: PackageTarget) throws(SoftwareAreaError) -> String? {
        guard case let .object(custom)? = package.info.file.custom, let value = custom["pieces"] else { return nil }
        guard case let .string(path) = value, !path.isEmpty else {
            throw .badTargetMetadata(target: package.info.path, field: "pieces", expected: "a target path", got: value.kind)
        }
        return path
    }

    /// The signed piece-hash list at target `listPath`, checked to describe `package`'s tarball.
    func pieceList(for package: PackageTarget, listPath: String, catalog: PackageCatalog,
                   stage: String) async throws(SoftwareAreaError) -> PieceHashList {
        let key = package.key.description
        let bytes: [UInt8]
        do {
            guard let info = try await catalog.updater.targetInfo(for: listPath) else {
                throw SoftwareAreaError.trust(package: key, reason: "\(package.info.path): its piece-hash list \(listPath) is not a trusted target")
            }
            let file = try await catalog.updater.downloadTarget(info, to: "\(stage)/pieces")
            guard let read = FileSystem.readBytes(file) else { throw SoftwareAreaError.io(path: file, operation: "read", reason: FileSystem.errorText()) }
            bytes = read
        } catch let error as SoftwareAreaError {
            throw error
        } catch {
            throw .trust(package: key, reason: "piece-hash list \(listPath): \(error)")
        }
        let list: PieceHashList
        do { list = try PieceHashList(parsing: bytes) } catch {
            throw .trust(package: key, reason: "piece-hash list \(listPath): \(error)")
        }
        guard list.length == package.info.file.length, list.sha256 == package.info.file.hashes["sha256"]?.lowercased() else {
            throw .trust(package: key, reason: "piece-hash list \(listPath) describes \(list.length) bytes with sha256 \(list.sha256), "
                + "the target \(package.info.path) has \(package.info.file.length) bytes with sha256 \(package.info.file.hashes["sha256"] ?? "none")")
        }
        return list
    }

    /// The streamed path of `fetchAndExtract`.
    func streamAndExtract(_ package: PackageTarget, listPath: String, catalog: PackageCatalog, stage: String,
                          into unpackRoot: String) async throws(SoftwareAreaError) -> ExtractionSummary {
        let key = package.key
        let list = try await pieceList(for: package, listPath: listPath, catalog: catalog, stage: stage)
        let primary: String
        do { primary = try await catalog.updater.targetURL(for: package.info) } catch {
            throw .trust(package: key.description, reason: error.description)
        }
        let extraction: TarballStream
        do { extraction = try TarballExtractor(digests: true).stream(into: unpackRoot) } catch {
            throw .extraction(package: key.description, reason: error.description)
        }
        let verifier: VerifiedPieceStream
        do {
            verifier = try VerifiedPieceStream(list: list, expectedLength: package.info.file.length,
                                               expectedSHA256: package.info.file.hashes["sha256"] ?? "") { piece in
                try await extraction.send(piece)
            }
        } catch {
            extraction.cancel()
            throw .trust(package: key.description, reason: "piece-hash list \(listPath): \(error)")
        }
        let request = TransferRequest(mirrors: mirrorURLs(for: primary, updater: catalog.updater), maxLength: package.info.file.length)
        let reporter = self.reporter
        let total = package.info.file.length
        do {
            // Whole-file length and sha256 are checked (verifier.finish) before the extraction ends.
            if let path = Self.localPath(primary) {
                try await Self.streamLocalFile(path, into: verifier) { bytes, rate in
                    reporter.report(.progress(key, bytes: bytes, total: total, bytesPerSecond: rate, extracted: extraction.extractedSoFar.entries))
                }
            } else {
                try await transfers.stream(request, verifiedBy: verifier) { progress in
                    reporter.report(.progress(key, bytes: progress.bytes, total: progress.total ?? total, bytesPerSecond: progress.bytesPerSecond,
                                              extracted: extraction.extractedSoFar.entries))
                }
            }
        } catch {
            extraction.cancel()
            switch error {
            case let error as PieceVerificationError:
                throw .trust(package: key.description, reason: "\(package.info.path): \(error)")
            case let error as TarballError:
                throw .extraction(package: key.description, reason: error.description)
            default:
                throw .trust(package: key.description, reason: "\(package.info.path): download failed: \(error)")
            }
        }
        reporter.report(.downloaded(key, bytes: total))
        do { return try await extraction.finished() } catch {
            extraction.cancel()
            throw .extraction(package: key.description, reason: error.description)
        }
    }

    /// The target's URL at the repository and at each configured mirror (same layout under
    /// `<mirror>/targets/`), repository first.
    func mirrorURLs(for primary: String, updater: Updater) -> [String] {
        guard let base = updater.targetBaseURL, primary.hasPrefix(base) else { return [primary] }
        let relative = primary.dropFirst(base.count)
        var urls = [primary]
        for mirror in configuration.mirrors {
            let trimmed = mirror.hasSuffix("/") ? String(mirror.dropLast()) : mirror
            let url = "\(trimmed)/targets/\(relative)"
            if !urls.contains(url) { urls.append(url) }
        }
        return urls
    }

    /// The path of a `file://` URL.
    static func localPath(_ url: String) -> String? {
        guard url.hasPrefix("file://"), let parsed = URL(string: url), parsed.isFileURL else { return nil }
        return parsed.path
    }

    /// A `file://` repository is read directly, in 1 MiB chunks, through the same verifier
    /// (libcurl's file protocol cannot pause for a consumer that lags, as extraction does).
    static func streamLocalFile(_ path: String, into verifier: VerifiedPieceStream,
                                progress: (_ bytes: Int64, _ bytesPerSecond: Double) -> Void) async throws {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SoftwareAreaError.io(path: path, operation: "open", reason: FileSystem.errorText()) }
        defer { close(descriptor) }
        let started = ContinuousClock.now
        var last = started
        var done: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        func rate() -> Double {
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return seconds > 0 ? Double(done) / seconds : 0
        }
        progress(0, 0)
        while true {
            try Task.checkCancellation()
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SoftwareAreaError.io(path: path, operation: "read", reason: FileSystem.errorText())
            }
            if count == 0 { break }
            try await verifier.consume(Array(buffer[0..<count]))
            done += Int64(count)
            if ContinuousClock.now - last >= .milliseconds(200) {
                last = .now
                progress(done, rate())
            }
        }
        progress(done, rate())
        try verifier.finish()
    }
}
