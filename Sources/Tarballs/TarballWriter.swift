import Basics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import AlienModel
import CArchive

/// How a tarball is compressed.
public enum TarballCompression: String, Sendable, CaseIterable {
    /// gzip without name or timestamp (`gzip -n`), level `TarballWriter.gzipLevel`.
    case gzip
    /// zstd, level `TarballWriter.zstdLevel`, in zstd's multi-threaded mode (deterministic).
    case zstd

    /// `tar.gz` or `tar.zst`.
    public var fileExtension: String {
        switch self {
        case .gzip: "tar.gz"
        case .zstd: "tar.zst"
        }
    }

    /// The compression a file name's extension says (`.tar.gz`, `.tgz`, `.tar.zst`), if any.
    public init?(fileName: String) {
        if fileName.hasSuffix(".tar.gz") || fileName.hasSuffix(".tgz") {
            self = .gzip
        } else if fileName.hasSuffix(".tar.zst") || fileName.hasSuffix(".tzst") {
            self = .zstd
        } else {
            return nil
        }
    }
}

/// What `TarballWriter.pack` produced.
public struct PackedTarball: Sendable, Equatable {
    /// The tarball's final path.
    public let path: String
    /// Its size in bytes.
    public let size: UInt64
    /// The SHA-256 of its bytes, computed while writing.
    public let sha256: ContentHash
    /// How many entries (directories, files, links) it holds.
    public let entries: Int
}

