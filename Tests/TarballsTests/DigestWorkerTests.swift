import Crypto
import Foundation
import Testing
@testable import Tarballs

struct DigestWorkerTests {
    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Files one after the other, each from its blocks; a gap reads as zeros; a block going back
    /// leaves that file without a digest; a hard link gets its target's; more blocks than slots.
    @Test func digestsOfFilesHandedOverBlockByBlock() {
        let worker = DigestWorker(slots: 2)
        let first = (0..<100_000).map { UInt8($0 % 251) }
        for start in stride(from: 0, to: first.count, by: 7_000) {
            let end = min(start + 7_000, first.count)
            first[start..<end].withUnsafeBytes { worker.add($0, at: UInt64(start)) }
        }
        worker.finish(path: "a", size: UInt64(first.count))
        // 3 bytes, then a gap to 10, then 2 bytes, then zeros up to 16.
        [UInt8]([1, 2, 3]).withUnsafeBytes { worker.add($0, at: 0) }
        [UInt8]([9, 9]).withUnsafeBytes { worker.add($0, at: 10) }
        worker.finish(path: "sparse", size: 16)
        [UInt8]([1, 2]).withUnsafeBytes { worker.add($0, at: 4) }
        [UInt8]([3]).withUnsafeBytes { worker.add($0, at: 0) }
        worker.finish(path: "backwards", size: 6)
        worker.alias(path: "link", target: "a")
        let digests = worker.results()
        #expect(digests["a"] == ExtractedFile(size: 100_000, sha256: Self.sha256(first)))
        #expect(digests["sparse"] == ExtractedFile(size: 16, sha256: Self.sha256([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 9, 9, 0, 0, 0, 0])))
        #expect(digests["backwards"] == nil)
        #expect(digests["link"] == digests["a"])
        #expect(digests.count == 3)
    }
}
