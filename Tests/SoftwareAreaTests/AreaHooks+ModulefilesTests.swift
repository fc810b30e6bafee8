import AlienModel
import AreaEnvironment
import Foundation
import SoftwareArea
import Testing
import TestSupport

/// Installing keeps the area's modulefiles and environment usable: a modulefile appears with
/// the package and goes with it, and the installed init.sh gives the relocated prefix.
@Suite struct AreaHooksModulefilesTests {
    @Test func installWritesModulefilesAndRemoveDeletesThem() async throws {
        let (fixture, area) = try await SoftwareAreaRemoveTests.installed("modulefiles")
        defer { fixture.cleanUp() }
        let modules = "\(fixture.areaPath())/\(AreaFixture.arch)/Modules/modulefiles"
        for module in ["ROOT/v6-32-06-1", "zlib/v1.3.1-1", "xz/v5.4.6-1"] {
            #expect(FileManager.default.fileExists(atPath: "\(modules)/\(module)"), "\(module)")
        }
        let rootModule = try String(contentsOfFile: "\(modules)/ROOT/v6-32-06-1", encoding: .utf8)
        #expect(rootModule.contains("zlib/v1.3.1-1"), "ROOT's modulefile loads its dependency:\n\(rootModule)")

        let environmentArea = EnvironmentArea(root: URL(fileURLWithPath: fixture.areaPath()), architecture: try Architecture(AreaFixture.arch))
        let packages = try environmentArea.closure(of: try environmentArea.resolve([try PackageID(parsing: "ROOT")]))
        #expect(packages.map(\.moduleName) == ["zlib/v1.3.1-1", "xz/v5.4.6-1", "ROOT/v6-32-06-1"])
        let changes = try environmentArea.changes(of: packages, base: ["PATH": "/usr/bin:/bin"])
        #expect(changes.values["ROOT_ROOT"] == "\(fixture.areaPath())/\(AreaFixture.arch)/ROOT/v6-32-06-1")
        #expect(changes.values["PATH"]?.hasPrefix("\(fixture.areaPath())/\(AreaFixture.arch)/ROOT/v6-32-06-1/bin:") == true)

        try area.remove(PackageID(parsing: "ROOT"))
        #expect(!FileManager.default.fileExists(atPath: "\(modules)/ROOT/v6-32-06-1"))
        #expect(FileManager.default.fileExists(atPath: "\(modules)/zlib/v1.3.1-1"))
    }
}
