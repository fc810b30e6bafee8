import AlienModel
import Crypto

/// The sha256 of a file from the blocks written into it: blocks arrive in order, a gap before
/// a block (or after the last one, up to the file's size) reads as zeros, as in the file. A
/// block that goes back gives up (nil: the caller hashes the file from disk instead).
struct FileHasher {
    private var hasher = SHA256()
    private var position: UInt64 = 0
    private var valid = true
    private static let zeros = [UInt8](repeating: 0, count: 64 << 10)

    mutating func add(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) {
        guard valid else { return }
        guard offset >= position else {
            valid = false
            return
        }
        zeroFill(to: offset)
        hasher.update(bufferPointer: bytes)
        position = offset + UInt64(bytes.count)
    }

    mutating func finish(size: UInt64) -> ExtractedFile? {
        guard valid else { return nil }
        zeroFill(to: size)
        let digest = hasher.finalize()
        return ExtractedFile(size: max(size, position), sha256: Hex.lowercase(digest))
    }

    private mutating func zeroFill(to end: UInt64) {
        while position < end {
            let count = Int(min(UInt64(Self.zeros.count), end - position))
            Self.zeros.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            position += UInt64(count)
        }
    }
}
