import AlienModel
import Foundation
import SoftwareArea
import Testing
import TestSupport

/// `remove` and `gc`: refusals (leased, needed), rename-to-trash, least recently used first.
@Suite struct SoftwareAreaRemoveTests {
    static func installed(_ name: String) async throws -> (AreaFixture, SoftwareArea) {
        let fixture = try AreaFixture(name)
        try fixture.publish([SoftwareAreaTests.zlib, SoftwareAreaTests.xz, SoftwareAreaTests.root])
        let area = try fixture.area()
        _ = try await area.install([try PackageID(parsing: "ROOT")])
        return (fixture, area)
    }

    @Test func removeRefusesWhileNeededOrLeasedUnlessForced() async throws {
        let (fixture, area) = try await Self.installed("remove")
        defer { fixture.cleanUp() }
        #expect {
            try area.remove(PackageID(parsing: "zlib"))
        } throws: { error in
            "\(error)" == "zlib/v1.3.1-1: needed by installed ROOT/v6-32-06-1; not removed"
        }
        try area.acquireLease(holder: "job-42", packages: [PackageID(parsing: "ROOT")], ttl: 600)
        #expect {
            try area.remove(PackageID(parsing: "ROOT"))
        } throws: { error in
            "\(error)" == "ROOT/v6-32-06-1: leased by job-42; not removed"
        }
        try area.releaseLease(holder: "job-42")
        #expect(try area.remove(PackageID(parsing: "ROOT")).description == "ROOT/v6-32-06-1")
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.areaPath())/\(AreaFixture.arch)/ROOT/v6-32-06-1"))
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/trash").isEmpty)
        // zlib is needed by nothing now.
        try area.remove(PackageID(parsing: "zlib::v1.3.1"))
        #expect(area.installed().map(\.key.name.rawValue) == ["xz"])
        #expect(throws: SoftwareAreaError.notInstalled("zlib")) { try area.remove(PackageID(parsing: "zlib")) }

        // --force removes a needed package.
        _ = try await area.install([try PackageID(parsing: "ROOT")])
        try area.remove(PackageID(parsing: "xz"), force: true)
        #expect(!area.installed().contains { $0.key.name.rawValue == "xz" })
    }

    @Test func gcRemovesLeastRecentlyUsedFirstAndNeverLeasedOrNeeded() async throws {
        let fixture = try AreaFixture("gc")
        defer { fixture.cleanUp() }
        let packages = ["a", "b", "c", "d"].map { FixturePackage(name: $0, version: "v1") }
        try fixture.publish(packages)
        let now = Int64(Date().timeIntervalSince1970)
        var area = try fixture.area()
        _ = try await area.install(packages.map { try PackageID(parsing: $0.name) })
        // Last use: a oldest, then b, c, d.
        for (index, name) in ["a", "b", "c", "d"].enumerated() {
            area.clock = { now - 1000 + Int64(index) * 100 }
            area.touch(try PackageBuild(parsing: "\(name)/v1-1"))
        }
        area.clock = { now }
        try area.acquireLease(holder: "job", packages: [PackageID(parsing: "a")], ttl: 60)
        let sizes = Dictionary(uniqueKeysWithValues: area.installed().map { ($0.key.name.rawValue, $0.record.size) })
        let total = sizes.values.reduce(0, +)

        let dry = try area.collectGarbage(budget: total - 1, dryRun: true)
        #expect(dry.removed.map(\.name.rawValue) == ["b"])
        #expect(area.installed().count == 4)

        let report = try area.collectGarbage(budget: sizes["d"]! + sizes["a"]!)
        #expect(report.removed.map(\.name.rawValue) == ["b", "c"])
        #expect(area.installed().map(\.key.name.rawValue) == ["a", "d"])
        // Budget 0: everything but the leased package goes.
        let all = try area.collectGarbage(budget: 0)
        #expect(all.removed.map(\.name.rawValue) == ["d"])
        #expect(all.sizeAfter == sizes["a"]!)
        // An expired lease protects nothing.
        area.clock = { now + 120 }
        #expect(try area.collectGarbage(budget: 0).removed.map(\.name.rawValue) == ["a"])
        #expect(area.liveLeases().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.areaPath())/.alien/leases/job.json"))
    }

    @Test func gcKeepsWhatInstalledPackagesNeed() async throws {
        let (fixture, area) = try await Self.installed("gc-needed")
        defer { fixture.cleanUp() }
        let first = try area.collectGarbage(budget: 0)
        #expect(first.removed.first?.name.rawValue == "ROOT", "dependencies are removable only after their dependants")
        #expect(area.installed().isEmpty)
    }

    @Test func parsesSizes() throws {
        #expect(try SoftwareArea.parseSize("20G") == 20 << 30)
        #expect(try SoftwareArea.parseSize("512M") == 512 << 20)
        #expect(try SoftwareArea.parseSize("1000") == 1000)
        #expect(try SoftwareArea.parseSize("2GiB") == 2 << 30)
        #expect(throws: SoftwareAreaError.self) { try SoftwareArea.parseSize("lots") }
    }
}
