#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Basics
import CArchive

/// An errno value as an error.
struct Errno: Error, Equatable {
    let code: Int32
    var description: String { POSIX.describe(code) }
}

/// Small wrappers over the system calls both directions use.
enum POSIX {
    /// `strerror` text for an errno value, with its symbolic number.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code)) + " (errno \(code))"
    }

    /// The calling thread's current errno, described.
    static var lastError: String { describe(errno) }

    /// Runs `body` with a UTF-8 LC_CTYPE on this thread only (see `carchive_enter_utf8_locale`).
    static func withUTF8Locale<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let scope = carchive_enter_utf8_locale()
        defer { carchive_leave_locale(scope) }
        return try body()
    }

    /// `write` until every byte is out, retrying on EINTR. Returns 0 or an errno value.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        FileIO.writeAll(fd, buffer)
    }

    /// `pwrite` until every byte is out, retrying on EINTR. Returns 0 or an errno value.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at position: Int64) -> Int32 {
        FileIO.writeAll(fd, buffer, at: position)
    }

    /// The names in a directory (without `.` and `..`) as raw bytes, with their `d_type`.
    static func listDirectory(_ fd: Int32) -> Result<[(name: [UInt8], type: UInt8)], Errno> {
        let copy = dup(fd)
        guard copy >= 0, let directory = fdopendir(copy) else {
            let code = errno
            if copy >= 0 { close(copy) }
            return .failure(Errno(code: code))
        }
        defer { closedir(directory) }
        // The duplicate shares the file offset with `fd`: start from the beginning.
        rewinddir(directory)
        var names: [(name: [UInt8], type: UInt8)] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { return .failure(Errno(code: errno)) }
                break
            }
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name == [PathRules.dot] || name == [PathRules.dot, PathRules.dot] { continue }
            names.append((name, entry.pointee.d_type))
        }
        return .success(names)
    }

    /// Removes everything inside the directory `fd`, never following a symlink: subdirectories
    /// are entered with `openat(O_NOFOLLOW | O_DIRECTORY)` and made writable first. Returns the
    /// first errno met (and keeps going), or 0.
    @discardableResult
    static func removeContents(ofDirectory fd: Int32) -> Int32 {
        guard case let .success(entries) = listDirectory(fd) else { return errno }
        var firstError: Int32 = 0
        for (name, type) in entries {
            let code: Int32 = name.withCString { path in
                var isDirectory = type == UInt8(DT_DIR)
                if type == UInt8(DT_UNKNOWN) {
                    var info = stat()
                    if fstatat(fd, path, &info, AT_SYMLINK_NOFOLLOW) != 0 { return errno }
                    isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
                }
                if isDirectory {
                    let child = openat(fd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    if child < 0 { return errno }
                    fchmod(child, 0o700)
                    let inner = removeContents(ofDirectory: child)
                    close(child)
                    if inner != 0 { return inner }
                    return unlinkat(fd, path, AT_REMOVEDIR) == 0 ? 0 : errno
                }
                return unlinkat(fd, path, 0) == 0 ? 0 : errno
            }
            if code != 0 && firstError == 0 { firstError = code }
        }
        return firstError
    }
}

extension Array where Element == UInt8 {
    /// Calls `body` with these bytes as a NUL-terminated C string.
    func withCString<T>(_ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        try (self + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }
}

extension ArraySlice where Element == UInt8 {
    func withCString<T>(_ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        try Array(self).withCString(body)
    }
}
