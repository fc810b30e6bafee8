import AlienModel
@testable import Builder
import Foundation
import Testing

@Suite struct RevisionsTests {
    let layout = BuildLayout(
        workDir: FileManager.default.temporaryDirectory.appendingPathComponent("rev-\(UUID().uuidString)"),
        architecture: try! Architecture("slc9_x86-64"))

    func link(_ name: String, _ version: String, _ revision: String, hash: String) throws {
        let directory = layout.linksDirectory(try PackageName(name))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = "\(name)-\(version)-\(revision).slc9_x86-64.tar.gz"
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent(file).path,
            withDestinationPath: "../../slc9_x86-64/store/\(hash.prefix(2))/\(hash)/\(file)")
    }

    @Test func firstBuildIsRevisionOneAndASameHashReusesItsRevision() throws {
        defer { try? FileManager.default.removeItem(at: layout.workDir) }
        let zlib = try PackageName("zlib")
        #expect(Revisions.decide(zlib, version: "v1", hash: "aa11", layout: layout) == .init(revision: "1", reused: false))
        try link("zlib", "v1", "1", hash: "aa11")
        try link("zlib", "v1", "2", hash: "bb22")
        try link("zlib", "v1", "local3", hash: "cc33")
        try link("zlib", "v2", "5", hash: "dd44")
        #expect(Revisions.decide(zlib, version: "v1", hash: "bb22", layout: layout) == .init(revision: "2", reused: true))
        #expect(
            Revisions.decide(zlib, version: "v1", hash: "ee55", layout: layout) == .init(revision: "3", reused: false),
            "local revisions and other versions do not take numbers")
        #expect(Revisions.decide(zlib, version: "v2", hash: "ee55", layout: layout) == .init(revision: "1", reused: false))
    }
}
