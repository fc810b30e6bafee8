#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CArchive
import Crypto

/// One extraction: reads entries from a libarchive reader, checks each against the rules and
/// the entries before it, and writes it through `DestinationDirectory` (relative `*at` calls
/// only). On any error everything written is removed.
///
/// Used by one thread at a time: the stream API builds it on the caller's thread and hands it
/// over, whole, to its extraction thread.
final class ExtractionSession: @unchecked Sendable {
    enum Node {
        /// `index` points into `directories`.
        case directory(explicit: Bool, index: Int)
        case file
        case symlink([UInt8])
    }

    let destination: DestinationDirectory
    let limits: TarballExtractor.Limits
    /// Every path made so far (explicit entries and the parents they implied).
    private var nodes: [EntryPath: Node] = [:]
    /// Directories in creation order, with the mode and mtime to give them at the end.
    private var directories: [(path: EntryPath, mode: UInt32, mtime: timespec?)] = []
    private var symlinks: [EntryPath] = []
    private var topLevel: Set<[UInt8]> = []
    private var summary = ExtractionSummary()
    private var entryCount = 0
    /// What is extracted so far, for progress readers on other threads.
    let counters = ExtractionCounters()
    private var lastCheckedParent: EntryPath?

    /// Hash files while writing them (`ExtractionSummary.digests`), on a thread of their own.
    let digests: Bool
    private var digestWorker: DigestWorker?
    /// Start writing each file's data to the disk as soon as it is complete.
    let writeback: Bool

    init(destination: DestinationDirectory, limits: TarballExtractor.Limits, digests: Bool = false, writeback: Bool = false) {
        self.destination = destination
        self.limits = limits
        self.digests = digests
        self.writeback = writeback
    }

    /// A reader accepting plain, gzip- and zstd-compressed tar (pax, ustar, GNU, v7), never an
    /// external decompression program.
    static func makeReader(source: String) throws(TarballError) -> OpaquePointer {
        guard let archive = archive_read_new() else {
            throw .archiveFailed(context: source, message: "archive_read_new failed")
        }
        var status = archive_read_support_format_tar(archive)
        if status == ARCHIVE_OK { status = archive_read_support_filter_gzip(archive) }
        if status == ARCHIVE_OK { status = archive_read_support_filter_zstd(archive) }
        guard status == ARCHIVE_OK else {
            let message = ArchiveOutput.message(archive)
            archive_read_free(archive)
            throw .archiveFailed(context: source, message: "no built-in gzip/zstd support: \(message)")
        }
        return archive
    }

    /// Extracts every entry of the opened reader `archive`, then checks the links and applies
    /// directory modes. On failure the destination is emptied before the error is thrown.
    func run(_ archive: OpaquePointer, source: String) throws(TarballError) -> ExtractionSummary {
        if digests { digestWorker = DigestWorker() }
        do throws(TarballError) {
            return try POSIX.withUTF8Locale { () throws(TarballError) -> ExtractionSummary in
                try extractEntries(archive, source: source)
                try checkSymlinks()
                try applyDirectoryAttributes()
                var result = summary
                result.topLevel = topLevel.sorted { $0.lexicographicallyPrecedes($1) }
                    .map { String(decoding: $0, as: UTF8.self) }
                if let worker = digestWorker {
                    digestWorker = nil
                    result.digests = worker.results()
                }
                return result
            }
        } catch {
            digestWorker?.cancel()
            digestWorker = nil
            destination.removeContents()
            throw error
        }
    }

