import AlienModel
import AreaEnvironment
import Foundation
import SoftwareArea
import Testing
import TestSupport

/// Version order used for "newest".
@Suite struct PackageCatalogTests {
    @Test func newestByNumericRuns() throws {
        func key(_ version: String, _ revision: String = "1") throws -> PackageBuild {
            PackageBuild(name: try PackageName("x"), version: PackageVersion(version: version, revision: revision))
        }
        #expect(try PackageCatalog.newer(key("v1.10"), than: key("v1.9")))
        #expect(try PackageCatalog.newer(key("v6-32-06"), than: key("v6-30-10")))
        #expect(try PackageCatalog.newer(key("v1", "10"), than: key("v1", "9")))
        #expect(try !PackageCatalog.newer(key("v1", "1"), than: key("v1", "1")))
        #expect(try PackageCatalog.newer(key("v5-09-45a"), than: key("v5-09-45")))
        // Ties by value are broken by PackageVersion, in one direction only.
        #expect(try PackageCatalog.newer(key("v6-32-6"), than: key("v6-32-06")))
        #expect(try !PackageCatalog.newer(key("v6-32-06"), than: key("v6-32-6")))
    }

    /// Builds that tie by value (`v6-32-06`, `v6-32-6`, revision `01`/`1`), published so that the
    /// newest is neither first nor last: every place that chooses "the newest" — the catalog
    /// (install, `jdl check` and packmand's synchronize take its first per name), install,
    /// the installed list (remove, verify) and the environment (`env`, `alienv`) — chooses the
    /// build `PackageVersion`'s order puts last.
    @Test func everyNewestUsesTheOneOrder() async throws {
        let builds = [("v6-32-06", "1"), ("v6-32-6", "1"), ("v6-30-10", "1"), ("v6-32-6", "01"), ("v6-32-006", "1")]
        let expected = try #require(builds.map { PackageVersion(version: $0.0, revision: $0.1) }.max())
        #expect(expected == PackageVersion(version: "v6-32-6", revision: "1"))
        let fixture = try AreaFixture("newest")
        defer { fixture.cleanUp() }
        try fixture.publish(builds.map { FixturePackage(name: "ROOT", version: $0.0, revision: $0.1) })
        let area = try fixture.area()
        let request = try PackageID(parsing: "ROOT")

        let catalog = try area.catalog()
        #expect(try await catalog.resolve(request).build.version == expected)
        #expect(try await catalog.resolve(PackageID(parsing: "ROOT::latest")).build.version == expected)
        let listed = try await catalog.available(name: "ROOT").map(\.build.version)
        #expect(listed == builds.map { PackageVersion(version: $0.0, revision: $0.1) }.sorted().reversed())
        let everywhere = try await catalog.availableEverywhere().filter { $0.build.name.rawValue == "ROOT" }.map(\.build.version)
        #expect(everywhere == listed)

        let installed = try await area.install([request])
        #expect(installed.map(\.package.version) == [expected])
        _ = try await area.install(builds.map { try PackageID(parsing: "ROOT::\($0.0)-\($0.1)") })
        #expect(area.installed(matching: request).first?.key.version == expected)
        #expect(
            area.installed(matching: try PackageID(parsing: "ROOT::v6-32-6")).map(\.key.version)
                == [expected, PackageVersion(version: "v6-32-6", revision: "01")])
        // The installed list (`list`, gc's tie-break) is in the same order, oldest first.
        #expect(area.installed().map(\.key.version) == builds.map { PackageVersion(version: $0.0, revision: $0.1) }.sorted())

        let environment = EnvironmentArea(root: URL(fileURLWithPath: fixture.areaPath()), architecture: try Architecture(AreaFixture.arch))
        #expect(try environment.resolve(request).build.version == expected)
        #expect(try environment.installed().map(\.build.version) == builds.map { PackageVersion(version: $0.0, revision: $0.1) }.sorted())
    }
}
