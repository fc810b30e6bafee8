import AlienModel
import Crypto
import Foundation
import Publisher
import Testing
import TestSupport
import Trust

@Suite struct RepositoryRevokeTests {
    private func published() throws -> (Repository, URL, Fixtures.Keys) {
        let keys = Fixtures.Keys()
        var (repository, directory) = try Fixtures.repository("revoke", keys: keys)
        repository.now = Fixtures.now
        var zlib2 = Fixtures.zlib
        zlib2.revision = "2"
        let files = try Fixtures.tarballs([Fixtures.zlib, zlib2, Fixtures.xz, Fixtures.cmake, Fixtures.root])
        try repository.publish(try Repository.inspect(files), signers: keys.online)
        return (repository, directory, keys)
    }

    /// The revocation is a signed target whose bytes and custom are the same document; the
    /// revoked tarball stays defined; the repository verifies as a client reads it.
    @Test func publishesASignedRevocationTarget() throws {
        let (repository, directory, keys) = try published()
        let before = try repository.load()
        let report = try repository.revoke(try PackageID(parsing: "zlib::v1.3.1-2"), reason: "  broken inflate  ", signers: keys.online)
        let zlib2Path = "slc9_x86-64/zlib/zlib-v1.3.1-2.slc9_x86-64.tar.gz"
        #expect(report.revoked.count == 1 && report.alreadyRevoked.isEmpty)
        let revocation = try #require(report.revoked.first)
        #expect(revocation.target == zlib2Path && revocation.reason == "broken inflate" && revocation.time == "2026-01-01T00:00:00Z")
        #expect(revocation.sha256 == before.targets.signed.targets[zlib2Path]?.hashes["sha256"])
        #expect(report.targetsVersion == before.targets.signed.version + 1 && report.timestampVersion == before.timestamp.signed.version + 1)
        let targets = try Fixtures.verify(directory)
        let entry = try #require(targets.targets["revocations/slc9_x86-64/zlib/v1.3.1-2.json"])
        #expect(try PackageRevocation(custom: entry.custom) == revocation)
        #expect(targets.targets[zlib2Path] != nil, "the revoked tarball stays defined")
        let stored = directory.appendingPathComponent("targets/revocations/slc9_x86-64/zlib/\(entry.hashes["sha256"]!).v1.3.1-2.json")
        let bytes = try #require(FileManager.default.contents(atPath: stored.path))
        #expect([UInt8](bytes) == revocation.documentBytes)
        #expect(try repository.revocations() == [revocation])
        // Nothing else reads it as a package.
        #expect(try repository.list().targets.filter { $0.package != nil }.count == 5)
    }

    @Test func revokingTwiceKeepsTheFirstRevocation() throws {
        let (repository, _, keys) = try published()
        let first = try repository.revoke(try PackageID(parsing: "zlib::v1.3.1-1"), reason: "first", signers: keys.online)
        let version = try repository.load().targets.signed.version
        let again = try repository.revoke(try PackageID(parsing: "zlib::v1.3.1-1"), reason: "second", signers: keys.online)
        #expect(again.revoked.isEmpty && again.alreadyRevoked == first.revoked && again.targetsVersion == nil)
        #expect(try repository.load().targets.signed.version == version)
        // A version without revision revokes every revision not revoked yet.
        let all = try repository.revoke(try PackageID(parsing: "zlib::v1.3.1"), reason: "all", signers: keys.online)
        #expect(all.revoked.map(\.revision) == ["2"] && all.alreadyRevoked.map(\.reason) == ["first"])
    }

    @Test func refusesWhatWasNeverPublishedAndBadArguments() throws {
        let (repository, _, keys) = try published()
        let version = try repository.load().targets.signed.version
        for (package, reason) in [("ROOT::v9", "x"), ("ROOT", "x"), ("ROOT::v6-32-06", "   ")] {
            #expect(throws: PublisherError.self, "\(package)") {
                try repository.revoke(try PackageID(parsing: package), reason: reason, signers: keys.online)
            }
        }
        #expect(throws: PublisherError.self) {
            try repository.revoke(try PackageID(parsing: "ROOT::v6-32-06"), reason: "x", arch: "ubuntu2204_x86-64", signers: keys.online)
        }
        do {
            try repository.revoke(try PackageID(parsing: "ROOT::v9"), reason: "x", signers: keys.online)
        } catch {
            #expect("\(error)" == "no defined target matches ROOT::v9")
        }
        // Without the targets key nothing is signed.
        #expect(throws: PublisherError.self) {
            try repository.revoke(try PackageID(parsing: "ROOT::v6-32-06"), reason: "x", signers: Signers([keys.snapshot, keys.timestamp]))
        }
        #expect(try repository.load().targets.signed.version == version)
    }
}
