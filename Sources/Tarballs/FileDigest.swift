public import AlienModel
import Basics
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
        let code = FileIO.readChunks(descriptor) { chunk in
            size += UInt64(chunk.count)
            hasher.update(bufferPointer: chunk)
        }
        guard code == 0 else { return nil }
        return (size, ContentHash(.sha256, bytes: hasher.finalize()))
    }

    /// The size and sha256 of an open file from its first byte to its end, read into `buffer`
    /// with `FileIO.readSome(_:into:at:)` (the descriptor's offset is neither used nor moved); nil on a read error.
    static func sha256(descriptor: Int32, buffer: UnsafeMutableRawBufferPointer) -> (size: UInt64, hash: ContentHash)? {
        var hasher = SHA256()
        var size: UInt64 = 0
        while true {
            let count = FileIO.readSome(descriptor, into: buffer, at: Int64(size))
            if count < 0 { return nil }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            size += UInt64(count)
        }
        return (size, ContentHash(.sha256, bytes: hasher.finalize()))
    }
}
