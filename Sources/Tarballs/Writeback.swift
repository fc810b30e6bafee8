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
        FileTree.walk(root) { entry in
            guard (entry.info.st_mode & S_IFMT) == S_IFREG else { return }
            let file = openat(entry.directory, entry.name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard file >= 0 else { return }
            wait(file)
            close(file)
        }
    }

    /// `wait(tree:)` for one open file: its data written and waited for (`fdatasync` where
    /// `sync_file_range` is refused). Before renaming a new file over an old one.
    public static func wait(_ descriptor: Int32) {
        if carchive_wait_writeback(descriptor) != 0 { fdatasync(descriptor) }
    }
}
