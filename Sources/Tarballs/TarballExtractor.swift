import CArchive
public import Foundation

/// What an extraction produced.
public struct ExtractionSummary: Sendable, Equatable {
    /// Regular files written (hard links not included).
    public var regularFiles = 0
    /// Hard links made to earlier files.
    public var hardLinks = 0
    public var symlinks = 0
    /// Directories made, including parents that had no entry of their own.
    public var directories = 0
    /// Bytes of file contents written.
    public var bytes: UInt64 = 0
    /// The distinct first components of the entries, in byte order (e.g. `["slc9_x86-64"]`).
    public var topLevel: [String] = []
    /// Size and sha256 of every regular file and hard link written, by path relative to the
    /// target directory; only when the extractor was made with `digests: true`.
    public var digests: [String: ExtractedFile] = [:]

    public init() {}
}

/// A file's size and sha256 (lowercase hex), computed while it was written.
public struct ExtractedFile: Sendable, Hashable {
    public var size: UInt64
    public var sha256: String

    public init(size: UInt64, sha256: String) {
        self.size = size
        self.sha256 = sha256
    }
}

/// Streaming, secure extraction of gzip-, zstd-compressed or plain tar archives (detected from
/// the bytes) into an empty directory.
///
/// Refused, each with a `TarballError.refused(entry:rule:)` naming the entry and the rule:
/// absolute names, any `..` component, names longer than `Limits.maxPathLength` (or a component
/// longer than 255 bytes), names that are not UTF-8, entries whose path goes through a symlink
/// or a file of an earlier entry, symlinks whose target is absolute or leaves the directory
/// (read from the link's own directory, and once the whole tree exists, through the other
/// symlinks), hard links to anything but an earlier regular-file entry, devices, FIFOs and
/// sockets, setuid/setgid/sticky bits, sparse entries, duplicate names, entries and totals over
/// `Limits`. Anything else wrong with the bytes is `TarballError.malformed`. After any error the
/// target directory is empty again.
///
/// How writes stay inside: there is no `chdir` (process-wide, a hazard in a multithreaded
/// daemon) and no absolute destination path at all. Each name is validated and normalized into
/// components first; then the target directory is held open as a descriptor and every file,
/// directory and link is made with `openat`/`mkdirat`/`symlinkat`/`linkat` relative to it, each
/// parent component opened with `O_NOFOLLOW | O_DIRECTORY` and each file created with
/// `O_CREAT | O_EXCL | O_NOFOLLOW`. So even a symlink the entry table did not know of (e.g. one
/// planted in the directory while extracting) is never followed, and no existing file is ever
/// opened. libarchive's `archive_write_disk` is not used: it reaches long paths with `chdir`,
/// checks symlinks with `lstat` before use (a race) and creates escaping symlinks anyway.
///
/// Files get the archive's permission bits without group and other write (no umask otherwise)
/// and its mtimes; ownership is the
/// extracting user's; xattrs and ACLs in the archive are ignored. Nothing is `fsync`ed.
public struct TarballExtractor: Sendable {
    /// Caps against archives that would fill the disk or the entry table.
    public struct Limits: Sendable, Equatable {
        /// Bytes of file contents in all.
        public var maxTotalBytes: UInt64
        /// Bytes of one file.
        public var maxEntryBytes: UInt64
        /// Entries, counting the parent directories they imply.
        public var maxEntries: Int
        /// Bytes of an entry name, or of a link target.
        public var maxPathLength: Int

        public init(
            maxTotalBytes: UInt64 = 16 << 30, maxEntryBytes: UInt64 = 16 << 30,
            maxEntries: Int = 1_000_000, maxPathLength: Int = 4095
        ) {
            self.maxTotalBytes = maxTotalBytes
            self.maxEntryBytes = maxEntryBytes
            self.maxEntries = maxEntries
            self.maxPathLength = maxPathLength
        }
    }

    public var limits: Limits
    /// Hash every file as it is written (`ExtractionSummary.digests`): an install record then
    /// needs no second read of the tree.
    public var digests: Bool
    /// Start writing each file's data to the disk as soon as it is written (`sync_file_range`,
    /// not waiting), so that `Writeback.wait(tree:)` before a rename finds little left to do.
    public var writeback: Bool

    public init(limits: Limits = Limits(), digests: Bool = false, writeback: Bool = false) {
        self.limits = limits
        self.digests = digests
        self.writeback = writeback
    }

    /// Extracts the archive file at `archive` into `directory` (created if missing; its parent
    /// must exist), on the calling thread.
    public func extract(archive: String, into directory: String) throws(TarballError) -> ExtractionSummary {
        let destination = try DestinationDirectory(path: directory)
        defer { destination.release() }
        let reader = try ExtractionSession.makeReader(source: archive)
        defer { archive_read_free(reader) }
        guard archive_read_open_filename(reader, archive, 256 * 1024) == ARCHIVE_OK else {
            throw .malformed(source: archive, entry: nil, detail: ArchiveOutput.message(reader))
        }
        return try ExtractionSession(destination: destination, limits: limits, digests: digests, writeback: writeback).run(reader, source: archive)
    }

    /// Starts an extraction into `directory` fed by the caller (see `TarballStream`). The
    /// directory is checked (and created) now.
    public func stream(into directory: String) throws(TarballError) -> TarballStream {
        try TarballStream(directory: directory, limits: limits, digests: digests, writeback: writeback)
    }

    /// Extracts the archive whose bytes `chunks` yields. If the sequence throws, the extraction
    /// is cancelled (the directory emptied) and that error is rethrown.
    public func extract<Chunks: AsyncSequence>(chunks: Chunks, into directory: String) async throws -> ExtractionSummary
    where Chunks.Element: ContiguousBytes {
        let stream = try stream(into: directory)
        do {
            for try await chunk in chunks {
                try await stream.send(chunk)
            }
        } catch {
            stream.cancel()
            throw error
        }
        return try await stream.finished()
    }
}
