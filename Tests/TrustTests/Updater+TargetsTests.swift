import Foundation
import TestSupport
import Testing
@testable import Trust

@Suite struct UpdaterTargetsTests {
    private let now = Fixtures.now
    private typealias Repo = TUFRepositoryFixture

    private func info(_ updater: Updater, _ path: String) async throws -> TargetInfo {
        try #require(try await updater.targetInfo(for: path))
    }

    @Test func doesNotDownloadACachedTargetAgain() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)  // downloaded pkgs/zlib.tar
        defer { client.remove() }
        let url = repo.targetURL("pkgs/zlib.tar")
        #expect(repo.store.requestCount(url) == 1)
        let updater = client.updater(referenceTime: now)
        let target = try await info(updater, "pkgs/zlib.tar")
        #expect(await updater.cachedTarget(target, in: client.targetDirectory) == client.targetDirectory + "/pkgs/zlib.tar")
        #expect(try await updater.downloadTarget(target, to: client.targetDirectory) == client.targetDirectory + "/pkgs/zlib.tar")
        #expect(repo.store.requestCount(url) == 1)
    }

    @Test func replacesALocalFileWhoseContentIsStale() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let path = client.targetDirectory + "/pkgs/zlib.tar"
        try Data("zlib 1.2".utf8).write(to: URL(fileURLWithPath: path))
        let updater = client.updater(referenceTime: now)
        let target = try await info(updater, "pkgs/zlib.tar")
        #expect(await updater.cachedTarget(target, in: client.targetDirectory) == nil)
        _ = try await updater.downloadTarget(target, to: client.targetDirectory)
        #expect(FileManager.default.contents(atPath: path) == Data("zlib 1.3".utf8))
        #expect(repo.store.requestCount(repo.targetURL("pkgs/zlib.tar")) == 2)
    }

    @Test func refusesATargetWithAnotherHashOrLength() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)
        let target = try await info(updater, "pkgs/root.tar")  // "ROOT v6-32", 10 bytes
        let url = repo.targetURL("pkgs/root.tar")
        let evil = Fixtures.bytes("ROOT v6-99")
        repo.store[url] = evil
        await Fixtures.expectRefused(
            client,
            .hashMismatch(
                name: "pkgs/root.tar", algorithm: "sha256",
                expected: Repo.sha256(Fixtures.bytes("ROOT v6-32")), got: Repo.sha256(evil))
        ) {
            _ = try await updater.downloadTarget(target, to: client.targetDirectory)
        }
        repo.store[url] = Fixtures.bytes("ROOT")
        await Fixtures.expectRefused(client, .lengthMismatch(name: "pkgs/root.tar", expected: 10, got: 4)) {
            _ = try await updater.downloadTarget(target, to: client.targetDirectory)
        }
        // Endless data: more bytes than the metadata allows are not even stored.
        repo.store[url] = [UInt8](repeating: 0x41, count: 1_000_000)
        await Fixtures.expectRefused(client, .fetch(role: "pkgs/root.tar", .tooLarge(url: url, limit: 10))) {
            _ = try await updater.downloadTarget(target, to: client.targetDirectory)
        }
    }

    /// Several targets at once: results in the order asked, a refused one does not stop the
    /// others, a cached one is not fetched again, and no temporary file is left behind.
    @Test func downloadsSeveralTargetsAtOnceInOrder() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)  // downloaded pkgs/zlib.tar
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)
        let zlib = try await info(updater, "pkgs/zlib.tar"), root = try await info(updater, "pkgs/root.tar")
        var wrong = root
        wrong.file.hashes["sha256"] = String(repeating: "0", count: 64)
        let results = await updater.downloadTargets([root, wrong, zlib, root], to: client.targetDirectory, concurrency: 2)
        #expect(results.count == 4)
        #expect(try results[0].get() == client.targetDirectory + "/pkgs/root.tar")
        #expect(throws: UpdaterError.self) { try results[1].get() }
        #expect(try results[2].get() == client.targetDirectory + "/pkgs/zlib.tar")
        #expect(try results[3].get() == client.targetDirectory + "/pkgs/root.tar")
        #expect(FileManager.default.contents(atPath: client.targetDirectory + "/pkgs/root.tar") == Data("ROOT v6-32".utf8))
        #expect(repo.store.requestCount(repo.targetURL("pkgs/zlib.tar")) == 1, "the cached target is not fetched again")
        let left = try FileManager.default.contentsOfDirectory(atPath: client.targetDirectory).filter { $0 != "pkgs" }
        #expect(left.isEmpty, "no temporary file is left: \(left)")
    }

    @Test func checksEveryRecordedHash() async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)
        var target = try await info(updater, "pkgs/root.tar")
        target.file.hashes["sha512"] = String(repeating: "0", count: 128)
        await Fixtures.expectRefused(
            client, "a wrong sha512",
            matching: {
                if case .hashMismatch("pkgs/root.tar", "sha512", _, _) = $0 { true } else { false }
            }
        ) { _ = try await updater.downloadTarget(target, to: client.targetDirectory) }
        target.file.hashes = ["md5": "00"]
        await Fixtures.expectRefused(client, .unsupportedHash(name: "pkgs/root.tar", algorithm: "md5")) {
            _ = try await updater.downloadTarget(target, to: client.targetDirectory)
        }
    }

    @Test(arguments: ["../evil", "/etc/passwd", "a//b", "a/./b", "a/../../b", "a/", "", "a\u{0}b", "."])
    func refusesTargetPathsOutsideTheDirectory(path: String) async throws {
        var repo = try Repo()
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)
        let file = try TargetFile(length: 1, hashes: ["sha256": Repo.sha256([0x41])])
        let target = TargetInfo(path: path, file: file, role: "targets")
        await Fixtures.expectRefused(
            client, "path \(path.debugDescription)",
            matching: {
                if case .invalidTargetPath(path, _) = $0 { true } else { false }
            }
        ) { _ = try await updater.downloadTarget(target, to: client.targetDirectory) }
        #expect(await updater.cachedTarget(target, in: client.targetDirectory) == nil)
    }

    @Test func refusesATraversingPathListedInSignedMetadata() async throws {
        var repo = try Repo()
        try repo.addTarget("../outside", content: Fixtures.bytes("x"))
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)
        let target = try await info(updater, "../outside")
        await Fixtures.expectRefused(
            client, "signed ../outside",
            matching: {
                if case .invalidTargetPath("../outside", _) = $0 { true } else { false }
            }
        ) { _ = try await updater.downloadTarget(target, to: client.targetDirectory) }
        #expect(!FileManager.default.fileExists(atPath: client.targetDirectory + "/../outside"))
    }

    @Test func createsSubdirectoriesAndNeedsATargetBaseURL() async throws {
        var repo = try Repo()
        try repo.addTarget("el9/x86_64/ROOT/v6/root.tar", content: Fixtures.bytes("deep"))
        let client = try await Fixtures.refreshedClient(&repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: now)
        let target = try await info(updater, "el9/x86_64/ROOT/v6/root.tar")
        let path = try await updater.downloadTarget(target, to: client.targetDirectory)
        #expect(path == client.targetDirectory + "/el9/x86_64/ROOT/v6/root.tar")
        #expect(FileManager.default.contents(atPath: path) == Data("deep".utf8))
        // Only the final file and its directories: no temporary files left.
        let names = try FileManager.default.contentsOfDirectory(atPath: client.targetDirectory).sorted()
        #expect(names == ["el9", "pkgs"])

        let noBase = Updater(
            metadataDirectory: client.metadataDirectory, metadataBaseURL: Repo.metadataBaseURL, targetBaseURL: nil,
            fetcher: repo.fetcher(), referenceTime: now)
        let other = try await info(noBase, "pkgs/root.tar")
        await Fixtures.expectRefused(client, .noTargetBaseURL) { _ = try await noBase.downloadTarget(other, to: client.targetDirectory) }
    }
}
