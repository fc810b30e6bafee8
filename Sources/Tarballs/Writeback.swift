#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CArchive
import Foundation

/// Durability of an extracted tree without a journal commit per file.
public enum Writeback {
    /// Writes the data of every regular file under `root` to the disk and waits for it: writeback
    /// is started for all files first (or already was, by an extractor made with `writeback`),
    /// then waited for, so the device sees one deep queue instead of a flush per file; no
    /// journal commit per file. With an ordered journal (ext4 `data=ordered`, XFS) the block
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
        for start in [true, false] {
            for path in files {
                let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
                guard descriptor >= 0 else { continue }
                let status = start ? carchive_start_writeback(descriptor) : carchive_wait_writeback(descriptor)
                if status != 0, !start { fdatasync(descriptor) }
                close(descriptor)
            }
        }
    }
}
