/// Why a tarball could not be written or was refused during extraction. Every case names the
/// file or the archive entry concerned and says what was expected.
public enum TarballError: Error, Hashable, Sendable, CustomStringConvertible {
    // Packing.
    /// A path under the tree being packed could not be read (`lstat`, `open`, `read`, `readlink`).
    case unreadable(path: String, reason: String)
    /// A FIFO, socket or device node in the tree: tarballs hold files, directories and links only.
    case unsupportedFileType(path: String, type: String)
    /// A file changed size while it was being packed.
    case fileChanged(path: String, expectedSize: UInt64)
    /// A file or directory name that is not valid UTF-8 (names are stored as UTF-8).
    case unencodableName(path: String)
    /// A member to pack that is not a plain relative path under the base directory.
    case invalidMember(String, reason: String)
    /// The output file would land inside the tree being packed.
    case outputInsideTree(output: String, tree: String)
    /// The output file could not be created, written, synced or renamed into place.
    case outputFailed(path: String, reason: String)

    // Extraction.
    /// An archive entry broke a rule; nothing of the archive is left on disk.
    case refused(entry: String, rule: ExtractionRule)
    /// The bytes are not a (complete) gzip/zstd-compressed or plain tar archive: truncated,
    /// corrupt, or another format. `entry` is the entry being read when that was found, if any.
    case malformed(source: String, entry: String?, detail: String)
    /// The extraction target is not an empty directory, or cannot be created or opened.
    case badDestination(path: String, reason: String)
    /// Writing an entry into the target directory failed (disk full, permissions...).
    case writeFailed(entry: String, reason: String)
    /// The byte stream was cancelled (or dropped) before `finish()`.
    case cancelled(destination: String)
    /// `feed` or `finish` was called on a stream that has already finished.
    case streamFinished(destination: String)
    /// libarchive failed in a way no other case describes.
    case archiveFailed(context: String, message: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            "\(path): cannot read: \(reason)"
        case let .unsupportedFileType(path, type):
            "\(path): is a \(type); a tarball holds only regular files, directories and links"
        case let .fileChanged(path, expectedSize):
            "\(path): changed while being packed (expected \(expectedSize) bytes)"
        case let .unencodableName(path):
            "\(path): the name is not valid UTF-8"
        case let .invalidMember(member, reason):
            "member \"\(member)\": \(reason)"
        case let .outputInsideTree(output, tree):
            "\(output): the output would be inside the tree being packed (\(tree))"
        case let .outputFailed(path, reason):
            "\(path): cannot write the tarball: \(reason)"
        case let .refused(entry, rule):
            "entry \"\(entry)\": refused: \(rule)"
        case let .malformed(source, entry, detail):
            if let entry {
                "\(source): entry \"\(entry)\": not a valid tar archive: \(detail)"
            } else {
                "\(source): not a valid tar archive: \(detail)"
            }
        case let .badDestination(path, reason):
            "\(path): cannot extract here: \(reason)"
        case let .writeFailed(entry, reason):
            "entry \"\(entry)\": cannot write: \(reason)"
        case let .cancelled(destination):
            "extraction into \(destination) was cancelled before the archive ended"
        case let .streamFinished(destination):
            "extraction into \(destination) has already finished; no more bytes are accepted"
        case let .archiveFailed(context, message):
            "\(context): libarchive: \(message)"
        }
    }
}

/// The extraction rule an entry broke.
public enum ExtractionRule: Error, Hashable, Sendable, CustomStringConvertible {
    case emptyName
    case absolutePath
    /// A `..` component anywhere in the name.
    case parentComponent
    case invalidEncoding
    case nameTooLong(length: Int, limit: Int)
    /// One component longer than 255 bytes (NAME_MAX).
    case componentTooLong(length: Int)
    /// The path goes through `link`, a symlink made by an earlier entry.
    case throughSymlink(link: String)
    /// The path goes through `parent`, an earlier entry that is not a directory.
    case parentNotDirectory(parent: String)
    case duplicate
    case symlinkEmpty
    case symlinkAbsolute(target: String)
    /// The target leaves the extraction root, read from the link's directory.
    case symlinkEscapes(target: String)
    case hardlinkOutside(target: String)
    /// The target is not an earlier regular-file entry of the archive.
    case hardlinkMissing(target: String)
    /// Character/block device, FIFO, socket, or an unknown entry type.
    case specialFile(type: String)
    /// Setuid, setgid or sticky bits (refused, never silently stripped).
    case specialModeBits(mode: UInt32)
    /// GNU/pax sparse entries are not supported.
    case sparse
    case entryTooLarge(size: UInt64, limit: UInt64)
    case totalTooLarge(limit: UInt64)
    case tooManyEntries(limit: Int)

    public var description: String {
        switch self {
        case .emptyName: "the name is empty"
        case .absolutePath: "absolute paths are not allowed"
        case .parentComponent: "'..' components are not allowed"
        case .invalidEncoding: "the name is not valid UTF-8"
        case let .nameTooLong(length, limit): "the name is \(length) bytes long, more than the limit of \(limit)"
        case let .componentTooLong(length): "a path component is \(length) bytes long, more than 255"
        case let .throughSymlink(link): "the path goes through the symlink \"\(link)\" of an earlier entry"
        case let .parentNotDirectory(parent): "the parent \"\(parent)\" is an earlier entry that is not a directory"
        case .duplicate: "the archive already had an entry with this name"
        case .symlinkEmpty: "the symlink target is empty"
        case let .symlinkAbsolute(target): "the symlink target \"\(target)\" is absolute; expected a relative target"
        case let .symlinkEscapes(target): "the symlink target \"\(target)\" leads outside the extraction directory"
        case let .hardlinkOutside(target): "the hard link target \"\(target)\" is outside the extraction directory"
        case let .hardlinkMissing(target): "the hard link target \"\(target)\" is not an earlier regular file of the archive"
        case let .specialFile(type): "\(type) entries are not allowed; expected files, directories and links"
        case let .specialModeBits(mode):
            "mode \(String(mode, radix: 8)) has setuid, setgid or sticky bits, which are not allowed"
        case .sparse: "sparse entries are not supported"
        case let .entryTooLarge(size, limit): "the entry has \(size) bytes, more than the limit of \(limit)"
        case let .totalTooLarge(limit): "the archive holds more than the limit of \(limit) bytes in total"
        case let .tooManyEntries(limit): "the archive has more than the limit of \(limit) entries"
        }
    }
}
