import Basics
import Glibc
import Testing

struct MallocTuningTests {
    @Test func aBlockLargerThanGlibcsOwnThresholdComesFromTheHeapOnceTuned() throws {
        #expect(MallocTuning.keepFreedMemory())
        // 48 MiB: above the most glibc's dynamic threshold ever rises to (32 MiB), so untuned
        // it would be a mapping of its own; tuned, the heap serves it.
        let size = 48 << 20
        #expect(size < Int(MallocTuning.mmapThreshold))
        let block = try #require(malloc(size))
        defer { free(block) }
        // glibc's chunk header: the size word before the block, bit 1 set for a mapped chunk.
        let sizeWord = (block - MemoryLayout<UInt>.size).load(as: UInt.self)
        #expect(sizeWord & 2 == 0)
        #expect(sizeWord & ~7 >= UInt(size))
    }
}
