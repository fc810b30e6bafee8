import Foundation
import Testing
import TestSupport

/// The release manager's commands end to end through the built binary: keys generate →
/// repo init → publish (work dir and tarballs) → repo list --json → undefine → rotate-root →
/// refresh-timestamp, with the errors users see.
@Suite struct PublishCommandTests {
    static let arch = "slc9_x86-64"

    private static func cli(_ arguments: [String]) throws -> Interop.Result {
        try CLITests.cli(arguments)
    }

    private static func json(_ result: Interop.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "not a JSON object: \(result.text)")
    }

    @Test func keysInitPublishListUndefine() throws {
        let base = try Interop.temporaryDirectory("publish-cli")
        let keys = base.appendingPathComponent("keys").path, repo = base.appendingPathComponent("repo").path
        for name in ["root", "targets", "snapshot", "timestamp"] {
            let generated = try Self.cli(["keys", "generate", name, "--dir", keys])
            #expect(generated.status == 0, "\(generated.stderr)")
            #expect(generated.text.trimmingCharacters(in: .newlines).count == 64)
        }
        let again = try Self.cli(["keys", "generate", "root", "--dir", keys])
        #expect(again.status == 1 && again.stderr.contains("root.key already exists"))

        let initialised = try Self.cli([
            "repo", "init", repo, "--root-key", "\(keys)/root.key", "--targets-key", "\(keys)/targets.key",
            "--snapshot-key", "\(keys)/snapshot.key", "--timestamp-key", "\(keys)/timestamp.key",
            "--expires", "timestamp=12h"
        ])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let twice = try Self.cli([
            "repo", "init", repo, "--root-key", "\(keys)/root.key", "--targets-key", "\(keys)/targets.key",
            "--snapshot-key", "\(keys)/snapshot.key", "--timestamp-key", "\(keys)/timestamp.key"
        ])
        #expect(twice.status == 1 && twice.stderr.contains("already holds a repository"))

        // From a work directory: ROOT brings zlib and xz.
        let zlib = FixturePackage(name: "zlib", version: "v1.3.1"), xz = FixturePackage(name: "xz", version: "v5.4.6")
        let root = FixturePackage(name: "ROOT", version: "v6-32-06", requires: [zlib, xz])
        let workDir = base.appendingPathComponent("sw")
        try root.store(in: workDir, arch: Self.arch)
        let published = try Self.cli(["publish", "--repo", repo, "--work-dir", workDir.path, "ROOT::v6-32-06", "--keys-dir", keys, "--json"])
        #expect(published.status == 0, "\(published.stderr)")
        #expect((try Self.json(published)["added"] as? [Any])?.count == 3)
        // A tarball file, with its requirement already published (this one without a piece-hash list).
        let tool = FixturePackage(name: "tool", version: "v1", requires: [zlib])
        let file = try tool.pack(arch: Self.arch, to: base.appendingPathComponent(tool.fileName(arch: Self.arch)))
        let signing = ["--key", "\(keys)/targets.key", "--key", "\(keys)/snapshot.key", "--key", "\(keys)/timestamp.key"]
        let single = try Self.cli(["publish", "--repo", repo, "--no-pieces", file.path] + signing)
        #expect(single.status == 0, "\(single.stderr)")
        #expect(single.text.contains("added     \(tool.targetPath(arch: Self.arch))"))
        let noop = try Self.cli(["publish", "--repo", repo, "--no-pieces", file.path] + signing)
        #expect(noop.text.contains("nothing to publish"))

        let listed = try Self.cli(["repo", "list", repo, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let listing = try Self.json(listed)
        let targets = try #require(listing["targets"] as? [[String: Any]])
        #expect(targets.compactMap { $0["name"] as? String }.sorted() == ["ROOT", "tool", "xz", "zlib"])
        // Piece-hash lists by default: one per package published from the work directory.
        let lists = targets.compactMap { $0["path"] as? String }.filter { $0.hasSuffix(".pieces") }.sorted()
        #expect(lists == [root, xz, zlib].map { $0.targetPath(arch: Self.arch) + ".pieces" }.sorted())
        let roles = try #require(listing["roles"] as? [[String: Any]])
        #expect(roles.map { $0["version"] as? Int } == [1, 3, 3, 3])

        let refused = try Self.cli(["undefine", "--repo", repo, "zlib::v1.3.1"] + signing)
        #expect(refused.status == 1 && refused.stderr.contains("is required by"))
        // The library says what helps; the CLI names its option.
        #expect(refused.stderr.hasSuffix("; undefine those first or pass --force\n"), "\(refused.stderr)")
        let withdrawn = try Self.cli(["undefine", "--repo", repo, "ROOT::v6-32-06", "--json"] + signing)
        #expect(withdrawn.status == 0, "\(withdrawn.stderr)")
        #expect(try Self.json(withdrawn)["removed"] as? [String] == ["\(Self.arch)/ROOT/ROOT-v6-32-06-1.\(Self.arch).tar.gz"])
        let text = try Self.cli(["repo", "list", repo])
        // zlib, xz, tool and the lists of zlib and xz: ROOT's list went with it.
        #expect(text.text.contains("5 target(s)") && !text.text.contains("ROOT v6") && !text.text.contains("ROOT-v6-32-06-1.\(Self.arch).tar.gz.pieces"))
    }

    /// Issue 15 §6: release managers start `publish` at the same moment into one fresh
    /// repository (a directory, or nginx WebDAV), each with its own tarballs. Every run
    /// succeeds, the repository lists every package, and every run got its own versions.
    @Test(arguments: [false, true])
    func concurrentPublishCommandsAllLand(overWebDAV: Bool) throws {
        let publishers = 4, each = 3
        let base = try Interop.temporaryDirectory("publish-concurrent")
        let keys = base.appendingPathComponent("keys").path
        for name in ["root", "targets", "snapshot", "timestamp"] {
            #expect(try Self.cli(["keys", "generate", name, "--dir", keys]).status == 0)
        }
        let served = base.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let server = overWebDAV ? try NginxServer(root: served, writable: true) : nil
        defer { server?.stop() }
        let repo = server.map { $0.baseURL.absoluteString + "/repo" } ?? served.appendingPathComponent("repo").path
        let initialised = try Self.cli([
            "repo", "init", repo, "--root-key", "\(keys)/root.key", "--targets-key", "\(keys)/targets.key",
            "--snapshot-key", "\(keys)/snapshot.key", "--timestamp-key", "\(keys)/timestamp.key"
        ])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        var batches: [[String]] = [], expected: [String] = []
        for publisher in 0..<publishers {
            let directory = base.appendingPathComponent("batch\(publisher)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let packages = (0..<each).map { FixturePackage(name: "p\(publisher)n\($0)", version: "v1") }
            batches.append(try packages.map { try $0.pack(arch: Self.arch, to: directory.appendingPathComponent($0.fileName(arch: Self.arch))).path })
            expected += packages.map(\.name)
        }
        let signing = ["--key", "\(keys)/targets.key", "--key", "\(keys)/snapshot.key", "--key", "\(keys)/timestamp.key"]
        // One thread per process, all started together (not a pool that runs them by twos).
        let results = Locked<[Int: Interop.Result]>([:])
        let done = DispatchGroup()
        for index in 0..<publishers {
            done.enter()
            let arguments = ["publish", "--repo", repo, "--no-pieces", "--json"] + batches[index] + signing
            Thread {
                if let result = try? Self.cli(arguments) { results.withLock { $0[index] = result } }
                done.leave()
            }.start()
        }
        done.wait()
        var versions: [Int] = []
        for index in 0..<publishers {
            let result = try #require(results.withLock { $0[index] }, "publisher \(index) did not run")
            #expect(result.status == 0, "publisher \(index): \(result.stderr)")
            let report = try Self.json(result)
            #expect((report["added"] as? [Any])?.count == each)
            versions.append(try #require(report["targets_version"] as? Int, "\(report)"))
        }
        #expect(versions.sorted() == Array(2...publishers + 1), "\(versions)")
        let listed = try Self.cli(["repo", "list", repo, "--json"])
        let targets = try #require(try Self.json(listed)["targets"] as? [[String: Any]])
        #expect(targets.compactMap { $0["name"] as? String }.sorted() == expected.sorted())
        let roles = try #require(try Self.json(listed)["roles"] as? [[String: Any]])
        #expect(roles.map { $0["version"] as? Int } == [1, publishers + 1, publishers + 1, publishers + 1])
    }

    @Test func rotateAndRefresh() throws {
        let base = try Interop.temporaryDirectory("rotate-cli")
        let keys = base.appendingPathComponent("keys").path, repo = base.appendingPathComponent("repo").path
        for name in ["root1", "root2", "targets", "snapshot", "timestamp", "timestamp2"] {
            #expect(try Self.cli(["keys", "generate", name, "--dir", keys]).status == 0)
        }
        #expect(
            try Self.cli([
                "repo", "init", repo, "--root-key", "\(keys)/root1.key", "--targets-key", "\(keys)/targets.key",
                "--snapshot-key", "\(keys)/snapshot.key", "--timestamp-key", "\(keys)/timestamp.key"
            ]).status == 0)
        let rotated = try Self.cli([
            "repo", "rotate-root", repo, "--old-root-key", "\(keys)/root1.key", "--root-key", "\(keys)/root2.key",
            "--timestamp-key", "\(keys)/timestamp2.key", "--json"
        ])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(try Self.json(rotated)["root_version"] as? Int == 2)
        let stale = try Self.cli(["repo", "refresh-timestamp", repo, "--timestamp-key", "\(keys)/timestamp.key"])
        #expect(stale.status == 1 && stale.stderr.contains("role timestamp needs signatures from 1"))
        let idle = try Self.cli(["repo", "refresh-timestamp", repo, "--timestamp-key", "\(keys)/timestamp2.key", "--if-expiring-within", "1h"])
        #expect(idle.status == 0 && idle.text.contains("nothing done"))
        let refreshed = try Self.cli(["repo", "refresh-timestamp", repo, "--timestamp-key", "\(keys)/timestamp2.key", "--json"])
        #expect(try Self.json(refreshed)["version"] as? Int == 3)
        let badKey = base.appendingPathComponent("bad.key")
        try "{}".write(to: badKey, atomically: true, encoding: .utf8)
        let bad = try Self.cli(["repo", "refresh-timestamp", repo, "--timestamp-key", badKey.path])
        #expect(bad.status == 1 && bad.stderr.contains(badKey.path))
    }
}

/// A value shared by the threads of a test.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&value) } }
}