    private func extractEntries(_ archive: OpaquePointer, source: String) throws(TarballError) {
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { return }
            let name = entry.flatMap { archive_entry_pathname($0) }.map { String(cString: $0) }
            guard status == ARCHIVE_OK, let entry else {
                throw .malformed(source: source, entry: name, detail: ArchiveOutput.message(archive))
            }
            try extract(entry, from: archive, source: source)
            counters.record(entries: entryCount, bytes: summary.bytes)
        }
    }

    private func extract(_ entry: OpaquePointer, from archive: OpaquePointer, source: String) throws(TarballError) {
        guard let rawName = archive_entry_pathname(entry) else {
            throw .malformed(source: source, entry: nil, detail: "an entry has no name")
        }
        let raw = Array(
            UnsafeBufferPointer(
                start: UnsafeRawPointer(rawName).assumingMemoryBound(to: UInt8.self),
                count: strlen(rawName)))
        let display = String(decoding: raw, as: UTF8.self)
        func refuse(_ rule: ExtractionRule) -> TarballError { .refused(entry: display, rule: rule) }

        entryCount += 1
        if entryCount > limits.maxEntries { throw refuse(.tooManyEntries(limit: limits.maxEntries)) }
        let path: EntryPath
        switch Result(catching: { () throws(ExtractionRule) in try PathRules.entryPath(raw, maxLength: limits.maxPathLength) }) {
        case let .success(found): path = found
        case let .failure(rule): throw refuse(rule)
        }
        let mode = UInt32(archive_entry_mode(entry))
        if mode & (CARCHIVE_S_ISUID | CARCHIVE_S_ISGID | CARCHIVE_S_ISVTX) != 0 {
            throw refuse(.specialModeBits(mode: mode & 0o7777))
        }
        // Nobody but the extracting user may change what was verified: group and other write
        // bits are dropped (a published 0777 directory or 0666 file arrives as 0755 / 0644).
        let permissions = mode & 0o755
        let hardlink = archive_entry_hardlink(entry)
        let type = UInt32(archive_entry_filetype(entry))
        let isDirectory = hardlink == nil && type == CARCHIVE_AE_IFDIR
        if path.isRoot {
            // `./` itself, as `tar -C dir -c .` writes it: the destination already exists.
            if isDirectory { return }
            throw refuse(.emptyName)
        }
        if let existing = nodes[path] {
            guard isDirectory, case .directory(explicit: false, _) = existing else { throw refuse(.duplicate) }
        }
        if archive_entry_sparse_count(entry) > 0 { throw refuse(.sparse) }
        try checkParents(of: path, refuse: refuse)
        topLevel.insert(Array(path.top))
        let mtime: timespec? =
            archive_entry_mtime_is_set(entry) != 0
            ? timespec(tv_sec: archive_entry_mtime(entry), tv_nsec: Int(archive_entry_mtime_nsec(entry))) : nil

        if let hardlink {
            let rawTarget = Array(
                UnsafeBufferPointer(
                    start: UnsafeRawPointer(hardlink).assumingMemoryBound(to: UInt8.self),
                    count: strlen(hardlink)))
            let target: EntryPath
            switch Result(catching: { () throws(ExtractionRule) in
                try PathRules.hardlinkTarget(rawTarget, maxLength: limits.maxPathLength)
            }) {
            case let .success(found): target = found
            case let .failure(rule): throw refuse(rule)
            }
            guard case .file = nodes[target] else { throw refuse(.hardlinkMissing(target: target.description)) }
            try makeHardLink(path, to: target)
            nodes[path] = .file
            summary.hardLinks += 1
            digestWorker?.alias(path: path.description, target: target.description)
            return
        }
        switch type {
        case CARCHIVE_AE_IFREG:
            let size = archive_entry_size_is_set(entry) != 0 ? UInt64(max(0, archive_entry_size(entry))) : 0
            if size > limits.maxEntryBytes { throw refuse(.entryTooLarge(size: size, limit: limits.maxEntryBytes)) }
            if summary.bytes + size > limits.maxTotalBytes { throw refuse(.totalTooLarge(limit: limits.maxTotalBytes)) }
            try writeFile(path, from: archive, size: size, mode: permissions, mtime: mtime, source: source)
            nodes[path] = .file
            summary.regularFiles += 1
        case CARCHIVE_AE_IFDIR:
            if case let .directory(_, index)? = nodes[path] {
                directories[index].mode = permissions & 0o777
                directories[index].mtime = mtime
                nodes[path] = .directory(explicit: true, index: index)
            } else {
                try makeDirectory(path)
                summary.directories += 1
                nodes[path] = .directory(explicit: true, index: directories.count)
                directories.append((path, permissions & 0o777, mtime))
            }
        case CARCHIVE_AE_IFLNK:
            let target =
                archive_entry_symlink(entry).map {
                    Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0)))
                } ?? []
            do throws(ExtractionRule) {
                try PathRules.checkSymlinkTarget(target, link: path, maxLength: limits.maxPathLength)
            } catch {
                throw refuse(error)
            }
            try makeSymlink(path, target: target, mtime: mtime)
            nodes[path] = .symlink(target)
            symlinks.append(path)
            summary.symlinks += 1
        default:
            throw refuse(.specialFile(type: Self.typeName(type)))
        }
    }

    /// Every ancestor must be a directory: earlier explicit ones, or ones implied now (created
    /// with mode 0755, as GNU tar does for missing parents). Symlinks and files are refused.
    private func checkParents(of path: EntryPath, refuse: (ExtractionRule) -> TarballError) throws(TarballError) {
        let parent = path.parent
        if parent.isRoot || parent == lastCheckedParent { return }
        for ancestor in path.ancestors {
            switch nodes[ancestor] {
            case .directory?:
                continue
            case .symlink?:
                throw refuse(.throughSymlink(link: ancestor.description))
            case .file?:
                throw refuse(.parentNotDirectory(parent: ancestor.description))
            case nil:
                entryCount += 1
                if entryCount > limits.maxEntries { throw refuse(.tooManyEntries(limit: limits.maxEntries)) }
                nodes[ancestor] = .directory(explicit: false, index: directories.count)
                directories.append((ancestor, 0o755, nil))
                summary.directories += 1
            }
        }
        lastCheckedParent = parent
    }

    private func writeFile(
        _ path: EntryPath, from archive: OpaquePointer, size: UInt64, mode: UInt32,
        mtime: timespec?, source: String
    ) throws(TarballError) {
        let directory = try destination.parent(path.parent, for: path)
        // Readable too when the digest thread reads the file back.
        let access = digestWorker == nil ? O_WRONLY : O_RDWR
        let fd = path.name.withCString {
            openat(directory, $0, access | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { throw .writeFailed(entry: path.description, reason: POSIX.lastError) }
        defer { close(fd) }
        var written: UInt64 = 0
        var block: UnsafeRawPointer?
        var length = 0
        var offset: la_int64_t = 0
        while true {
            let status = archive_read_data_block(archive, &block, &length, &offset)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK else {
                throw .malformed(source: source, entry: path.description, detail: ArchiveOutput.message(archive))
            }
            guard length > 0, let block else { continue }
            written += UInt64(length)
            if written > limits.maxEntryBytes {
                throw .refused(entry: path.description, rule: .entryTooLarge(size: written, limit: limits.maxEntryBytes))
            }
            if summary.bytes + written > limits.maxTotalBytes {
                throw .refused(entry: path.description, rule: .totalTooLarge(limit: limits.maxTotalBytes))
            }
            let bytes = UnsafeRawBufferPointer(start: block, count: length)
            let code = POSIX.writeAll(fd, bytes, at: offset)
            if code != 0 { throw .writeFailed(entry: path.description, reason: POSIX.describe(code)) }
        }
        if written < size, ftruncate(fd, off_t(size)) != 0 {
            throw .writeFailed(entry: path.description, reason: POSIX.lastError)
        }
        summary.bytes += max(written, size)
        guard fchmod(fd, mode_t(mode & 0o777)) == 0 else {
            throw .writeFailed(entry: path.description, reason: POSIX.lastError)
        }
        if let mtime {
            var times = [timespec(tv_sec: 0, tv_nsec: CARCHIVE_UTIME_OMIT), mtime]
            futimens(fd, &times)
        }
        if writeback { _ = carchive_start_writeback(fd) }
        // The digest thread reads the file back through a descriptor of its own (without one,
        // the file has no digest and the caller hashes it from the disk).
        if let digestWorker {
            let again = dup(fd)
            if again >= 0 { digestWorker.add(descriptor: again, path: path.description) }
        }
    }

    private func makeDirectory(_ path: EntryPath) throws(TarballError) {
        let directory = try destination.parent(path.parent, for: path)
        let status = path.name.withCString { mkdirat(directory, $0, 0o700) }
        guard status == 0 else { throw .writeFailed(entry: path.description, reason: POSIX.lastError) }
    }

    private func makeSymlink(_ path: EntryPath, target: [UInt8], mtime: timespec?) throws(TarballError) {
        let directory = try destination.parent(path.parent, for: path)
        let status = path.name.withCString { name in target.withCString { symlinkat($0, directory, name) } }
        guard status == 0 else { throw .writeFailed(entry: path.description, reason: POSIX.lastError) }
        if let mtime {
            var times = [timespec(tv_sec: 0, tv_nsec: CARCHIVE_UTIME_OMIT), mtime]
            _ = path.name.withCString { utimensat(directory, $0, &times, AT_SYMLINK_NOFOLLOW) }
        }
    }

    private func makeHardLink(_ path: EntryPath, to target: EntryPath) throws(TarballError) {
        let targetDirectory = try destination.openDirectory(target.parent, for: path)
        defer { close(targetDirectory) }
        let directory = try destination.parent(path.parent, for: path)
        // Flags 0: never follow a symlink at the target (it is a regular file we made anyway).
        let status = target.name.withCString { from in path.name.withCString { linkat(targetDirectory, from, directory, $0, 0) } }
        guard status == 0 else { throw .writeFailed(entry: path.description, reason: POSIX.lastError) }
    }

    /// With the whole tree known, no symlink may resolve outside the root, even through other
    /// symlinks (`a/b/c/z -> ../../..` then `a/b/c/w -> z/..` climbs above the root).
    private func checkSymlinks() throws(TarballError) {
        for link in symlinks {
            guard case let .symlink(target)? = nodes[link] else { continue }
            let escapes = PathRules.escapes(link: link, target: target) { path in
                if case let .symlink(next)? = nodes[path] { return next }
                return nil
            }
            if escapes {
                throw .refused(entry: link.description, rule: .symlinkEscapes(target: String(decoding: target, as: UTF8.self)))
            }
        }
    }

    /// Final directory modes and mtimes, deepest first (a directory made read-only, or stamped,
    /// after everything inside it exists).
    private func applyDirectoryAttributes() throws(TarballError) {
        for (path, mode, mtime) in directories.reversed() {
            let fd = try destination.openDirectory(path, for: path)
            defer { close(fd) }
            guard fchmod(fd, mode_t(mode)) == 0 else { throw .writeFailed(entry: path.description, reason: POSIX.lastError) }
            if let mtime {
                var times = [timespec(tv_sec: 0, tv_nsec: CARCHIVE_UTIME_OMIT), mtime]
                futimens(fd, &times)
            }
        }
    }

    static func typeName(_ type: UInt32) -> String {
        switch type {
        case CARCHIVE_AE_IFCHR: "character device"
        case CARCHIVE_AE_IFBLK: "block device"
        case CARCHIVE_AE_IFIFO: "FIFO"
        case CARCHIVE_AE_IFSOCK: "socket"
        default: "unknown type \(String(type, radix: 8))"
        }
    }
}
