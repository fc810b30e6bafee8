import AlienModel
import Foundation
import Publisher
import Tarballs
import Testing
import TestSupport

@Suite struct PackageTarballTests {
    @Test func readsTheBuildersRecord() throws {
        let file = try Fixtures.tarballs([Fixtures.root])[0]
        let package = try PackageTarball.inspect(file)
        #expect(package.record.package == PackageProvenance.Package(name: "ROOT", version: "v6-32-06", revision: "1", hash: Fixtures.root.hash))
        #expect(package.record.arch == Fixtures.arch)
        #expect(package.record.requires.map(\.name) == ["zlib", "xz", "CMake"])
        #expect(package.record.fullRequires.map(\.name) == ["zlib", "xz", "CMake"])
        #expect(package.record.buildRequires.map(\.name) == ["CMake"])
        let data = try Data(contentsOf: file)
        #expect(package.length == Int64(data.count))
        #expect(package.sha256 == Fixtures.sha256(data))
        #expect(package.storedPath == "targets/slc9_x86-64/ROOT/\(package.sha256).ROOT-v6-32-06-1.slc9_x86-64.tar.gz")
    }

    @Test func refusesTarballsWithoutARecord() throws {
        let directory = try Fixtures.temporaryDirectory("plain")
        let tree = directory.appendingPathComponent("tree/slc9_x86-64/zlib/v1-1")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try "x".write(to: tree.appendingPathComponent("README"), atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("zlib-v1-1.slc9_x86-64.tar.gz")
        _ = try TarballWriter(compression: .gzip, synchronize: false).pack(directory: directory.appendingPathComponent("tree").path, to: output.path)
        do {
            _ = try PackageTarball.inspect(output)
            Issue.record("a tarball without .meta.json was accepted")
        } catch {
            #expect(String(describing: error).contains(output.path))
            #expect(String(describing: error).contains(".meta.json"))
        }
        let garbage = directory.appendingPathComponent("junk.tar.gz")
        try Data("not a tarball".utf8).write(to: garbage)
        #expect(throws: PublisherError.self) { try PackageTarball.inspect(garbage) }
        #expect(throws: PublisherError.self) { try PackageTarball.inspect(directory.appendingPathComponent("README.txt")) }
    }

    @Test func malformedRecordsAreNamed() throws {
        #expect(throws: PublisherError.self) { try PackageRecord(metaJSON: Array("{}".utf8), source: "x") }
        do {
            _ = try PackageRecord(metaJSON: Array(#"{"architecture":"a_b","package":{"name":"z","version":"","revision":"1"}}"#.utf8), source: "f.tar.gz")
            Issue.record("empty version accepted")
        } catch {
            #expect(String(describing: error) == "f.tar.gz: .meta.json: package.version: expected a non-empty string, got string")
        }
    }
}
