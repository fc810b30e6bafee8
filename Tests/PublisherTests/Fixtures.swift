import AlienModel
import Crypto
import Foundation
import Publisher
import Testing
import TestSupport
import Trust

/// Keys, temporary directories and an independent check of a published repository.
enum Fixtures {
    static let arch = "slc9_x86-64"
    /// 2026-01-01T00:00:00Z: a fixed signing time for tests that look at expiries.
    static let now = Expiry(secondsSince1970: 1_767_225_600)

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("alien-publisher-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A fresh set of role keys.
    struct Keys {
        var root = [SigningKey.generate(), SigningKey.generate()]
        var targets = SigningKey.generate()
        var snapshot = SigningKey.generate()
        var timestamp = SigningKey.generate()
        var online: Signers { Signers([targets, snapshot, timestamp]) }
    }

    /// A repository initialised in a new directory (root threshold 2 of 2).
    static func repository(_ name: String, keys: Keys) throws -> (Repository, URL) {
        let directory = try temporaryDirectory(name).appendingPathComponent("repo")
        let repository = Repository(store: RepositoryStore(location: directory.path, synchronize: false))
        try repository.initialize(
            rootKeys: keys.root, rootThreshold: 2, targetsKey: keys.targets, snapshotKey: keys.snapshot,
            timestampKey: keys.timestamp)
        return (repository, directory)
    }

    /// Packs `packages` (each alone, not their closures) as tarball files in a new directory.
    static func tarballs(_ packages: [FixturePackage]) throws -> [URL] {
        let directory = try temporaryDirectory("tarballs")
        return try packages.map { try $0.pack(arch: arch, to: directory.appendingPathComponent($0.fileName(arch: arch))) }
    }

    static let zlib = FixturePackage(name: "zlib", version: "v1.3.1")
    static let xz = FixturePackage(name: "xz", version: "v5.4.6")
    static let cmake = FixturePackage(name: "CMake", version: "v3.28.1")
    /// Needs CMake to build: its init.sh sources CMake's, as aliBuild's does, so CMake is in its
    /// install closure and must be published with it.
    static let root = FixturePackage(name: "ROOT", version: "v6-32-06", requires: [zlib, xz], buildRequires: [cmake])

    /// Checks a repository as a client would, from the bytes on disk, without the Publisher:
    /// the root chain from 1.root.json, timestamp → snapshot → targets by version, length and
    /// sha256, signatures by threshold, and every target file present with its length and hash.
    /// Returns the verified targets.
    @discardableResult
    static func verify(_ directory: URL) throws -> Targets {
        func read(_ name: String) throws -> [UInt8] {
            let url = directory.appendingPathComponent("metadata/\(name)")
            guard let data = FileManager.default.contents(atPath: url.path) else { throw Failure("\(url.path) is missing") }
            return [UInt8](data)
        }
        var root = try Metadata<Root>(bytes: try read("1.root.json"))
        try root.signed.verify(root, as: "root")
        while FileManager.default.fileExists(atPath: directory.appendingPathComponent("metadata/\(root.signed.version + 1).root.json").path) {
            let next = try Metadata<Root>(bytes: try read("\(root.signed.version + 1).root.json"))
            try root.signed.verify(next, as: "root")
            try next.signed.verify(next, as: "root")
            #expect(next.signed.version == root.signed.version + 1)
            root = next
        }
        #expect(try read("root.json") == root.serialized())
        #expect(root.signed.consistentSnapshot == true)
        let timestamp = try Metadata<Timestamp>(bytes: try read("timestamp.json"))
        try root.signed.verify(timestamp, as: "timestamp")
        let meta = timestamp.signed.snapshotMeta
        let snapshotBytes = try read("\(meta.version).snapshot.json")
        #expect(meta.length == Int64(snapshotBytes.count))
        #expect(meta.hashes?["sha256"] == Hex.lowercase(SHA256.hash(data: snapshotBytes)))
        let snapshot = try Metadata<Snapshot>(bytes: snapshotBytes)
        try root.signed.verify(snapshot, as: "snapshot")
        guard let targetsMeta = snapshot.signed.meta["targets.json"] else { throw Failure("snapshot without targets.json") }
        let targetsBytes = try read("\(targetsMeta.version).targets.json")
        #expect(targetsMeta.hashes?["sha256"] == Hex.lowercase(SHA256.hash(data: targetsBytes)))
        let targets = try Metadata<Targets>(bytes: targetsBytes)
        try root.signed.verify(targets, as: "targets")
        #expect(targets.signed.version == targetsMeta.version)
        for (path, file) in targets.signed.targets {
            let sha256 = try #require(file.hashes["sha256"])
            let stored = directory.appendingPathComponent(PackageTarball.storedPath(targetPath: path, sha256: sha256))
            let data = try #require(FileManager.default.contents(atPath: stored.path), "\(stored.path) missing")
            #expect(Int64(data.count) == file.length)
            #expect(Hex.lowercase(SHA256.hash(data: data)) == sha256)
        }
        return targets.signed
    }

    static func sha256(_ data: Data) -> String { Hex.lowercase(SHA256.hash(data: data)) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
