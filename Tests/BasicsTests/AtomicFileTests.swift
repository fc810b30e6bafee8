#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Basics

@Suite struct AtomicFileTests {
    @Test func replacesAndLeavesNoTemporaryFile() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = "\(folder.path)/state.json"
        try AtomicFile.write(Array("one".utf8), to: path)
        try AtomicFile.write(Array("two".utf8), to: path)
        #expect(folder.read("state.json") == Array("two".utf8))
        #expect(folder.names() == ["state.json"])
    }

    @Test func createOnlyNeverReplaces() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = "\(folder.path)/1.root.json"
        #expect(try AtomicFile.write(Array("first".utf8), to: path, placement: .createOnly))
        #expect(try AtomicFile.write(Array("second".utf8), to: path, placement: .createOnly) == false)
        #expect(folder.read("1.root.json") == Array("first".utf8))
        #expect(folder.names() == ["1.root.json"])
    }

    @Test func createsFoldersWhenAsked() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        #expect(throws: AtomicFileError.self) { try AtomicFile.write([1], to: "\(folder.path)/a/b/c") }
        try AtomicFile.write([1, 2], to: "\(folder.path)/a/b/c", createDirectories: true, flush: nil, syncDirectory: false)
        #expect(folder.read("a/b/c") == [1, 2])
    }

    @Test func modeIsApplied() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        // 0600 survives any usual umask (022, 077); the umask is the process's, not changed here.
        try AtomicFile.write([0], to: "\(folder.path)/key", mode: 0o600)
        var status = stat()
        #expect(stat("\(folder.path)/key", &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
    }

    @Test func failingFillRemovesTheTemporaryFileAndKeepsTheOldContent() throws {
        struct Refused: Error, Equatable { var step = "" }
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = "\(folder.path)/file"
        try AtomicFile.write(Array("old".utf8), to: path)
        #expect(throws: Refused()) {
            try AtomicFile.write(to: path, wrap: { Refused(step: $0.operation) }) { (descriptor, _) throws(Refused) in
                _ = FileIO.writeAll(descriptor, Array("partial".utf8))
                throw Refused()
            }
        }
        #expect(folder.read("file") == Array("old".utf8))
        #expect(folder.names() == ["file"])
    }

    @Test func failingFlushIsReportedThroughWrap() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let path = "\(folder.path)/file"
        do {
            try AtomicFile.write([1], to: path, flush: { _ in EIO })
            Issue.record("a failing flush must fail the write")
        } catch {
            #expect(error.operation == "sync")
            #expect(error.path.hasPrefix("\(folder.path)/.file."))
        }
        #expect(folder.names().isEmpty)
    }

    @Test func unwritableFolderNamesTheTemporaryFile() {
        do {
            try AtomicFile.write([1], to: "/nonexistent-basics-folder/file")
            Issue.record("no folder, no file")
        } catch {
            #expect(error.operation == "create")
            #expect(error.description.contains("/nonexistent-basics-folder/.file."))
        }
    }

    @Test func splitsPaths() {
        #expect(AtomicFile.split("name") == (".", "name"))
        #expect(AtomicFile.split("/name") == ("/", "name"))
        #expect(AtomicFile.split("a/b/name") == ("a/b", "name"))
    }

    @Test func makeDirectoriesReportsAFileInTheWay() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        try AtomicFile.write([1], to: "\(folder.path)/plain")
        #expect(AtomicFile.makeDirectories("\(folder.path)/plain/below") != nil)
        #expect(AtomicFile.makeDirectories("\(folder.path)/x/y") == nil)
        #expect(AtomicFile.makeDirectories("\(folder.path)/x/y") == nil)
    }
}
