import Foundation
import Testing
@testable import Forensics

/// Reading a usage log from where the last reading stopped: new lines only, an unfinished
/// line left for later, across a rotation, and a reader left behind by two rotations.
@Suite struct UsageLogFollowTests {
    typealias Folder = UsageLogTests.Folder

    @Test func readsOnlyWhatCameSinceAndLeavesAnUnfinishedLine() throws {
        let folder = try Folder()
        let log = UsageLog(path: folder.path + "/usage.log")
        let empty = try log.records(after: nil)
        #expect(empty.records.isEmpty && empty.position == nil && empty.problems.isEmpty)
        try log.append(UsageRecordTests.record(job: "a"), now: 0)
        try log.append(UsageRecordTests.record(job: "b"), now: 0)
        let first = try log.records(after: nil)
        #expect(first.records.map(\.jobID) == ["a", "b"])
        let size = try #require(FileManager.default.attributesOfItem(atPath: log.path)[.size] as? NSNumber).int64Value
        #expect(first.position?.offset == size)
        #expect(try log.records(after: first.position).records.isEmpty, "nothing new")

        try log.append(UsageRecordTests.record(job: "c"), now: 0)
        // A writer halfway through its line: not read until the newline is there.
        let handle = try #require(FileHandle(forWritingAtPath: log.path))
        handle.seekToEndOfFile()
        let half = UsageRecordTests.record(job: "d").jsonLine
        handle.write(Data(half.prefix(10)))
        let second = try log.records(after: first.position)
        #expect(second.records.map(\.jobID) == ["c"])
        handle.write(Data(half.dropFirst(10)))
        try handle.close()
        let third = try log.records(after: second.position)
        #expect(third.records.map(\.jobID) == ["d"] && third.problems.isEmpty)
    }

    @Test func followsTheLogAcrossARotation() throws {
        let folder = try Folder()
        let line = UsageRecordTests.record(job: "x").jsonLine.count
        // Room for two records a file.
        let log = UsageLog(path: folder.path + "/usage.log", maximumBytes: Int64(line * 2 + line / 2))
        try log.append(UsageRecordTests.record(job: "x"), now: 0)
        let first = try log.records(after: nil)
        #expect(first.records.map(\.jobID) == ["x"])
        for job in ["y", "z"] { try log.append(UsageRecordTests.record(job: job), now: 0) }  // z starts a new file
        #expect(FileManager.default.fileExists(atPath: log.previousPath))
        let second = try log.records(after: first.position)
        #expect(second.records.map(\.jobID) == ["y", "z"] && second.problems.isEmpty)

        // Two more rotations while nobody read: the reader is told, and gets what is left.
        for job in ["p", "q", "r", "s", "t"] { try log.append(UsageRecordTests.record(job: job), now: 0) }
        let third = try log.records(after: second.position)
        #expect(third.records.map(\.jobID) == ["q", "r", "s", "t"], "p went with the generation that rotated out")
        #expect(third.problems.count == 1 && third.problems[0].contains("records in between are lost"), "\(third.problems)")
    }
}
