import AlienModel
import Foundation
import SoftwareArea
import Testing
import TestSupport

/// `verify` re-hashes against the install record; `repair` reinstalls atomically.
@Suite struct SoftwareAreaVerifyTests {
    @Test func detectsChangesAndRepairs() async throws {
        let fixture = try AreaFixture("verify")
        defer { fixture.cleanUp() }
        try fixture.publish([SoftwareAreaTests.zlib])
        let area = try fixture.area()
        _ = try await area.install([try PackageID(parsing: "zlib")])
        #expect(try area.verify().allSatisfy(\.ok))

        let prefix = "\(fixture.areaPath())/\(AreaFixture.arch)/zlib/v1.3.1-1"
        try "changed\n".write(toFile: "\(prefix)/share/payload.txt", atomically: false, encoding: .utf8)
        try "x".write(toFile: "\(prefix)/extra", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: "\(prefix)/bin/zlib-hello")
        let results = try area.verify(PackageID(parsing: "zlib"))
        let problems = try #require(results.first?.problems)
        #expect(problems.contains("share/payload.txt: size expected 14, got 8"))
        #expect(problems.contains("bin/zlib-hello: missing"))
        #expect(problems.contains("extra: not in the install record"))

        let repaired = try await area.repair(results)
        #expect(repaired.map(\.status) == [.replaced])
        #expect(try area.verify().allSatisfy(\.ok))
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/trash").isEmpty)
        #expect(throws: SoftwareAreaError.notInstalled("xz")) { try area.verify(PackageID(parsing: "xz")) }
    }
}
