import Foundation
import Testing
@testable import Forensics

@Suite struct UsageLogTests {
    final class Folder {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("usagelog-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func appendsAndAnswersQueriesOldestFirst() throws {
        let folder = try Folder()
        let log = UsageLog(path: folder.path + "/usage.log")
        #expect(try log.records().records.isEmpty, "no log yet: no records, no error")
        for (index, package) in ["VO_ALICE@ROOT::v6-32-06-1", "VO_ALICE@O2::v1-1", "VO_ALICE@ROOT::v6-30-01-1"].enumerated() {
            try log.append(UsageRecordTests.record(started: 100 + Int64(index), job: "job\(index)", packages: [package]), now: 200)
        }
        let all = try log.records()
        #expect(all.problems.isEmpty)
        #expect(all.records.map(\.jobID) == ["job0", "job1", "job2"])
        #expect(try log.records(matching: UsageQuery(package: "ROOT")).records.map(\.jobID) == ["job0", "job2"])
        #expect(try log.records(matching: UsageQuery(package: "ROOT::v6-30-01")).records.map(\.jobID) == ["job2"])
        var status = stat()
        #expect(stat(log.path, &status) == 0 && status.st_mode & 0o777 == 0o644)
    }

    @Test func aDamagedLineIsReportedWithoutHidingTheOthers() throws {
        let folder = try Folder()
        let log = UsageLog(path: folder.path + "/usage.log")
        try log.append(UsageRecordTests.record(job: "first"), now: 0)
        let handle = try #require(FileHandle(forWritingAtPath: log.path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"kind\":\"run\"\n".utf8))
        try handle.close()
        try log.append(UsageRecordTests.record(job: "second"), now: 0)
        let read = try log.records()
        #expect(read.records.map(\.jobID) == ["first", "second"])
        #expect(read.problems.count == 1)
        #expect(read.problems.first?.hasPrefix("\(log.path):2: not a usage record") == true, "\(read.problems)")
    }

    @Test func staysBoundedOnDisk() throws {
        let folder = try Folder()
        let line = UsageRecordTests.record().jsonLine.count
        let log = UsageLog(path: folder.path + "/usage.log", maximumBytes: Int64(line * 10), retentionSeconds: 1_000)
        for index in 0..<35 { try log.append(UsageRecordTests.record(started: Int64(index)), now: 0) }
        let size = { (path: String) -> Int in ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0 }
        #expect(size(log.path) <= line * 10)
        #expect(size(log.previousPath) <= line * 10)
        let kept = try log.records().records.map(\.started)
        #expect(kept == Array(Int64(35 - kept.count)..<35), "the newest records, in order")
        #expect(kept.count >= 10)
        // A previous generation older than the retention goes at the next append.
        let old = Date(timeIntervalSince1970: 0)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: log.previousPath)
        try log.append(UsageRecordTests.record(started: 99), now: 2_000)
        #expect(!FileManager.default.fileExists(atPath: log.previousPath))
    }

    @Test func concurrentAppendsNeverInterleave() async throws {
        let folder = try Folder()
        let line = UsageRecordTests.record().jsonLine.count
        // Small generations, so rotations happen while others append.
        let log = UsageLog(path: folder.path + "/usage.log", maximumBytes: Int64(line * 50))
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for index in 0..<40 { try? log.append(UsageRecordTests.record(started: Int64(writer * 1_000 + index)), now: 0) }
                }
            }
        }
        let read = try log.records()
        #expect(read.problems.isEmpty, "\(read.problems)")
        // Every record kept is whole; each writer's records stay in its order.
        for writer in 0..<4 {
            let mine = read.records.map(\.started).filter { $0 / 1_000 == Int64(writer) }
            #expect(mine == mine.sorted())
        }
    }

    @Test func refusesWhatIsNotARegularFile() throws {
        let folder = try Folder()
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/usage.log", withDestinationPath: "/etc/passwd")
        #expect(throws: UsageLogError.self) { try UsageLog(path: folder.path + "/usage.log").append(UsageRecordTests.record(), now: 0) }
    }
}
