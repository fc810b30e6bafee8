#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The extraction target, held open as a directory descriptor. Everything below it is reached
/// with `*at` system calls relative to that descriptor, one validated component at a time, each
/// opened with `O_NOFOLLOW | O_DIRECTORY`: no absolute destination path is ever built, no
/// `chdir` happens, and no symlink is followed on the way, whatever is on disk (so the kernel,
/// not only the entry table of `ExtractionSession`, guarantees that writes stay inside).
final class DestinationDirectory {
    let path: String
    private(set) var rootFD: Int32
    /// The last parent directory handed out, kept open: archives are sorted, so consecutive
    /// entries mostly share it.
    private var cachedPath: EntryPath?
    private var cachedFD: Int32 = -1

    /// Opens `path`, creating it (not its parents) when missing; it must be an empty directory.
    init(path: String) throws(TarballError) {
        self.path = path
        if mkdir(path, 0o755) != 0, errno != EEXIST {
            throw .badDestination(path: path, reason: "cannot create the directory: \(POSIX.lastError)")
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .badDestination(path: path, reason: "not a directory: \(POSIX.lastError)") }
        switch POSIX.listDirectory(fd) {
        case let .success(entries) where entries.isEmpty:
            break
        case let .success(entries):
            close(fd)
            let names = entries.prefix(3).map { String(decoding: $0.name, as: UTF8.self) }.joined(separator: ", ")
            throw .badDestination(path: path, reason: "not empty (holds \(names)\(entries.count > 3 ? ", ..." : ""))")
        case let .failure(failure):
            close(fd)
            throw .badDestination(path: path, reason: "cannot list: \(failure.description)")
        }
        rootFD = fd
    }

    deinit {
        release()
    }

    /// Closes every descriptor (the directory and what is in it stay).
    func release() {
        if cachedFD >= 0 { close(cachedFD) }
        cachedFD = -1
        cachedPath = nil
        if rootFD >= 0 { close(rootFD) }
        rootFD = -1
    }

    /// Removes everything extracted so far (never following links), leaving the directory empty.
    @discardableResult
    func removeContents() -> Int32 {
        if cachedFD >= 0 { close(cachedFD) }
        cachedFD = -1
        cachedPath = nil
        guard rootFD >= 0 else { return EBADF }
        return POSIX.removeContents(ofDirectory: rootFD)
    }

    /// A descriptor for directory `directory` (the root when `.root`), owned by this object and
    /// valid until the next call. Missing components are created with mode 0700 (final modes
    /// are applied at the end, so a read-only directory never blocks its own contents).
    func parent(_ directory: EntryPath, for entry: EntryPath) throws(TarballError) -> Int32 {
        if directory.isRoot { return rootFD }
        if directory == cachedPath { return cachedFD }
        let fd = try walk(directory, creating: true, for: entry)
        if cachedFD >= 0 { close(cachedFD) }
        cachedFD = fd
        cachedPath = directory
        return fd
    }

    /// A new descriptor for directory `directory` (the caller closes it); nothing is created.
    func openDirectory(_ directory: EntryPath, for entry: EntryPath) throws(TarballError) -> Int32 {
        if directory.isRoot {
            let fd = dup(rootFD)
            guard fd >= 0 else { throw .writeFailed(entry: entry.description, reason: POSIX.lastError) }
            return fd
        }
        return try walk(directory, creating: false, for: entry)
    }

    private func walk(_ directory: EntryPath, creating: Bool, for entry: EntryPath) throws(TarballError) -> Int32 {
        var fd = rootFD
        for component in directory.components {
            let next = component.withCString { name -> Int32 in
                let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
                var child = openat(fd, name, flags)
                if child < 0, errno == ENOENT, creating {
                    if mkdirat(fd, name, 0o700) != 0, errno != EEXIST { return -1 }
                    child = openat(fd, name, flags)
                }
                return child
            }
            let code = errno
            if fd != rootFD { close(fd) }
            guard next >= 0 else {
                throw .writeFailed(entry: entry.description, reason: "cannot open directory \"\(directory)\": \(POSIX.describe(code))")
            }
            fd = next
        }
        return fd
    }
}
