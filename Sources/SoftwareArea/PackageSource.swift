public import AlienModel
import Basics
import Crypto
import Foundation
import Synchronization
import Tarballs
public import Transport
import Trust

/// One way a package's tarball can arrive (Cargo's `Source`, Nix's substituter): HTTP with
/// mirrors and resume (and `file://` repositories), a BitTorrent swarm. The area asks its
/// sources in order; the first that delivers wins. Every byte goes through a `TarballSink`,
/// which lets nothing unverified reach the extraction.
public protocol PackageSource: Sendable {
    /// A short name for messages and for giving up on a source for the rest of an install.
    var name: String { get }
    /// Whether the plan must carry the package's torrent for this source.
    var wantsTorrent: Bool { get }
    /// Delivers the plan's tarball into `sink` from its first byte, or declines before
    /// delivering any byte (the next source takes over). Errors after bytes were delivered
    /// fail the package.
    func deliver(_ plan: DownloadPlan, into sink: TarballSink, context: SourceContext) async throws(SoftwareAreaError) -> SourceOutcome
}

/// What a source did with one package.
public enum SourceOutcome: Sendable, Hashable {
    case delivered
    /// Not this way; the reason is reported as a fallback when not nil.
    case declined(reason: String?)
}

/// State one install shares between its packages: a source that failed once is not asked
/// again for the other packages of the same install (a dead tracker costs one timeout, not one
/// per package). While the first package tries a source whose worth is unknown, the others
/// wait for its outcome instead of all trying at once, so the fallback happens once.
public final class InstallRun: Sendable {
    private enum Worth {
        case unknown
        case probing([CheckedContinuation<Bool, Never>])
        case works
        case failed
    }

    private let sources = Mutex<[String: Worth]>([:])

    public init() {}

