#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Basics

/// The few file operations the environment side needs, on system calls directly (no
/// Foundation: `alien-env` starts in a millisecond and reads a hundred packages in another).
public enum POSIXFiles {
    /// The reason of the last failed call.
    static var lastError: String { String(cString: strerror(errno)) }

    /// Whether `path` is a folder (following a symlink, as `fileExists(isDirectory:)` does).
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// The names in a folder (without `.` and `..`), unsorted; nil when it cannot be read.
    static func entries(of path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// All of `text` to `descriptor` (EINTR retried); nil on success, else the reason.
    public static func writeText(_ text: String, to descriptor: Int32) -> String? {
        var text = text
        return text.withUTF8 { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
    }

    /// All of `bytes` to `descriptor` (EINTR retried); nil on success, else the reason.
    public static func writeBytes(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        bytes.withUnsafeBytes { writeAll(descriptor, $0) }
    }

    /// All of `bytes` to `descriptor` (EINTR retried); nil on success, else the reason.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
        let code = FileIO.writeAll(descriptor, bytes)
        return code == 0 ? nil : FileIO.describe(code)
    }

    /// Up to `buffer.count` bytes into `buffer` (EINTR retried): the count read, 0 at the end,
    /// -1 on an error.
    static func readSome(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        FileIO.readSome(descriptor, into: buffer)
    }

    /// `mkdir -p` (mode 0755 for new folders); nil on success, else the reason.
    static func makeDirectories(_ path: String) -> String? {
        AtomicFile.makeDirectories(path)
    }
}