/// Packs a directory tree into a normalized tarball: the same tree gives byte-identical output
/// whatever the machine, the directory it sits in, the time, the user or the umask.
///
/// Normalization: pax (restricted: ustar headers, a pax extended header only where ustar cannot
/// hold a name, link or size); entries in GNU `tar --sort=name` order (a directory right before
/// its contents, siblings in byte order of their names), directories included; uid and gid 0
/// with no user or group names; every mtime `modificationTime`; permission bits kept but setuid,
/// setgid and sticky dropped (extraction refuses them); symlinks as symlinks (target kept as
/// is), files with several links in the tree as tar hard links to the first name; no xattrs,
/// ACLs, sparse maps, device or inode numbers, atimes or ctimes. gzip with no name and no
/// timestamp (`gzip:!timestamp`, like `gzip -n`) at a fixed level, or zstd at a fixed level in
/// its multi-threaded mode (whose bytes do not depend on the number of threads).
///
/// Memory stays constant: files are copied through one buffer and the output is hashed as it
/// is written. The output appears under its name only when complete (a temporary name in the
/// same directory, then `rename`).
public struct TarballWriter: Sendable {
    /// The gzip level (the `gzip` default).
    public static let gzipLevel = 6
    /// The zstd level (the `zstd` default).
    public static let zstdLevel = 3
    /// zstd worker threads by default: the online cores, 1 to 4. The output is the same for every
    /// value ≥ 1 (zstd's multi-threaded format does not depend on the worker count), so this may
    /// follow the machine.
    static let defaultZstdThreads = max(1, min(4, sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    public var compression: TarballCompression
    /// Seconds since the epoch for every entry: `SOURCE_DATE_EPOCH` as read by the caller, or 0.
    public var modificationTime: Int64
    /// Whether to `fsync` the tarball (and its directory) before reporting success.
    public var synchronize: Bool
    /// zstd workers (≥ 1; compression overlaps reading the tree). Internal: tests vary it to
    /// show that it does not change the bytes.
    var zstdThreads = Self.defaultZstdThreads

    public init(compression: TarballCompression, modificationTime: Int64 = 0, synchronize: Bool = true) {
        self.compression = compression
        self.modificationTime = modificationTime
        self.synchronize = synchronize
    }

    /// Packs `members` (relative paths under `base`, each with everything below it; all of
    /// `base`'s contents when empty) into `output`. Names in the archive are relative to `base`,
    /// e.g. `slc9_x86-64/zlib/v1.3.1-1/lib/libz.so`; members are sorted like everything else.
    public func pack(directory base: String, members: [String] = [], to output: String) throws(TarballError) -> PackedTarball {
        try POSIX.withUTF8Locale { () throws(TarballError) -> PackedTarball in
            let roots = try Self.members(members, under: base)
            try Self.checkOutside(output: output, base: base, members: roots)
            let destination = try ArchiveOutput(path: output, compression: compression, zstdThreads: zstdThreads)
            do throws(TarballError) {
                let packer = try TreePacker(base: base, output: destination, modificationTime: modificationTime)
                if roots.isEmpty {
                    try packer.addChildren(of: [])
                } else {
                    for root in roots { try packer.add(root) }
                }
                let (size, sha256) = try destination.commit(synchronize: synchronize)
                return PackedTarball(path: output, size: size, sha256: sha256, entries: packer.entries)
            } catch {
                destination.abandon()
                throw error
            }
        }
    }

    /// Members → normalized relative paths in archive order; empty means "all of base".
    static func members(_ members: [String], under base: String) throws(TarballError) -> [[UInt8]] {
        var paths: [[UInt8]] = []
        for member in members {
            let raw = Array(member.utf8)
            let path: EntryPath
            switch Result(catching: { () throws(ExtractionRule) in try PathRules.entryPath(raw, maxLength: 4095) }) {
            case let .success(found): path = found
            case let .failure(rule): throw .invalidMember(member, reason: rule.description)
            }
            if path.isRoot { return [] }
            var info = stat()
            guard lstat(base + "/" + path.description, &info) == 0 else {
                throw .invalidMember(member, reason: "\(base)/\(path): \(POSIX.lastError)")
            }
            paths.append(path.bytes)
        }
        paths.sort(by: TreePacker.archiveOrder)
        for (earlier, later) in zip(paths, paths.dropFirst())
        where later == earlier || later.starts(with: earlier + [PathRules.slash]) {
            throw .invalidMember(
                String(decoding: later, as: UTF8.self),
                reason: "overlaps member \"\(String(decoding: earlier, as: UTF8.self))\"")
        }
        return paths
    }

    /// Refuses an output inside a packed tree (it would pack its own partial file).
    static func checkOutside(output: String, base: String, members: [[UInt8]]) throws(TarballError) {
        let slash = output.utf8.lastIndex(of: UInt8(ascii: "/"))
        let directory = slash.map { $0 == output.startIndex ? "/" : String(output[..<$0]) } ?? "."
        guard let outputDirectory = realPath(directory) else {
            throw .outputFailed(path: output, reason: "\(directory): \(POSIX.lastError)")
        }
        let trees = members.isEmpty ? [base] : members.map { base + "/" + String(decoding: $0, as: UTF8.self) }
        for tree in trees {
            guard let real = realPath(tree) else { throw .unreadable(path: tree, reason: POSIX.lastError) }
            if outputDirectory == real || outputDirectory.hasPrefix(real == "/" ? "/" : real + "/") {
                throw .outputInsideTree(output: output, tree: tree)
            }
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// The depth-first walk behind `TarballWriter.pack`.
final class TreePacker {
    let base: String
    let output: ArchiveOutput
    let modificationTime: Int64
    let entry: OpaquePointer
    let buffer: UnsafeMutableRawBufferPointer
    /// (device, inode) → archive name of the first path of a file with several links.
    var firstLinks: [Pair: String] = [:]
    var entries = 0

    struct Pair: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    init(base: String, output: ArchiveOutput, modificationTime: Int64) throws(TarballError) {
        guard let entry = archive_entry_new() else {
            throw .archiveFailed(context: output.path, message: "archive_entry_new failed")
        }
        self.base = base
        self.output = output
        self.modificationTime = modificationTime
        self.entry = entry
        self.buffer = .allocate(byteCount: 256 * 1024, alignment: 16)
    }

    /// GNU `tar --sort=name` order: component by component, each compared as bytes.
    static func archiveOrder(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        left.split(separator: PathRules.slash, omittingEmptySubsequences: false)
            .lexicographicallyPrecedes(right.split(separator: PathRules.slash, omittingEmptySubsequences: false)) {
                $0.lexicographicallyPrecedes($1)
            }
    }

    /// Adds `relative` (and, for a directory, everything below it).
    func add(_ relative: [UInt8]) throws(TarballError) {
        guard let name = String(validating: relative, as: UTF8.self) else {
            throw .unencodableName(path: base + "/" + String(decoding: relative, as: UTF8.self))
        }
        let path = base + "/" + name
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .unreadable(path: path, reason: POSIX.lastError) }
        archive_entry_clear(entry)
        archive_entry_copy_pathname(entry, name)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_mtime(entry, time_t(modificationTime), 0)
        let permissions = UInt32(info.st_mode) & 0o777
        entries += 1
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            archive_entry_set_filetype(entry, CARCHIVE_AE_IFDIR)
            archive_entry_set_perm(entry, permissions)
            try output.writeHeader(entry, name: name)
            try addChildren(of: relative)
        case S_IFLNK:
            archive_entry_set_filetype(entry, CARCHIVE_AE_IFLNK)
            archive_entry_set_perm(entry, 0o777)
            archive_entry_copy_symlink(entry, try linkTarget(path))
            try output.writeHeader(entry, name: name)
        case S_IFREG:
            archive_entry_set_filetype(entry, CARCHIVE_AE_IFREG)
            archive_entry_set_perm(entry, permissions)
            if info.st_nlink > 1 {
                let key = Pair(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
                if let first = firstLinks[key] {
                    archive_entry_copy_hardlink(entry, first)
                    archive_entry_set_size(entry, 0)
                    try output.writeHeader(entry, name: name)
                    return
                }
                firstLinks[key] = name
            }
            archive_entry_set_size(entry, la_int64_t(info.st_size))
            try output.writeHeader(entry, name: name)
            try copyContents(of: path, name: name, size: UInt64(info.st_size))
        default:
            throw .unsupportedFileType(path: path, type: Self.typeName(info.st_mode & S_IFMT))
        }
    }

    /// Adds the children of directory `relative` (the base itself when empty) in byte order.
    func addChildren(of relative: [UInt8]) throws(TarballError) {
        let path = relative.isEmpty ? base : base + "/" + String(decoding: relative, as: UTF8.self)
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: POSIX.lastError) }
        defer { close(fd) }
        let listing: [(name: [UInt8], type: UInt8)]
        switch POSIX.listDirectory(fd) {
        case let .success(found): listing = found
        case let .failure(failure): throw .unreadable(path: path, reason: failure.description)
        }
        let names = listing.map(\.name).sorted { $0.lexicographicallyPrecedes($1) }
        for name in names {
            try add(relative.isEmpty ? name : relative + [PathRules.slash] + name)
        }
    }

    func linkTarget(_ path: String) throws(TarballError) -> String {
        var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &target, target.count - 1)
        guard length >= 0 else { throw .unreadable(path: path, reason: POSIX.lastError) }
        let bytes = target.prefix(length).map { UInt8(bitPattern: $0) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .unencodableName(path: path + " (symlink target)") }
        return text
    }

    /// Streams exactly `size` bytes of the file into the archive; a file that shrank or grew is an error.
    func copyContents(of path: String, name: String, size: UInt64) throws(TarballError) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: POSIX.lastError) }
        defer { close(fd) }
        var remaining = size
        while remaining > 0 {
            let count = FileIO.readSome(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<Int(min(UInt64(buffer.count), remaining))]))
            if count < 0 { throw .unreadable(path: path, reason: POSIX.lastError) }
            if count == 0 { throw .fileChanged(path: path, expectedSize: size) }
            try output.writeData(UnsafeRawBufferPointer(rebasing: buffer[..<count]), name: name)
            remaining -= UInt64(count)
        }
        var probe: UInt8 = 0
        if read(fd, &probe, 1) > 0 { throw .fileChanged(path: path, expectedSize: size) }
    }

    static func typeName(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: "FIFO"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "file of type \(String(type, radix: 8))"
        }
    }

    deinit {
        archive_entry_free(entry)
        buffer.deallocate()
    }
}
