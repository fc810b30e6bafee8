import Crypto
import Foundation
import Testing
@testable import Tarballs

struct DigestWorkerTests {
    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Writes `bytes` to a new file and returns a readable descriptor of it (as the extraction
    /// hands over: written with pwrite, so the offset is still 0 — the worker must not rely on it).
    static func written(_ bytes: [UInt8], at path: String, flags: Int32 = O_RDWR) throws -> Int32 {
        let descriptor = open(path, flags | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        if !bytes.isEmpty, flags != O_RDONLY {
            let count = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
            try #require(count == bytes.count)
        }
        return descriptor
    }

    /// Files larger than one read, a file with a hole (reads as zeros), an empty file, a hard
    /// link (its target's digest), a descriptor that cannot be read (no digest: the caller
    /// hashes from the disk) and more files than slots.
    @Test func digestsOfFilesReadBackThroughTheirDescriptors() throws {
        let folder = try TemporaryDirectory()
        let worker = DigestWorker(slots: 2, readSize: 4_096)
        let big = (0..<100_000).map { UInt8($0 % 251) }
        worker.add(descriptor: try Self.written(big, at: folder.sub("a")), path: "a")
        let sparse = try Self.written([1, 2, 3], at: folder.sub("sparse"))
        #expect(ftruncate(sparse, 16) == 0)
        worker.add(descriptor: sparse, path: "sparse")
        worker.add(descriptor: try Self.written([], at: folder.sub("empty")), path: "empty")
        worker.add(descriptor: try Self.written(Array("abc".utf8), at: folder.sub("unreadable"), flags: O_WRONLY), path: "unreadable")
        worker.alias(path: "link", target: "a")
        for index in 0..<5 {
            worker.add(descriptor: try Self.written([UInt8(index)], at: folder.sub("small\(index)")), path: "small\(index)")
        }
        let digests = worker.results()
        #expect(digests["a"] == ExtractedFile(size: 100_000, sha256: Self.sha256(big)))
        #expect(digests["sparse"] == ExtractedFile(size: 16, sha256: Self.sha256([1, 2, 3] + [UInt8](repeating: 0, count: 13))))
        #expect(digests["empty"] == ExtractedFile(size: 0, sha256: Self.sha256([])))
        #expect(digests["unreadable"] == nil)
        #expect(digests["link"] == digests["a"])
        for index in 0..<5 { #expect(digests["small\(index)"] == ExtractedFile(size: 1, sha256: Self.sha256([UInt8(index)]))) }
        #expect(digests.count == 9)
    }

    /// A cancelled worker hashes nothing more and closes every descriptor it was handed.
    @Test func cancellingClosesWhatIsQueued() throws {
        let folder = try TemporaryDirectory()
        let worker = DigestWorker(slots: 4)
        var handedOver: [(descriptor: Int32, inode: ino_t)] = []
        for index in 0..<3 {
            let descriptor = try Self.written([UInt8(index)], at: folder.sub("f\(index)"))
            var info = stat()
            try #require(fstat(descriptor, &info) == 0)
            handedOver.append((descriptor, info.st_ino))
            worker.add(descriptor: descriptor, path: "f\(index)")
        }
        worker.cancel()
        // Closed: the number is free, or (tests run in parallel) reused for another file.
        for (descriptor, inode) in handedOver {
            var info = stat()
            #expect(fstat(descriptor, &info) != 0 || info.st_ino != inode)
        }
    }
}
