#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// System-call loops that every module writing or reading descriptors needs: a short `write`
/// or an `EINTR` is not a failure. No Foundation (`alien-env` links this module statically).
public enum FileIO {
    /// `strerror` text of an errno value.
    public static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// `write` until every byte is out, retrying on EINTR. Returns 0 or the errno of the failure.
    public static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }

    /// `writeAll` of a byte array.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { writeAll(descriptor, $0) }
    }

    /// `pwrite` at `position` until every byte is out, retrying on EINTR. Returns 0 or an errno value.
    public static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer, at position: Int64) -> Int32 {
        var offset = 0
        while offset < buffer.count {
            let written = pwrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset, off_t(position) + off_t(offset))
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }

    /// One `read` of up to `buffer.count` bytes, retried on EINTR: the count read, 0 at the end,
    /// -1 on an error (errno set).
    public static func readSome(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let count = read(descriptor, buffer.baseAddress!, buffer.count)
            if count < 0, errno == EINTR { continue }
            return count
        }
    }

    /// One `pread` at `position`, retried on EINTR: the count read, 0 at the end, -1 on an error.
    public static func readSome(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at position: Int64) -> Int {
        while true {
            let count = pread(descriptor, buffer.baseAddress!, buffer.count, off_t(position))
            if count < 0, errno == EINTR { continue }
            return count
        }
    }

    /// Fills `buffer` unless the end comes first, retrying on EINTR: the count read (less than
    /// `buffer.count` only at the end), -1 on an error (errno set).
    public static func readFull(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = readSome(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if count < 0 { return -1 }
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// Reads `descriptor` to its end in chunks of `chunkSize`, handing each chunk to `body`.
    /// Returns 0 or the errno of a failed read.
    public static func readChunks<E: Error>(
        _ descriptor: Int32, chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) -> Int32 {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, chunkSize), alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = readSome(descriptor, into: buffer)
            if count < 0 { return errno }
            if count == 0 { return 0 }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}

/// What `stat` says of a file that tells one version of it from the next: its inode and its
/// modification time to the nanosecond. A changed stamp means the file was replaced or written.
public struct FileStamp: Hashable, Sendable, CustomStringConvertible {
    public var inode: UInt64
    public var modifiedSeconds: Int64
    public var modifiedNanoseconds: Int64

    /// The stamp of the file at `path` (following links), or nil when it cannot be stat'ed.
    public init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(status)
    }

    /// The stamp of an open file, or nil when it cannot be stat'ed.
    public init?(descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        self.init(status)
    }

    init(_ status: stat) {
        inode = UInt64(status.st_ino)
        #if canImport(Darwin)
        modifiedSeconds = Int64(status.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int64(status.st_mtimespec.tv_nsec)
        #else
        modifiedSeconds = Int64(status.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(status.st_mtim.tv_nsec)
        #endif
    }

    public var description: String { "\(inode).\(modifiedSeconds).\(modifiedNanoseconds)" }
}