    /// Whether to try `source` now: true for the first caller (who must `record` the outcome)
    /// and once the source has worked; false once it failed. Callers in between wait.
    public func admit(_ source: String) async -> Bool {
        enum Decision { case go, stop, wait }
        let decision: Decision = sources.withLock { sources in
            switch sources[source, default: .unknown] {
            case .unknown:
                sources[source] = .probing([])
                return .go
            case .works: return .go
            case .failed: return .stop
            case .probing: return .wait
            }
        }
        switch decision {
        case .go: return true
        case .stop: return false
        case .wait:
            return await withCheckedContinuation { continuation in
                let ready: Bool? = sources.withLock { sources in
                    switch sources[source, default: .unknown] {
                    case let .probing(waiting):
                        sources[source] = .probing(waiting + [continuation])
                        return nil
                    case .works: return true
                    case .failed: return false
                    case .unknown:
                        sources[source] = .probing([])
                        return true
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    /// The outcome of trying `source`: waiters go on (it works) or decline (it failed).
    public func record(_ source: String, worked: Bool) {
        let waiting: [CheckedContinuation<Bool, Never>] = sources.withLock { sources in
            let current = sources[source, default: .unknown]
            if case .failed = current { return [] }
            sources[source] = worked ? .works : .failed
            if case let .probing(waiting) = current { return waiting }
            return []
        }
        for continuation in waiting { continuation.resume(returning: worked) }
    }

    public func giveUp(_ source: String) { record(source, worked: false) }

    /// How many callers wait for the outcome of `source` (for tests that need them waiting).
    func waiters(for source: String) -> Int {
        sources.withLock { if case let .probing(waiting) = $0[source, default: .unknown] { waiting.count } else { 0 } }
    }

    public func hasGivenUp(_ source: String) -> Bool {
        sources.withLock { if case .failed = $0[source, default: .unknown] { true } else { false } }
    }
}

/// What a source knows of the package it works on.
public struct SourceContext: Sendable {
    public var key: PackageBuild
    /// A private folder in the package's stage for the source's files.
    public var directory: String
    public var run: InstallRun
    public var reporter: any AreaReporter
    /// Download progress: bytes received, total, average bytes per second.
    public var progress: @Sendable (_ bytes: Int64, _ total: Int64, _ bytesPerSecond: Double) -> Void
}

/// Where a source puts a tarball's bytes, in order from byte 0. With a piece-hash list each
/// piece reaches the extraction only after its sha256 matched the signed list
/// (`VerifiedPieceStream`); without one the bytes go to a file in the stage, whose length and
/// sha256 are checked as a whole before it is extracted. With `keep`, verified bytes are also
/// written to a file that is kept for seeding. Used by one task at a time.
public final class TarballSink: TransferConsumer, @unchecked Sendable {
    private enum Target {
        case pieces(VerifiedPieceStream)
        case file(FileConsumer)
    }

    public let plan: DownloadPlan
    private let target: Target
    private var wholeFileHash = SHA256()
    private let keep: FileConsumer?
    /// Bytes taken so far (a source that declines must not have delivered any).
    public private(set) var delivered: Int64 = 0
    /// The whole tarball as one local file, when a source delivered it so (the swarm) or
    /// without a piece list (the download file): what is kept for seeding.
    public private(set) var wholeFile: String?

    /// `extraction` receives verified pieces (plans with a piece list); `downloadFile` is where
    /// the bytes go without one; `keep` (optional) gets a copy of the verified bytes.
    init(plan: DownloadPlan, extraction: TarballStream?, downloadFile: String, keep: String?) throws(SoftwareAreaError) {
        self.plan = plan
        let key = plan.package.build.description
        if let list = plan.pieces, let extraction {
            let keeper: FileConsumer?
            do { keeper = try keep.map { path throws(TransportError) in try FileConsumer(path: path) } } catch {
                throw .io(path: keep ?? "", operation: "create", reason: error.description)
            }
            self.keep = keeper
            do {
                target = .pieces(
                    try VerifiedPieceStream(
                        list: list, expectedLength: plan.length, expectedSHA256: plan.sha256,
                        wholeFile: false
                    ) { piece in
                        try await extraction.send(piece)
                        try await keeper?.consume(piece)
                    })
            } catch {
                throw .trust(package: key, .pieces(target: plan.package.info.path, error))
            }
        } else {
            self.keep = nil
            do throws(TransportError) { target = .file(try FileConsumer(path: downloadFile)) } catch {
                throw .io(path: downloadFile, operation: "create", reason: error.description)
            }
            wholeFile = downloadFile
        }
    }

    public func resumeOffset() async throws -> Int64 {
        switch target {
        case let .pieces(stream): try await stream.resumeOffset()
        case let .file(file): try await file.resumeOffset()
        }
    }

    public func restart() async throws {
        switch target {
        case let .pieces(stream): try await stream.restart()
        case let .file(file):
            try await file.restart()
            wholeFileHash = SHA256()
        }
        delivered = 0
    }

    public func consume(_ bytes: [UInt8]) async throws {
        switch target {
        case let .pieces(stream): try await stream.consume(bytes)
        case let .file(file):
            try await file.consume(bytes)
            wholeFileHash.update(data: bytes)
        }
        delivered += Int64(bytes.count)
    }

    /// Replays a complete local file (a swarm's download, a `file://` repository) into the
    /// sink in 1 MiB reads. With `asWholeFile`, that file is the tarball to keep for seeding.
    public func deliver(
        file path: String, asWholeFile: Bool,
        progress: (_ bytes: Int64, _ bytesPerSecond: Double) -> Void
    ) async throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SoftwareAreaError.io(path: path, operation: "open", reason: FileSystem.errorText()) }
        defer { close(descriptor) }
        let started = ContinuousClock.now
        var last = started
        var done: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        func rate() -> Double {
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            return seconds > 0 ? Double(done) / seconds : 0
        }
        progress(0, 0)
        while true {
            try Task.checkCancellation()
            let count = buffer.withUnsafeMutableBytes { FileIO.readSome(descriptor, into: $0) }
            if count < 0 { throw SoftwareAreaError.io(path: path, operation: "read", reason: FileSystem.errorText()) }
            if count == 0 { break }
            try await consume(count == buffer.count ? buffer : Array(buffer[0..<count]))
            done += Int64(count)
            if ContinuousClock.now - last >= .milliseconds(200) {
                last = .now
                progress(done, rate())
            }
        }
        progress(done, rate())
        if asWholeFile { wholeFile = path }
    }

    /// After the last byte: every piece arrived and matched (the list is bound to the tarball's
    /// signed length and sha256), or the whole file has the signed length and sha256.
    func finish() throws(SoftwareAreaError) {
        let key = plan.package.build.description
        switch target {
        case let .pieces(stream):
            do { try stream.finish() } catch {
                throw .trust(package: key, .pieces(target: plan.package.info.path, error))
            }
        case let .file(file):
            let digest = Hex.lowercase(wholeFileHash.finalize())
            guard file.written == plan.length, digest == plan.sha256 else {
                throw .trust(
                    package: key,
                    reason: "\(plan.package.info.path): got \(file.written) bytes with sha256 \(digest), "
                        + "signed metadata says \(plan.length) bytes with sha256 \(plan.sha256)")
            }
        }
    }

    /// The copy of the verified bytes, if one was made.
    var keptCopy: String? { keep?.path }
}

/// The repository's own way: HTTP(S) from the repository then its mirrors, with resume and
/// fail-over (`Transfers`), or a `file://` repository read directly.
public struct HTTPSource: PackageSource {
    public var transfers: Transfers

    public init(transfers: Transfers) {
        self.transfers = transfers
    }

    public var name: String { "http" }
    public var wantsTorrent: Bool { false }

    public func deliver(_ plan: DownloadPlan, into sink: TarballSink, context: SourceContext) async throws(SoftwareAreaError) -> SourceOutcome {
        let key = context.key.description
        let path = plan.package.info.path
        do {
            if let local = plan.urls.first.flatMap(Self.localPath) {
                // libcurl's file protocol cannot pause for a consumer that lags, as extraction does.
                try await sink.deliver(file: local, asWholeFile: false) { bytes, rate in context.progress(bytes, plan.length, rate) }
            } else {
                let request = TransferRequest(mirrors: plan.urls, maxLength: plan.length)
                try await transfers.stream(request, to: sink) { progress in
                    context.progress(progress.bytes, progress.total ?? plan.length, progress.bytesPerSecond)
                }
            }
        } catch {
            throw Self.mapped(error, key: key, path: path)
        }
        return .delivered
    }

    /// A transfer's failure as the area reports it.
    static func mapped(_ error: any Error, key: String, path: String) -> SoftwareAreaError {
        switch error {
        case let error as SoftwareAreaError: error
        case let error as PieceVerificationError: .trust(package: key, .pieces(target: path, error))
        case let error as TarballError: .extraction(package: key, error)
        case let error as TransportError: .trust(package: key, .transport(target: path, error))
        case is CancellationError: .io(path: path, operation: "download", reason: "cancelled")
        default: .trust(package: key, reason: "\(path): download failed: \(error)")
        }
    }

    /// The path of a `file://` URL.
    static func localPath(_ url: String) -> String? {
        guard url.hasPrefix("file://"), let parsed = URL(string: url), parsed.isFileURL else { return nil }
        return parsed.path
    }
}
