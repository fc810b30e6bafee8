import AlienModel
import Foundation
import Testing
import Trust
@testable import SoftwareArea

/// The install record: written and read back, inventory of files and links, refusals.
@Suite struct InstallRecordTests {
    @Test func roundTripsAndInventoriesFilesAndLinks() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: "\(directory)/lib", withIntermediateDirectories: true)
        try "abc".write(toFile: "\(directory)/lib/libz.so.1", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(directory)/lib/libz.so", withDestinationPath: "libz.so.1")
        let files = try InstallRecord.inventory(of: directory)
        #expect(files.map(\.path) == ["lib/libz.so", "lib/libz.so.1"])
        #expect(files[0].link == "libz.so.1" && files[0].sha256 == nil)
        #expect(files[1].size == 3 && files[1].sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")

        let record = InstallRecord(
            package: try PackageBuild(parsing: "zlib/v1-2"), arch: "slc9_x86-64",
            target: "slc9_x86-64/zlib/zlib-v1-2.slc9_x86-64.tar.gz", length: 10, hashes: ["sha256": "00"],
            custom: .object(["full_requires": .array([.string("a/b/c.tar.gz")])]), installedAt: 5,
            prefix: directory, files: files)
        let path = "\(directory)/\(InstallRecord.fileName)"
        try Data(record.json.compactJSONBytes).write(to: URL(fileURLWithPath: path))
        let read = try InstallRecord(path: path)
        #expect(read == record)
        #expect(read.requires == ["a/b/c.tar.gz"] && read.size == 3)
        #expect(try InstallRecord.inventory(of: directory).count == 2, "the record itself is not listed")

        try Data("{\"package\": 1}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: SoftwareAreaError.badFile(path: path, reason: "field 'package' is missing or malformed")) {
            try InstallRecord(path: path)
        }
    }
}
