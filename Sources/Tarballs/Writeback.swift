#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CArchive

/// Durability of an extracted tree without a journal commit per file.
public enum Writeback {
    /// Writes the data of every regular file under `root` to the disk and waits for it. An
    /// extractor made with `writeback` started each file's writeback as it closed it, so the
    /// device already has a deep queue and this mostly waits; no journal commit per file. With an ordered journal (ext4 `data=ordered`, XFS) the block
    /// allocations this writeback made are committed no later than a rename made afterwards,
    /// so after a crash a renamed tree has its data. Where `sync_file_range` does not exist
    /// (or the filesystem refuses it) each file is `fdatasync`ed instead. Symlinks are not followed.
    public static func wait(tree root: String) {
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        waitForFiles(in: descriptor)
        close(descriptor)
    }

    /// Every regular file below the directory `fd`, by `openat` (raw names, `d_type`; no path
    /// strings built or re-parsed: this runs over every file of every package).
    private static func waitForFiles(in directory: Int32) {
        guard case let .success(entries) = POSIX.listDirectory(directory) else { return }
        for (name, type) in entries {
            (name + [0]).withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { path in
                    guard let name = path.baseAddress else { return }
                    var kind = type
                    if kind == UInt8(DT_UNKNOWN) {
                        var info = stat()
                        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return }
                        let format = info.st_mode & S_IFMT
                        kind = format == S_IFDIR ? UInt8(DT_DIR) : format == S_IFREG ? UInt8(DT_REG) : UInt8(DT_UNKNOWN)
                    }
                    if kind == UInt8(DT_DIR) {
                        let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                        guard child >= 0 else { return }
                        waitForFiles(in: child)
                        close(child)
                    } else if kind == UInt8(DT_REG) {
                        let file = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                        guard file >= 0 else { return }
                        wait(file)
                        close(file)
                    }
                }
            }
        }
    }

    /// `wait(tree:)` for one open file: its data written and waited for (`fdatasync` where
    /// `sync_file_range` is refused). Before renaming a new file over an old one.
    public static func wait(_ descriptor: Int32) {
        if carchive_wait_writeback(descriptor) != 0 { fdatasync(descriptor) }
    }
}
