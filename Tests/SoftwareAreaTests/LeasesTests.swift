import AlienModel
import Foundation
import SoftwareArea
import Testing
import TestSupport

/// Leases: acquire (and extend), partial and full release, expiry, holder names.
@Suite struct LeasesTests {
    @Test func acquireExtendReleaseExpire() async throws {
        let fixture = try AreaFixture("leases")
        defer { fixture.cleanUp() }
        try fixture.publish([SoftwareAreaTests.zlib, SoftwareAreaTests.xz])
        var area = try fixture.area()
        _ = try await area.install([try PackageID(parsing: "zlib"), try PackageID(parsing: "xz")])
        let now = Int64(Date().timeIntervalSince1970)
        area.clock = { now }

        let first = try area.acquireLease(holder: "job-1", packages: [PackageID(parsing: "zlib")], ttl: 100)
        #expect(first.packages == ["zlib/v1.3.1-1"] && first.expires == now + 100)
        let extended = try area.acquireLease(holder: "job-1", packages: [PackageID(parsing: "VO_ALICE@xz::v5.4.6-1")], ttl: 300)
        #expect(extended.packages == ["zlib/v1.3.1-1", "xz/v5.4.6-1"] && extended.expires == now + 300)
        try area.acquireLease(holder: "job-2", packages: [PackageID(parsing: "xz")], ttl: 50)
        #expect(area.liveLeases().map(\.holder) == ["job-1", "job-2"])

        // A version is matched whole: `xz::v5` and `zlib::v1` release nothing.
        #expect(
            try area.releaseLease(holder: "job-1", packages: [PackageID(parsing: "xz::v5"), PackageID(parsing: "zlib::v1")])?.packages
                == ["zlib/v1.3.1-1", "xz/v5.4.6-1"])
        let partial = try area.releaseLease(holder: "job-1", packages: [PackageID(parsing: "zlib::v1.3.1")])
        #expect(partial?.packages == ["xz/v5.4.6-1"])
        #expect(try area.releaseLease(holder: "job-1") == nil)

        area.clock = { now + 51 }
        #expect(area.liveLeases().isEmpty, "job-2's lease expired")
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/leases").filter { $0.hasSuffix(".json") }.isEmpty)

        #expect(throws: SoftwareAreaError.notInstalled("ROOT")) {
            try area.acquireLease(holder: "job-3", packages: [PackageID(parsing: "ROOT")], ttl: 10)
        }
        #expect(throws: SoftwareAreaError.self) { try area.acquireLease(holder: "../etc", packages: [], ttl: 10) }
        #expect(throws: SoftwareAreaError.self) { try area.acquireLease(holder: "job", packages: [], ttl: 0) }
        // A huge TTL is refused with its bound, not an arithmetic trap.
        #expect(throws: SoftwareAreaError.invalidArgument(name: "ttl", expected: "seconds from 1 to 31622400 (366 days)", got: "9223372036854775807")) {
            try area.acquireLease(holder: "job", packages: [PackageID(parsing: "zlib")], ttl: .max)
        }
    }
}
