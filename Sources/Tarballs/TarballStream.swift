#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CArchive
public import Foundation

/// An extraction fed with bytes as they arrive (e.g. from a download, after each piece is
/// verified): `feed` from any thread (a libcurl write callback) or `send` from async code, then
/// `finish()`, or `cancel()` to stop and empty the directory.
///
/// libarchive pulls its input, so the extraction runs on a thread of its own and fed bytes
/// travel through a bounded buffer (4 MiB): `feed` blocks and `send` suspends while it is full,
/// which passes back-pressure to the producer; memory stays bounded whatever the archive size.
/// An entry that breaks a rule fails the next `feed`/`send` at once (no need to download the
/// rest). Once the archive's end is read, further bytes are accepted and ignored. A stream
/// dropped without `finish()` is cancelled. The extraction counts as done only at `finish()`:
/// a `cancel()` after libarchive saw the end (say the caller's final hash check failed) still
/// empties the directory.
public final class TarballStream: @unchecked Sendable {
    /// The target directory.
    public let directory: String
    private let state: StreamState
    private let session: ExtractionSession

    init(directory: String, limits: TarballExtractor.Limits, digests: Bool, writeback: Bool) throws(TarballError) {
        self.directory = directory
        let destination = try DestinationDirectory(path: directory)
        let session = ExtractionSession(destination: destination, limits: limits, digests: digests, writeback: writeback)
        let state = StreamState(capacity: 4 << 20)
        self.session = session
        self.state = state
        let source = "stream into \(directory)"
        let thread = Thread {
            var result: Result<ExtractionSummary, TarballError>
            do throws(TarballError) {
                let reader = try ExtractionSession.makeReader(source: source)
                defer { archive_read_free(reader) }
                let input = StreamInput(state: state)
                let opened = withExtendedLifetime(input) {
                    archive_read_open(reader, Unmanaged.passUnretained(input).toOpaque(), nil, streamReadCallback, nil)
                }
                if opened != ARCHIVE_OK {
                    session.destination.removeContents()
                    throw .malformed(source: source, entry: nil, detail: ArchiveOutput.message(reader))
                }
                result = .success(try withExtendedLifetime(input) { () throws(TarballError) in try session.run(reader, source: source) })
            } catch {
                result = .failure(error)
            }
            state.complete(with: result, cancelled: .cancelled(destination: directory))
        }
        thread.name = "tarball-extract"
        thread.start()
    }

    deinit {
        cancel()
    }

    /// Entries and bytes extracted so far (any thread; for progress displays).
    public var extractedSoFar: (entries: Int, bytes: UInt64) { session.counters.snapshot }

    /// Hands `bytes` (copied) to the extraction; blocks while 4 MiB are already waiting.
    /// Throws the extraction's error as soon as it is known.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(TarballError) {
        guard !bytes.isEmpty else { return }
        try state.put(Chunk(copying: bytes), directory: directory)
    }

    /// `feed` for an array (or any contiguous bytes).
    public func feed(_ bytes: some ContiguousBytes) throws(TarballError) {
        let chunk = bytes.withUnsafeBytes { Chunk(copying: $0) }
        guard chunk.bytes.count > 0 else { return }
        try state.put(chunk, directory: directory)
    }

    /// `feed` for async producers: suspends, instead of blocking a thread, while the buffer is full.
    public func send(_ bytes: some ContiguousBytes) async throws(TarballError) {
        let chunk = bytes.withUnsafeBytes { Chunk(copying: $0) }
        guard chunk.bytes.count > 0 else { return }
        while try !state.offer(chunk, directory: directory) {
            await withCheckedContinuation { state.waitForSpace(chunk.bytes.count, $0) }
        }
    }

    /// Ends the input and waits for the extraction: its summary, or the error that stopped it
    /// (a truncated archive is `malformed`).
    public func finish() throws(TarballError) -> ExtractionSummary {
        try state.closeInput(directory: directory)
        return try settle(state.resolve(.finished))
    }

    /// `finish()` for async callers: suspends instead of blocking a thread.
    public func finished() async throws(TarballError) -> ExtractionSummary {
        try state.closeInput(directory: directory)
        await withCheckedContinuation { state.waitForOutcome($0) }
        return try settle(state.resolve(.finished))
    }

    /// Stops the extraction, waits for it, and leaves the directory empty. Does nothing after
    /// `finish()` or a first `cancel()`.
    public func cancel() {
        guard state.cancel(), let outcome = state.resolve(.cancelled) else { return }
        if case .success = outcome { session.destination.removeContents() }
        session.destination.release()
    }

    /// Releases the directory and returns the outcome; nil (a concurrent `cancel()` won) is `cancelled`.
    private func settle(_ outcome: Result<ExtractionSummary, TarballError>?) throws(TarballError) -> ExtractionSummary {
        guard let outcome else { throw .cancelled(destination: directory) }
        session.destination.release()
        return try outcome.get()
    }
}

/// Fed bytes in memory of their own: libarchive keeps a pointer to a chunk until its next read.
final class Chunk {
    let bytes: UnsafeMutableRawBufferPointer

    init(copying source: UnsafeRawBufferPointer) {
        bytes = .allocate(byteCount: source.count, alignment: 16)
        if source.count > 0 { bytes.copyMemory(from: source) }
    }

    deinit {
        bytes.deallocate()
    }
}

/// The extraction thread's side of the buffer, handed to libarchive as client data.
final class StreamInput {
    let state: StreamState
    /// The chunk libarchive is reading.
    var current: Chunk?

    init(state: StreamState) {
        self.state = state
    }
}

/// libarchive's read callback: the next fed chunk; 0 at the end of input; -1 when cancelled.
private func streamReadCallback(
    _: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UnsafeRawPointer?>?
) -> la_ssize_t {
    guard let client, let buffer else { return -1 }
    let input = Unmanaged<StreamInput>.fromOpaque(client).takeUnretainedValue()
    switch input.state.take() {
    case let .chunk(chunk):
        input.current = chunk
        buffer.pointee = UnsafeRawPointer(chunk.bytes.baseAddress)
        return la_ssize_t(chunk.bytes.count)
    case .end:
        input.current = nil
        return 0
    case .cancelled:
        input.current = nil
        return -1
    }
}
