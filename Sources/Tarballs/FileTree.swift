#if canImport(Glibc)
public import Glibc
#elseif canImport(Darwin)
public import Darwin
#endif

/// A walk over an installed tree by `openat`/`fstatat` on raw names: no path is looked up from
/// the root again and no Foundation enumerator builds and re-parses strings (install records
/// and writeback visit every file of every package).
public enum FileTree {
    /// One entry met by `walk`.
    public struct Entry {
        /// The open directory holding it (valid during the visit only).
        public let directory: Int32
        /// Its name in `directory`, NUL-terminated.
        public let name: UnsafePointer<CChar>
        /// Its path below the root, `/`-separated, without a leading `/`.
        public let path: String
        /// `fstatat` without following a symlink.
        public let info: stat
    }

    /// Visits every entry below `root` (not `root` itself), a directory before what it holds;
    /// symlinks are not followed. Returns 0, or the errno of the first entry or directory that
    /// could not be read (the walk goes on past it).
    @discardableResult
    public static func walk(_ root: String, _ visit: (Entry) -> Void) -> Int32 {
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        return walk(descriptor, prefix: "", visit)
    }

    private static func walk(_ directory: Int32, prefix: String, _ visit: (Entry) -> Void) -> Int32 {
        let entries: [(name: [UInt8], type: UInt8)]
        switch POSIX.listDirectory(directory) {
        case let .success(found): entries = found
        case let .failure(error): return error.code
        }
        var first: Int32 = 0
        for (name, _) in entries {
            let path = prefix + String(decoding: name, as: UTF8.self)
            let code: Int32 = (name + [0]).withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { raw -> Int32 in
                    guard let name = raw.baseAddress else { return EINVAL }
                    var info = stat()
                    guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return errno }
                    visit(Entry(directory: directory, name: name, path: path, info: info))
                    guard (info.st_mode & S_IFMT) == S_IFDIR else { return 0 }
                    let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard child >= 0 else { return errno }
                    defer { close(child) }
                    return walk(child, prefix: path + "/", visit)
                }
            }
            if first == 0 { first = code }
        }
        return first
    }
}
