import AlienModel
import Foundation
import Publisher
import Testing
import TestSupport
import Trust

@Suite struct RepositoryUndefineTests {
    private func published() throws -> (Repository, URL, Fixtures.Keys) {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("undefine", keys: keys)
        var zlib2 = Fixtures.zlib
        zlib2.revision = "2"
        let files = try Fixtures.tarballs([Fixtures.zlib, zlib2, Fixtures.xz, Fixtures.cmake, Fixtures.root])
        try repository.publish(try Repository.inspect(files), signers: keys.online)
        return (repository, directory, keys)
    }

    @Test func refusesWhileRequiredUnlessForced() throws {
        let (repository, directory, keys) = try published()
        do {
            try repository.undefine(try PackageID(parsing: "xz::v5.4.6"), signers: keys.online)
            Issue.record("xz was undefined under ROOT")
        } catch {
            #expect(String(describing: error).contains("is required by slc9_x86-64/ROOT/ROOT-v6-32-06-1.slc9_x86-64.tar.gz"))
        }
        #expect(try repository.load().targets.signed.targets.count == 5)
        let forced = try repository.undefine(try PackageID(parsing: "xz::v5.4.6"), force: true, signers: keys.online)
        #expect(forced.removed == [Fixtures.xz.targetPath(arch: Fixtures.arch)])
        #expect(try Fixtures.verify(directory).targets.count == 4)
    }

    @Test func versionOrRevision() throws {
        let (repository, directory, keys) = try published()
        let one = try repository.undefine(try PackageID(parsing: "zlib::v1.3.1-2"), signers: keys.online)
        #expect(one.removed == ["slc9_x86-64/zlib/zlib-v1.3.1-2.slc9_x86-64.tar.gz"])
        try repository.undefine(try PackageID(parsing: "ROOT::v6-32-06"), signers: keys.online)
        let all = try repository.undefine(try PackageID(parsing: "VO_ALICE@zlib::v1.3.1"), signers: keys.online)
        #expect(all.removed == ["slc9_x86-64/zlib/zlib-v1.3.1-1.slc9_x86-64.tar.gz"])
        let targets = try Fixtures.verify(directory)
        #expect(Set(targets.targets.keys) == [Fixtures.xz.targetPath(arch: Fixtures.arch), Fixtures.cmake.targetPath(arch: Fixtures.arch)])
        #expect(all.targetsVersion == 5)
    }

    @Test func unknownOrVersionlessIsRefused() throws {
        let (repository, _, keys) = try published()
        #expect(throws: PublisherError.self) { try repository.undefine(try PackageID(parsing: "ROOT::v9"), signers: keys.online) }
        #expect(throws: PublisherError.self) { try repository.undefine(try PackageID(parsing: "ROOT"), signers: keys.online) }
        #expect(throws: PublisherError.self) {
            try repository.undefine(try PackageID(parsing: "ROOT::v6-32-06"), arch: "ubuntu2204_x86-64", signers: keys.online)
        }
    }
}
