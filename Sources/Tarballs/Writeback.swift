#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CArchive
import Foundation

/// Durability of an extracted tree without a journal commit per file.
public enum Writeback {
    /// Writes the data of every regular file under `root` to the disk and waits for it. An
    /// extractor made with `writeback` started each file's writeback as it closed it, so the
    /// device already has a deep queue and this mostly waits; no journal commit per file. With an ordered journal (ext4 `data=ordered`, XFS) the block
    /// allocations this writeback made are committed no later than a rename made afterwards,
    /// so after a crash a renamed tree has its data. Where `sync_file_range` does not exist
    /// (or the filesystem refuses it) each file is `fdatasync`ed instead. Symlinks are not followed.
    public static func wait(tree root: String) {
        var files: [String] = []
        if let walker = FileManager.default.enumerator(atPath: root) {
            while let name = walker.nextObject() as? String {
                var info = stat()
                let path = "\(root)/\(name)"
                if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { files.append(path) }
            }
        }
        for path in files {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else { continue }
            wait(descriptor)
            close(descriptor)
        }
    }

    /// `wait(tree:)` for one open file: its data written and waited for (`fdatasync` where
    /// `sync_file_range` is refused). Before renaming a new file over an old one.
    public static func wait(_ descriptor: Int32) {
        if carchive_wait_writeback(descriptor) != 0 { fdatasync(descriptor) }
    }
}
