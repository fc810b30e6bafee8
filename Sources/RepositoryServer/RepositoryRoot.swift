import Basics
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Why a repository root cannot be served.
public enum RepositoryServerError: Error, CustomStringConvertible, Equatable {
    case rootUnusable(path: String, reason: String)
    case bindFailed(address: String, reason: String)
    case alreadyStarted

    public var description: String {
        switch self {
        case let .rootUnusable(path, reason): "cannot serve \(path): \(reason)"
        case let .bindFailed(address, reason): "cannot listen on \(address): \(reason)"
        case .alreadyStarted: "the repository server was already started"
        }
    }
}

/// The outcome of looking a request path up below the root.
enum Lookup {
    case file(OpenFile)
    /// Absent, or a directory (no listings), or not a regular file.
    case notFound
    /// A symbolic link on the way (never followed), or no permission.
    case forbidden
}

/// The served directory, held open for the server's life. Files are opened relative to it one
/// component at a time with `O_NOFOLLOW`, so no symbolic link is ever followed (whether it
/// leads inside or outside the root — nginx's `disable_symlinks on`) and renaming the root's
/// parent does not redirect lookups.
final class RepositoryRoot: Sendable {
    let path: String
    private let descriptor: Int32

    init(path: String) throws(RepositoryServerError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .rootUnusable(path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Opens `components` below the root. Blocking but short (local `openat`/`fstat`).
    func lookup(_ components: [String]) -> Lookup {
        guard !components.isEmpty else { return .notFound }
        var directory = descriptor
        defer { if directory != descriptor { close(directory) } }
        for (index, name) in components.enumerated() {
            let last = index == components.count - 1
            // O_NONBLOCK: opening a FIFO must not wait for a writer; harmless for regular files.
            let flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY)
            let fd = openat(directory, name, flags)
            guard fd >= 0 else {
                switch errno {
                case ELOOP: return .forbidden
                case EACCES, EPERM: return .forbidden
                case ENOTDIR:
                    // A symlink to a directory fails O_DIRECTORY|O_NOFOLLOW with ENOTDIR on some systems.
                    var info = stat()
                    if fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFLNK {
                        return .forbidden
                    }
                    return .notFound
                default: return .notFound
                }
            }
            if directory != descriptor { close(directory) }
            directory = descriptor
            guard last else {
                directory = fd
                continue
            }
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                close(fd)
                return .notFound
            }
            return .file(OpenFile(descriptor: fd, name: name, info: info))
        }
        return .notFound
    }
}

/// A regular file opened for a response; closed when the last reference (the response body
/// being streamed) goes away.
final class OpenFile: Sendable {
    let descriptor: Int32
    let name: String
    let size: Int
    /// Modification time, whole seconds since the epoch (HTTP dates have no finer resolution).
    let modified: Int
    /// Strong validator: `"<inode>-<size>-<mtime ns>"` in hex. Changes whenever the file is
    /// replaced (atomic rename gives a new inode) or rewritten in place (size or mtime change);
    /// computed from `fstat` alone so multi-GB tarballs need no hashing per request.
    let etag: String

    init(descriptor: Int32, name: String, info: stat) {
        self.descriptor = descriptor
        self.name = name
        self.size = Int(info.st_size)
        #if canImport(Glibc)
        let seconds = Int(info.st_mtim.tv_sec), nanoseconds = Int(info.st_mtim.tv_nsec)
        #else
        let seconds = Int(info.st_mtimespec.tv_sec), nanoseconds = Int(info.st_mtimespec.tv_nsec)
        #endif
        self.modified = seconds
        let mtime = UInt64(bitPattern: Int64(seconds)) &* 1_000_000_000 &+ UInt64(nanoseconds)
        self.etag = "\"\(String(UInt64(info.st_ino), radix: 16))-\(String(size, radix: 16))-\(String(mtime, radix: 16))\""
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes at `offset` into `buffer`; returns how many were read (0 at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: Int) -> Int {
        FileIO.readSome(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<count]), at: Int64(offset))
    }
}
