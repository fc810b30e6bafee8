import Foundation
import Testing
@testable import RepositoryServer

@Suite struct RepositoryRootTests {
    @Test func findsRegularFilesOnly() throws {
        let fixture = try RepositoryFixture(tarballSize: 10)
        defer { fixture.remove() }
        let root = try RepositoryRoot(path: fixture.root.path)
        guard case let .file(file) = root.lookup(["metadata", "1.root.json"]) else {
            Issue.record("1.root.json not found")
            return
        }
        #expect(file.name == "1.root.json")
        #expect(file.size == 55)
        #expect(file.etag.hasPrefix("\"") && file.etag.hasSuffix("\""))
        #expect(Self.kind(root.lookup(["metadata"])) == "notFound", "a directory was served")
        #expect(Self.kind(root.lookup([])) == "notFound", "the root was served")
        #expect(Self.kind(root.lookup(["metadata", "2.root.json"])) == "notFound", "a missing file was found")
        #expect(Self.kind(root.lookup(["metadata", "1.root.json", "x"])) == "notFound", "a file was a directory")
        #expect(mkfifo(fixture.root.appendingPathComponent("fifo").path, 0o644) == 0)
        #expect(Self.kind(root.lookup(["fifo"])) == "notFound", "a FIFO was served")
    }

    @Test func symbolicLinksAreNeverFollowed() throws {
        let fixture = try RepositoryFixture(tarballSize: 10)
        defer { fixture.remove() }
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("alien-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        try Data("secret".utf8).write(to: outside.appendingPathComponent("secret"))
        let fm = FileManager.default
        try fm.createSymbolicLink(
            atPath: fixture.root.appendingPathComponent("metadata/evil.json").path,
            withDestinationPath: outside.appendingPathComponent("secret").path)
        try fm.createSymbolicLink(atPath: fixture.root.appendingPathComponent("out").path, withDestinationPath: outside.path)
        try fm.createSymbolicLink(atPath: fixture.root.appendingPathComponent("inside.json").path, withDestinationPath: "metadata/1.root.json")
        let root = try RepositoryRoot(path: fixture.root.path)
        #expect(Self.kind(root.lookup(["metadata", "evil.json"])) == "forbidden", "file link followed")
        #expect(Self.kind(root.lookup(["out", "secret"])) == "forbidden", "directory link followed")
        #expect(Self.kind(root.lookup(["inside.json"])) == "forbidden", "link inside the root followed")
    }

    @Test func etagChangesWhenTheFileIsReplaced() throws {
        let fixture = try RepositoryFixture(tarballSize: 10)
        defer { fixture.remove() }
        let root = try RepositoryRoot(path: fixture.root.path)
        guard case let .file(before) = root.lookup(["metadata", "timestamp.json"]) else {
            Issue.record("timestamp.json not found")
            return
        }
        try fixture.publishTimestamp(version: 2)
        guard case let .file(after) = root.lookup(["metadata", "timestamp.json"]) else {
            Issue.record("timestamp.json not found after the publish")
            return
        }
        #expect(before.size == after.size)
        #expect(before.etag != after.etag)
    }

    static func kind(_ lookup: Lookup) -> String {
        switch lookup {
        case .file: "file"
        case .notFound: "notFound"
        case .forbidden: "forbidden"
        }
    }

    @Test func aMissingRootIsAnError() {
        #expect(throws: RepositoryServerError.self) { try RepositoryRoot(path: "/nonexistent/alien-repo") }
    }
}
