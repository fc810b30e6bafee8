@testable import AreaEnvironment
import Foundation
import Testing

@Suite struct POSIXFilesTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("alien-posix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func directoriesAndEntries() throws {
        let base = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: base) }
        try FileManager.default.createDirectory(at: base.appendingPathComponent("a"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: base.appendingPathComponent("f"))
        try FileManager.default.createSymbolicLink(atPath: base.appendingPathComponent("l").path, withDestinationPath: "a")
        #expect(POSIXFiles.isDirectory(base.appendingPathComponent("a").path))
        #expect(POSIXFiles.isDirectory(base.appendingPathComponent("l").path), "a symlink to a folder counts, as fileExists(isDirectory:)")
        #expect(!POSIXFiles.isDirectory(base.appendingPathComponent("f").path))
        #expect(!POSIXFiles.isDirectory(base.appendingPathComponent("missing").path))
        #expect(POSIXFiles.entries(of: base.path)?.sorted() == ["a", "f", "l"])
        #expect(POSIXFiles.entries(of: base.appendingPathComponent("missing").path) == nil)
        #expect(POSIXFiles.entries(of: base.appendingPathComponent("a").path) == [])
    }

    @Test func makesFoldersAndSaysWhyNot() throws {
        let base = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: base) }
        let deep = base.appendingPathComponent("x/y/z").path
        #expect(POSIXFiles.makeDirectories(deep) == nil)
        #expect(POSIXFiles.isDirectory(deep))
        #expect(POSIXFiles.makeDirectories(deep) == nil, "an existing folder is fine")
        try Data().write(to: base.appendingPathComponent("file"))
        let blocked = POSIXFiles.makeDirectories(base.appendingPathComponent("file/sub").path)
        #expect(blocked != nil)
    }

    @Test func writesAllAndReadsBack() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let bytes = [UInt8]((0..<10_000).map { UInt8($0 % 251) })
        let failure = bytes.withUnsafeBytes { POSIXFiles.writeAll(ends[1], $0) }
        close(ends[1])
        #expect(failure == nil)
        var read: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = buffer.withUnsafeMutableBytes { POSIXFiles.readSome(ends[0], into: $0) }
            #expect(got >= 0)
            if got <= 0 { break }
            read += buffer[..<got]
        }
        #expect(read == bytes)
        // A closed descriptor: the reason, not a crash.
        #expect([UInt8(1)].withUnsafeBytes { POSIXFiles.writeAll(-1, $0) } != nil)
    }

    /// alien-env's output: text as UTF-8, all of it, or the reason.
    @Test func writesTextAsUTF8() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let text = "export A='é'\n"
        #expect(POSIXFiles.writeText(text, to: ends[1]) == nil)
        close(ends[1])
        var buffer = [UInt8](repeating: 0, count: 64)
        let got = buffer.withUnsafeMutableBytes { POSIXFiles.readSome(ends[0], into: $0) }
        #expect(Array(buffer[..<max(got, 0)]) == Array(text.utf8))
        #expect(POSIXFiles.writeText("x", to: -1) != nil)
    }
}
