#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AlienModel
import CArchive
import Crypto

/// Where libarchive's compressed bytes go: a temporary file beside the final name, hashed and
/// counted as they are written (the file is never read back).
final class HashingSink {
    let fd: Int32
    var hasher = SHA256()
    var size: UInt64 = 0
    /// The errno of the first failed write.
    var failure: Int32 = 0

    init(fd: Int32) {
        self.fd = fd
    }

    func write(_ buffer: UnsafeRawBufferPointer) -> Int {
        let code = POSIX.writeAll(fd, buffer)
        if code != 0 {
            failure = code
            return -1
        }
        hasher.update(bufferPointer: buffer)
        size += UInt64(buffer.count)
        return buffer.count
    }
}

/// libarchive's write callback: the client data is the `HashingSink`.
private func sinkWriteCallback(
    _: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ buffer: UnsafeRawPointer?, _ length: Int
) -> la_ssize_t {
    guard let client, let buffer else { return -1 }
    let sink = Unmanaged<HashingSink>.fromOpaque(client).takeUnretainedValue()
    return la_ssize_t(sink.write(UnsafeRawBufferPointer(start: buffer, count: length)))
}

/// A libarchive writer set up for normalized tarballs (pax restricted, fixed compression
/// parameters, no block padding after the compressed stream), writing to a temporary file in
/// the output's directory that `commit` renames into place and `abandon` removes.
final class ArchiveOutput {
    let path: String
    let temporaryPath: String
    let archive: OpaquePointer
    let sink: HashingSink
    private var isOpen = true

    init(path: String, compression: TarballCompression, zstdThreads: Int) throws(TarballError) {
        self.path = path
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(directory.isEmpty ? "/" : directory)/.\(name).partial-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .outputFailed(path: path, reason: POSIX.lastError) }
        temporaryPath = String(cString: template.map { UInt8(bitPattern: $0) })
        sink = HashingSink(fd: fd)
        guard let archive = archive_write_new() else {
            close(fd)
            unlink(temporaryPath)
            throw .archiveFailed(context: path, message: "archive_write_new failed")
        }
        self.archive = archive
        let options: String
        var status = archive_write_set_format_pax_restricted(archive)
        switch compression {
        case .gzip:
            if status == ARCHIVE_OK { status = archive_write_add_filter_gzip(archive) }
            options = "gzip:compression-level=\(TarballWriter.gzipLevel),gzip:!timestamp"
        case .zstd:
            if status == ARCHIVE_OK { status = archive_write_add_filter_zstd(archive) }
            // Any threads ≥ 1 gives the same bytes (zstd's multi-threaded format does not
            // depend on the worker count; only 0, single-threaded mode, differs).
            options = "zstd:compression-level=\(TarballWriter.zstdLevel),zstd:threads=\(max(1, zstdThreads))"
        }
        if status == ARCHIVE_OK { status = archive_write_set_options(archive, options) }
        if status == ARCHIVE_OK { status = archive_write_set_bytes_per_block(archive, 64 * 1024) }
        // No zero padding after the compressed stream (gzip -d would warn about trailing bytes).
        if status == ARCHIVE_OK { status = archive_write_set_bytes_in_last_block(archive, 1) }
        if status == ARCHIVE_OK {
            status = archive_write_open2(
                archive, Unmanaged.passUnretained(sink).toOpaque(), nil, sinkWriteCallback, nil, nil)
        }
        guard status == ARCHIVE_OK else {
            let message = Self.message(archive)
            archive_write_free(archive)
            close(fd)
            unlink(temporaryPath)
            isOpen = false
            throw .archiveFailed(context: path, message: message)
        }
    }

    deinit {
        if isOpen { abandon() }
    }

    static func message(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "error \(archive_errno(archive))"
    }

    /// The reason of the last failure: the sink's errno if a write failed, else libarchive's text.
    func failureReason() -> String {
        sink.failure != 0 ? POSIX.describe(sink.failure) : Self.message(archive)
    }

    func writeHeader(_ entry: OpaquePointer, name: String) throws(TarballError) {
        let status = archive_write_header(archive, entry)
        guard status == ARCHIVE_OK else {
            if sink.failure != 0 { throw .outputFailed(path: path, reason: POSIX.describe(sink.failure)) }
            throw .archiveFailed(context: "\(path): entry \"\(name)\"", message: Self.message(archive))
        }
    }

    func writeData(_ buffer: UnsafeRawBufferPointer, name: String) throws(TarballError) {
        var offset = 0
        while offset < buffer.count {
            let written = archive_write_data(archive, buffer.baseAddress! + offset, buffer.count - offset)
            guard written > 0 else {
                if sink.failure != 0 { throw .outputFailed(path: path, reason: POSIX.describe(sink.failure)) }
                throw .archiveFailed(context: "\(path): entry \"\(name)\"", message: Self.message(archive))
            }
            offset += written
        }
    }

    /// Flushes the compressor, optionally syncs, and renames the temporary file to `path`.
    func commit(synchronize: Bool) throws(TarballError) -> (size: UInt64, sha256: ContentHash) {
        let status = archive_write_close(archive)
        guard status == ARCHIVE_OK else { throw .outputFailed(path: path, reason: failureReason()) }
        archive_write_free(archive)
        isOpen = false
        defer { close(sink.fd) }
        do throws(TarballError) {
            guard fchmod(sink.fd, 0o644) == 0 else { throw .outputFailed(path: path, reason: POSIX.lastError) }
            if synchronize, fsync(sink.fd) != 0 { throw .outputFailed(path: path, reason: POSIX.lastError) }
            guard rename(temporaryPath, path) == 0 else { throw .outputFailed(path: path, reason: POSIX.lastError) }
        } catch {
            unlink(temporaryPath)
            throw error
        }
        if synchronize { Self.syncDirectory(of: path) }
        return (sink.size, ContentHash(.sha256, bytes: sink.hasher.finalize()))
    }

    /// Drops everything written so far.
    func abandon() {
        if isOpen {
            archive_write_free(archive)
            close(sink.fd)
            isOpen = false
        }
        unlink(temporaryPath)
    }

    /// Makes a rename durable: fsync of the containing directory (best effort).
    private static func syncDirectory(of path: String) {
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
