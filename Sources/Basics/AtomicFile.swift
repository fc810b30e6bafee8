#if canImport(Glibc)
public import Glibc
#elseif canImport(Darwin)
public import Darwin
#endif

/// A failed step of an atomic write: which file, which step, and the system's reason.
public struct AtomicFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    /// "create", "write", "sync", "rename", "link", "mkdir".
    public let operation: String
    public let reason: String

    public init(path: String, operation: String, reason: String) {
        self.path = path
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "\(path): \(operation) failed: \(reason)" }
}

/// Writing a file so that readers see the old content or the new, never a part: a temporary
/// sibling (`.<name>.<random>.tmp`, `O_EXCL`), filled, flushed, then renamed over the name (or
/// linked to it, which never replaces anything), then the folder synced.
public enum AtomicFile {
    /// What happens to a file already at the name.
    public enum Placement: Sendable {
        /// `rename`: the new file replaces it.
        case replace
        /// `link`: nothing is replaced; the write reports `false` when the name is taken.
        case createOnly
    }

    /// Makes a descriptor's data durable; returns 0 or an errno value.
    public typealias Flush = @Sendable (Int32) -> Int32

    /// `fsync`, the default.
    public static let fileSync: Flush = { fsync($0) == 0 ? 0 : errno }
    /// `fdatasync` (metadata such as mtime may lag).
    public static let dataSync: Flush = { fdatasync($0) == 0 ? 0 : errno }

    /// Writes `bytes` to `path`. With `.createOnly`, false when something is there already.
    @discardableResult
    public static func write(
        _ bytes: [UInt8], to path: String, mode: mode_t = 0o644, createDirectories: Bool = false,
        placement: Placement = .replace, flush: Flush? = fileSync, syncDirectory: Bool = true
    ) throws(AtomicFileError) -> Bool {
        try write(
            to: path, mode: mode, createDirectories: createDirectories, placement: placement, flush: flush,
            syncDirectory: syncDirectory, wrap: { $0 }
        ) { (descriptor, temporary) throws(AtomicFileError) in
            let code = FileIO.writeAll(descriptor, bytes)
            if code != 0 { throw AtomicFileError(path: temporary, operation: "write", reason: FileIO.describe(code)) }
        }
    }

    /// The general form: `fill` writes the content to the temporary file's descriptor (its path
    /// given for messages); the steps' own failures reach the caller through `wrap`. Whatever
    /// fails, the temporary file is removed. With `.createOnly`, false when the name is taken.
    @discardableResult
    public static func write<E: Error>(
        to path: String, mode: mode_t = 0o644, createDirectories: Bool = false, placement: Placement = .replace,
        flush: Flush? = fileSync, syncDirectory: Bool = true,
        wrap: (AtomicFileError) -> E, _ fill: (_ descriptor: Int32, _ temporary: String) throws(E) -> Void
    ) throws(E) -> Bool {
        let (directory, name) = split(path)
        if createDirectories, let reason = makeDirectories(directory) {
            throw wrap(AtomicFileError(path: directory, operation: "mkdir", reason: reason))
        }
        let temporary = "\(directory)/.\(name).\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw wrap(AtomicFileError(path: temporary, operation: "create", reason: FileIO.describe(errno))) }
        do throws(E) {
            try fill(descriptor, temporary)
            if let flush {
                let code = flush(descriptor)
                if code != 0 { throw wrap(AtomicFileError(path: temporary, operation: "sync", reason: FileIO.describe(code))) }
            }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        if close(descriptor) != 0, errno != EINTR {
            let reason = FileIO.describe(errno)
            unlink(temporary)
            throw wrap(AtomicFileError(path: temporary, operation: "close", reason: reason))
        }
        switch place(temporary, at: path, placement) {
        case .success(false): return false
        case .success(true): break
        case let .failure(error): throw wrap(error)
        }
        if syncDirectory { Self.syncDirectory(directory) }
        return true
    }

    /// fsync of a folder, so that a rename in it survives a crash (best effort).
    public static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// `mkdir -p` (0755 for new folders); nil on success, else the reason.
    public static func makeDirectories(_ path: String) -> String? {
        if isDirectory(path) { return nil }
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { return FileIO.describe(errno) }
        }
        return isDirectory(path) ? nil : "not a folder"
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// (folder, last component); the folder is "." for a bare name, "/" for a file at the root.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Renames or links the complete temporary file to its name (removing it in every case but a
    /// successful rename). `.createOnly` on a file system without hard links checks, then renames.
    private static func place(_ temporary: String, at path: String, _ placement: Placement) -> Result<Bool, AtomicFileError> {
        if placement == .replace {
            guard rename(temporary, path) == 0 else {
                let reason = FileIO.describe(errno)
                unlink(temporary)
                return .failure(AtomicFileError(path: path, operation: "rename", reason: reason))
            }
            return .success(true)
        }
        if link(temporary, path) == 0 {
            unlink(temporary)
            return .success(true)
        }
        let failure = errno
        let noLinks = failure == EPERM || failure == ENOTSUP || failure == EOPNOTSUPP
        if failure == EEXIST || (noLinks && access(path, F_OK) == 0) {
            unlink(temporary)
            return .success(false)
        }
        guard noLinks, rename(temporary, path) == 0 else {
            let reason = FileIO.describe(noLinks ? errno : failure)
            unlink(temporary)
            return .failure(AtomicFileError(path: path, operation: "link", reason: reason))
        }
        return .success(true)
    }
}
