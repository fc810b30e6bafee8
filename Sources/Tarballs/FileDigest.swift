import AlienModel
import Crypto
import Foundation

/// The sha256 of a file on disk, read in 1 MiB blocks (for install records and their checks).
public enum FileDigest {
    /// The file's size and sha256; nil when it cannot be opened or read.
    public static func sha256(path: String) -> (size: UInt64, hash: ContentHash)? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var hasher = SHA256()
        var size: UInt64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            size += UInt64(count)
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return (size, ContentHash(.sha256, bytes: hasher.finalize()))
    }
}
