import Basics
import Foundation

extension Transfers {
    /// The whole body in memory (for metadata and other small files; `maxLength` caps it).
    public func fetch(_ request: TransferRequest, progress: (@Sendable (TransferProgress) -> Void)? = nil) async throws -> [UInt8] {
        let sink = MemoryConsumer()
        try await stream(request, to: sink, progress: progress)
        return sink.bytes
    }

    /// Streams the body into the file `destination`. With `resume`, an existing file is taken
    /// as the beginning of the body (a download interrupted in an earlier run continues with
    /// `Range`); without, the file must not exist yet. On error the file is left as it is, so a
    /// later call with `resume` can continue.
    @discardableResult
    public func download(
        _ request: TransferRequest, to destination: String, resume: Bool = false,
        progress: (@Sendable (TransferProgress) -> Void)? = nil
    ) async throws -> TransferReport {
        let file = try FileConsumer(path: destination, resume: resume)
        return try await stream(request, to: file, progress: progress)
    }
}

/// Keeps the body in memory.
final class MemoryConsumer: TransferConsumer {
    var bytes: [UInt8] = []
    func resumeOffset() async throws -> Int64 { Int64(bytes.count) }
    func restart() async throws { bytes.removeAll(keepingCapacity: true) }
    func consume(_ chunk: [UInt8]) async throws { bytes.append(contentsOf: chunk) }
}

/// Writes the body into a file; every byte written counts as kept (the resume point is the
/// file's length). `restart` truncates it.
public final class FileConsumer: TransferConsumer {
    public let path: String
    private let descriptor: Int32
    public private(set) var written: Int64

    /// Opens `path`: created new (`O_EXCL`), or with `resume` opened as it is (created if missing)
    /// to continue after its last byte.
    public init(path: String, resume: Bool = false) throws(TransportError) {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (resume ? 0 : O_EXCL)
        descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        let end = lseek(descriptor, 0, SEEK_END)
        written = end > 0 ? Int64(end) : 0
    }

    deinit { close(descriptor) }

    public func resumeOffset() async throws -> Int64 { written }

    public func restart() async throws {
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw TransportError.io(path: path, reason: String(cString: strerror(errno)))
        }
        written = 0
    }

    public func consume(_ bytes: [UInt8]) async throws {
        let code = FileIO.writeAll(descriptor, bytes)
        if code != 0 { throw TransportError.io(path: path, reason: String(cString: strerror(code))) }
        written += Int64(bytes.count)
    }

    /// `fsync`.
    public func synchronize() throws(TransportError) {
        guard fsync(descriptor) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    }
}
