import AlienModel
import Forensics
import Foundation
import SoftwareArea
import Testing
import Transport

/// The area's own record of uses (sites without packmand): what names the packages, and which
/// uses a revocation is about.
@Suite struct SoftwareAreaUsageTests {
    static let sha = String(repeating: "d", count: 64)

    static func area(vo: String?) throws -> SoftwareArea {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("alien-usage-\(UUID().uuidString)").path
        return try SoftwareArea.open(root: root, arch: "slc9_x86-64", fetcher: HTTPClient(), vo: vo)
    }

    static func use(_ job: String, _ id: String, sha256: String?) -> UsageRecord {
        UsageRecord(
            kind: .run, started: 1_800_000_000, host: "wn01", uid: 1000, user: "alice", jobID: job,
            packages: [UsageRecord.Package(id: id, sha256: sha256)])
    }

    @Test func idsWithoutOwnerAreTheAreasVOs() throws {
        let area = try Self.area(vo: "VO_PANDA")
        defer { try? FileManager.default.removeItem(atPath: area.layout.root) }
        let used = area.usedPackages([try PackageID(parsing: "PandaRoot::v1-1"), try PackageID(parsing: "VO_CBM@X::v2-1")])
        #expect(used.map(\.id) == ["VO_PANDA@PandaRoot::v1-1", "VO_CBM@X::v2-1"])
    }

    @Test func theUsesOfARevokedBuildAreThoseOfItsIdAndTarball() throws {
        let area = try Self.area(vo: "VO_PANDA")
        defer { try? FileManager.default.removeItem(atPath: area.layout.root) }
        for record in [
            Self.use("j1", "VO_PANDA@PandaRoot::v1-1", sha256: Self.sha),
            Self.use("j2", "VO_PANDA@PandaRoot::v1-2", sha256: Self.sha),  // another revision
            Self.use("j3", "VO_ALICE@PandaRoot::v1-1", sha256: Self.sha),  // another VO's package
            Self.use("j4", "VO_PANDA@PandaRoot::v1-1", sha256: String(repeating: "e", count: 64)),  // other bytes
            Self.use("j5", "VO_PANDA@PandaRoot::v1-1", sha256: Self.sha)
        ] {
            #expect(area.recordUse(record) == nil)
        }
        let revocation = PackageRevocation(
            name: "PandaRoot", version: "v1", revision: "1", arch: "slc9_x86-64", target: "slc9_x86-64/PandaRoot/x.tar.gz",
            sha256: Self.sha.uppercased(), reason: "broken", time: "2027-01-15T08:00:00Z")
        #expect(area.uses(of: revocation).map(\.jobID) == ["j1", "j5"])
        // Without a sha256 in the revocation, its exact id decides.
        var withoutHash = revocation
        withoutHash.sha256 = nil
        #expect(area.uses(of: withoutHash).map(\.jobID) == ["j1", "j4", "j5"])
    }
}
