import Foundation
import Testing
@testable import SoftwareArea

/// Stage directories: swept only when no live process holds their lock.
@Suite struct StageDirectoryTests {
    @Test func sweepKeepsLockedStagesAndRemovesAbandonedOnes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("stage-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let live = try StageDirectory(in: root)
        try "x".write(toFile: "\(live.path)/file", atomically: false, encoding: .utf8)
        // An abandoned stage: a directory whose lock nobody holds (its installer was killed).
        let dead = "\(root)/dead"
        try FileManager.default.createDirectory(atPath: "\(dead)/tree/sub", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(dead).lock", contents: nil)
        // A directory without any lock file.
        try FileManager.default.createDirectory(atPath: "\(root)/orphan", withIntermediateDirectories: true)
        // A young lock file without its directory: maybe an installer between create and mkdir.
        _ = FileManager.default.createFile(atPath: "\(root)/young.lock", contents: nil)

        let removed = StageDirectory.sweep(root)
        #expect(Set(removed) == ["\(root)/dead", "\(root)/orphan"])
        #expect(FileManager.default.fileExists(atPath: "\(live.path)/file"))
        #expect(FileManager.default.fileExists(atPath: "\(root)/young.lock"))
        #expect(!FileManager.default.fileExists(atPath: "\(dead).lock"))

        live.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["young.lock"])
    }

    @Test func fileLockExcludesASecondHolderUntilReleased() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)/a.lock").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let first = try FileLock.acquire(path)
        #expect(try FileLock.tryAcquire(path) == nil)
        first.unlock()
        let second = try #require(try FileLock.tryAcquire(path))
        second.unlock()
    }
}
