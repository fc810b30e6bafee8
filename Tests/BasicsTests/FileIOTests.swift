#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization
import Testing
@testable import Basics

@Suite struct FileIOTests {
    /// A pipe whose write end is non-blocking would give short writes; a file gives whole ones.
    @Test func writeAllThenReadChunksRoundTrips() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let descriptor = open("\(folder.path)/data", O_RDWR | O_CREAT | O_EXCL, 0o600)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        #expect(FileIO.writeAll(descriptor, bytes) == 0)
        #expect(lseek(descriptor, 0, SEEK_SET) == 0)
        var read: [UInt8] = []
        var chunks = 0
        let code = FileIO.readChunks(descriptor, chunkSize: 65_536) { chunk in
            chunks += 1
            read += chunk
        }
        #expect(code == 0)
        #expect(read == bytes)
        #expect(chunks == 5)
    }

    @Test func positionedWriteLandsAtItsOffset() {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let descriptor = open("\(folder.path)/data", O_RDWR | O_CREAT | O_EXCL, 0o600)
        defer { close(descriptor) }
        #expect(FileIO.writeAll(descriptor, Array("abcdef".utf8)) == 0)
        let code = Array("XY".utf8).withUnsafeBytes { FileIO.writeAll(descriptor, $0, at: 2) }
        #expect(code == 0)
        #expect(folder.read("data") == Array("abXYef".utf8))
    }

    @Test func pipeLargerThanItsBufferIsWrittenWhole() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (reader, writer) = (ends[0], ends[1])
        let bytes = [UInt8](repeating: 7, count: 1 << 20)
        // The writer blocks on a full pipe and continues as the reader drains it. It runs on a
        // thread of its own: this test blocks its thread reading, and a writer that needed the
        // cooperative pool could wait forever for a thread when other tests hold the rest.
        let writeCode = Mutex<Int32>(-1)
        Thread {
            let code = FileIO.writeAll(writer, bytes)
            writeCode.withLock { $0 = code }
            close(writer)
        }.start()
        var total = 0
        let readCode = FileIO.readChunks(reader, chunkSize: 4096) { total += $0.count }
        close(reader)
        // The end of the pipe came after the writer's code was kept.
        #expect(writeCode.withLock { $0 } == 0)
        #expect(readCode == 0)
        #expect(total == bytes.count)
    }

    @Test func failuresReturnTheErrno() {
        #expect(FileIO.writeAll(-1, Array("x".utf8)) == EBADF)
        #expect(FileIO.readChunks(-1) { _ in } == EBADF)
        var byte: UInt8 = 0
        let count = withUnsafeMutableBytes(of: &byte) { FileIO.readSome(-1, into: $0) }
        #expect(count == -1)
        #expect(FileIO.describe(ENOENT).isEmpty == false)
    }

    @Test func errorsThrownByTheBodyStopReading() {
        struct Stop: Error {}
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let descriptor = open("\(folder.path)/data", O_RDWR | O_CREAT | O_EXCL, 0o600)
        defer { close(descriptor) }
        _ = FileIO.writeAll(descriptor, [UInt8](repeating: 1, count: 10))
        _ = lseek(descriptor, 0, SEEK_SET)
        var calls = 0
        #expect(throws: Stop.self) {
            _ = try FileIO.readChunks(descriptor, chunkSize: 2) { _ throws(Stop) in
                calls += 1
                throw Stop()
            }
        }
        #expect(calls == 1)
    }
}

@Suite struct FileIOPositionedReadTests {
    @Test func readsAtAPositionWithoutMovingTheOffset() {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let descriptor = open("\(folder.path)/data", O_RDWR | O_CREAT | O_EXCL, 0o600)
        defer { close(descriptor) }
        #expect(FileIO.writeAll(descriptor, Array("0123456789".utf8)) == 0)
        var buffer = [UInt8](repeating: 0, count: 4)
        let count = buffer.withUnsafeMutableBytes { FileIO.readSome(descriptor, into: $0, at: 3) }
        #expect(count == 4)
        #expect(buffer == Array("3456".utf8))
        let atEnd = buffer.withUnsafeMutableBytes { FileIO.readSome(descriptor, into: $0, at: 10) }
        #expect(atEnd == 0)
        #expect(lseek(descriptor, 0, SEEK_CUR) == 10)
    }

    @Test func readFullStopsAtTheEnd() {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let descriptor = open("\(folder.path)/data", O_RDWR | O_CREAT | O_EXCL, 0o600)
        defer { close(descriptor) }
        #expect(FileIO.writeAll(descriptor, Array("abcdefg".utf8)) == 0)
        _ = lseek(descriptor, 0, SEEK_SET)
        var buffer = [UInt8](repeating: 0, count: 5)
        #expect(buffer.withUnsafeMutableBytes { FileIO.readFull(descriptor, into: $0) } == 5)
        #expect(buffer == Array("abcde".utf8))
        #expect(buffer.withUnsafeMutableBytes { FileIO.readFull(descriptor, into: $0) } == 2)
        #expect(buffer.withUnsafeMutableBytes { FileIO.readFull(descriptor, into: $0) } == 0)
        #expect(buffer.withUnsafeMutableBytes { FileIO.readFull(-1, into: $0) } == -1)
    }
}
