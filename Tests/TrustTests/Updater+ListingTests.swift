import Foundation
import TestSupport
import Testing
@testable import Trust

/// `Updater.targets(matching:)`: discovery over the top-level role and delegations, never
/// trusting a delegated role for a path outside its delegation.
@Suite struct UpdaterListingTests {
    @Test func listsTopLevelAndDelegatedTargetsWithinTheirDelegations() async throws {
        var repo = try TUFRepositoryFixture()
        try repo.addTarget("slc9_x86-64/zlib/zlib-v1-1.slc9_x86-64.tar.gz", content: Fixtures.bytes("zlib 1"))
        try repo.addTarget("slc9_x86-64/zlib/zlib-v1-2.slc9_x86-64.tar.gz", content: Fixtures.bytes("zlib 2"))
        try repo.addTarget("ubuntu2204_x86-64/zlib/zlib-v1-1.ubuntu2204_x86-64.tar.gz", content: Fixtures.bytes("other arch"))
        let packages = SigningKey.generate()
        try repo.delegate(
            try DelegatedRole(
                name: "ROOT-packages", keyIDs: [packages.keyID], threshold: 1, terminating: true,
                paths: .paths(["*/ROOT/*"])), signers: [packages])
        try repo.addTarget("slc9_x86-64/ROOT/ROOT-v6-1.slc9_x86-64.tar.gz", content: Fixtures.bytes("ROOT"), role: "ROOT-packages")
        // Listed by the delegated role, but outside its delegation: never trusted from there.
        try repo.addTarget("slc9_x86-64/zlib/zlib-v9-1.slc9_x86-64.tar.gz", content: Fixtures.bytes("evil"), role: "ROOT-packages")
        try repo.publish(["targets", "ROOT-packages"])
        let client = try TUFClientHarness(repo)
        defer { client.remove() }
        let updater = client.updater(referenceTime: Fixtures.now)

        let all = try await updater.targets(matching: "slc9_x86-64/")
        #expect(
            all.map(\.path) == [
                "slc9_x86-64/ROOT/ROOT-v6-1.slc9_x86-64.tar.gz", "slc9_x86-64/zlib/zlib-v1-1.slc9_x86-64.tar.gz",
                "slc9_x86-64/zlib/zlib-v1-2.slc9_x86-64.tar.gz"
            ])
        #expect(all.first?.role == "ROOT-packages")
        #expect(try await updater.targets(matching: "slc9_x86-64/zlib/").count == 2)
        #expect(try await updater.targets(matching: "nothing/").isEmpty)
        // The delegated role's metadata was persisted by the walk.
        #expect(FileManager.default.fileExists(atPath: client.metadataDirectory + "/ROOT-packages.json"))
    }
}
