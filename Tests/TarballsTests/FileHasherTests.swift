import Crypto
import Testing
@testable import Tarballs

@Suite struct FileHasherTests {
    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    @Test func blocksInOrderHashLikeTheWholeFile() {
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = FileHasher()
        var offset = 0
        for size in [1, 4095, 65_536, 130_368] {
            bytes[offset..<(offset + size)].withUnsafeBytes { hasher.add($0, at: UInt64(offset)) }
            offset += size
        }
        #expect(hasher.finish(size: UInt64(bytes.count)) == ExtractedFile(size: 200_000, sha256: Self.hex(bytes)))
    }

    @Test func gapsAndATruncatedTailReadAsZeros() {
        var hasher = FileHasher()
        [UInt8](repeating: 7, count: 10).withUnsafeBytes { hasher.add($0, at: 100_000) }
        let expected = [UInt8](repeating: 0, count: 100_000) + [UInt8](repeating: 7, count: 10) + [UInt8](repeating: 0, count: 90)
        #expect(hasher.finish(size: 100_100) == ExtractedFile(size: 100_100, sha256: Self.hex(expected)))
        var empty = FileHasher()
        #expect(empty.finish(size: 0)?.sha256 == Self.hex([]))
    }

    @Test func aBlockThatGoesBackGivesUp() {
        var hasher = FileHasher()
        [UInt8](repeating: 1, count: 10).withUnsafeBytes { hasher.add($0, at: 0) }
        [UInt8](repeating: 2, count: 10).withUnsafeBytes { hasher.add($0, at: 5) }
        #expect(hasher.finish(size: 15) == nil)
    }
}
