import Foundation
import TestSupport
import Testing
@testable import Trust

@Suite struct LocalFilesTests {
    @Test func writesAtomicallyWithoutLeavingTemporaryFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/timestamp.json"
        try LocalFiles.writeAtomically(Array("one".utf8), to: path)
        try LocalFiles.writeAtomically(Array("two".utf8), to: path)
        #expect(LocalFiles.readFile(path) == Array("two".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["timestamp.json"])
        #expect(throws: UpdaterError.self) { try LocalFiles.writeAtomically([1], to: directory.path + "/missing/x.json") }
        try LocalFiles.remove(path)
        try LocalFiles.remove(path)
        #expect(LocalFiles.readFile(path) == nil)
    }

    @Test func hashesFilesInBlocks() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let content = [UInt8](repeating: 7, count: 3 << 20)
        try Data(content).write(to: URL(fileURLWithPath: directory.path + "/big"))
        let result = try #require(LocalFiles.digests(of: directory.path + "/big", algorithms: ["sha256"]))
        #expect(result.length == Int64(content.count))
        #expect(result.digests["sha256"] == TUFRepositoryFixture.sha256(content))
        #expect(LocalFiles.digests(of: directory.path, algorithms: ["sha256"]) == nil)
        #expect(LocalFiles.digests(of: directory.path + "/none", algorithms: ["sha256"]) == nil)
    }

    @Test func quotesRoleNamesAsPython() {
        #expect(NameEncoding.quote("bins-0a") == "bins-0a")
        #expect(NameEncoding.quote("a b/c~d_e.f") == "a%20b%2Fc~d_e.f")
        #expect(NameEncoding.quote("é") == "%C3%A9")
        #expect(NameEncoding.quote("..") == "..")
    }

    @Test func acceptsOnlyRelativeTargetPaths() throws {
        #expect(try NameEncoding.targetComponents("a/b.tar") == ["a", "b.tar"])
        #expect(try NameEncoding.targetComponents("..a/b..") == ["..a", "b.."])
        for bad in ["", "/a", "a/../b", "..", "./a", "a//b", "a/", "a\u{0}"] {
            #expect(throws: UpdaterError.self, "\(bad.debugDescription)") { try NameEncoding.targetComponents(bad) }
        }
    }
}
