import AlienModel
import AreaEnvironment
import Foundation
import SoftwareArea
import Testing

@Suite struct EnvironmentAreaTests {
    typealias F = EnvironmentFixture

    static func twoRoots() throws -> EnvironmentArea {
        var newer = F.root
        newer.version = "v6-34-02"
        var newerRevision = newer
        newerRevision.revision = "2"
        var older = F.root
        older.version = "v6-9-01"
        return try F.area([F.zlib, F.root, newer, newerRevision, older])
    }

    @Test func installedSkipsLinksHiddenFoldersAndModules() throws {
        let area = try F.area([F.zlib, F.root])
        defer { F.remove(area) }
        let folder = area.packagesDirectory
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("ROOT/latest").path, withDestinationPath: "v6-32-06-1")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("ROOT/.stage-v7-1"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Modules/modulefiles/x"), withIntermediateDirectories: true)
        // No init.sh: an incomplete package.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("ROOT/v7-1/etc"), withIntermediateDirectories: true)
        #expect(try area.installed().map(\.moduleName) == ["ROOT/v6-32-06-1", "zlib/v1.3.1-1"])
        #expect(EnvironmentArea.architectures(in: area.root).map(\.rawValue) == ["slc9_x86-64"])
    }

    @Test(arguments: [
        ("ROOT", "ROOT/v6-34-02-2"),
        ("ROOT::latest", "ROOT/v6-34-02-2"),
        ("ROOT::v6-34-02", "ROOT/v6-34-02-2"),
        ("ROOT/v6-34-02-1", "ROOT/v6-34-02-1"),
        ("VO_ALICE@ROOT::v6-32-06-1", "ROOT/v6-32-06-1"),
        ("ROOT::v6-9-01", "ROOT/v6-9-01-1")
    ])
    func packageArgumentForms(_ argument: String, _ expected: String) throws {
        let area = try Self.twoRoots()
        defer { F.remove(area) }
        #expect(try area.resolve(EnvironmentRequest.parse([argument])).map(\.moduleName) == [expected])
    }

    @Test func newestUsesNaturalVersionOrder() throws {
        let area = try Self.twoRoots()
        defer { F.remove(area) }
        let sorted = try area.installed().filter { $0.build.name.rawValue == "ROOT" }.map(\.moduleName)
        #expect(sorted == ["ROOT/v6-9-01-1", "ROOT/v6-32-06-1", "ROOT/v6-34-02-1", "ROOT/v6-34-02-2"])
    }

    @Test func notInstalledNamesWhatIsInstalled() throws {
        let area = try Self.twoRoots()
        defer { F.remove(area) }
        #expect(throws: EnvironmentError.self) { try area.resolve(EnvironmentRequest.parse(["ROOT::v5"])) }
        do {
            _ = try area.resolve(EnvironmentRequest.parse(["ROOT::v5"]))
        } catch {
            #expect(error.description.contains("ROOT/v5 is not installed in \(area.packagesDirectory.path)"))
            #expect(error.description.contains("installed: ROOT/v6-9-01-1, ROOT/v6-32-06-1, ROOT/v6-34-02-1, ROOT/v6-34-02-2"))
        }
        do {
            _ = try area.resolve(EnvironmentRequest.parse(["Geant4"]))
            Issue.record("Geant4 is not installed")
        } catch {
            #expect(error.description == "Geant4 is not installed in \(area.packagesDirectory.path), and no version of it is")
        }
    }

    @Test func closureOrdersDependenciesFirstAndNamesAMissingOne() throws {
        let area = try F.area([F.zlib, F.root, F.aliRoot])
        defer { F.remove(area) }
        let aliRoot = try area.resolve(PackageID(parsing: "AliRoot"))
        #expect(
            try PackageEnvironmentFiles.manifest(directory: aliRoot.directory.path, label: aliRoot.moduleName).requires.map(\.moduleName)
                == ["ROOT/v6-32-06-1", "zlib/v1.3.1-1"])
        #expect(try area.closure(of: [aliRoot]).map(\.moduleName) == ["zlib/v1.3.1-1", "ROOT/v6-32-06-1", "AliRoot/v5-09-59-1"])
        try FileManager.default.removeItem(at: area.packagesDirectory.appendingPathComponent("zlib"))
        do {
            _ = try area.closure(of: [aliRoot])
            Issue.record("zlib is missing")
        } catch {
            #expect(
                error
                    == .missingDependency(
                        package: "ROOT/v6-32-06-1", dependency: "zlib/v1.3.1-1",
                        path: area.packagesDirectory.path + "/zlib/v1.3.1-1/etc/profile.d/init.sh"))
            #expect(error.description.contains("ROOT/v6-32-06-1 needs zlib/v1.3.1-1, which is not installed"))
        }
    }

    @Test func missingArchitectureFolder() throws {
        let area = EnvironmentArea(root: URL(fileURLWithPath: "/nonexistent-area"), architecture: try Architecture("slc9_x86-64"))
        #expect(throws: EnvironmentError.noArea(path: "/nonexistent-area", reason: "no folder slc9_x86-64 (no packages for this architecture)")) {
            try area.installed()
        }
    }

    /// A package folder holding its manifest but no init.sh is installed; one holding neither is not.
    @Test func aPackageIsAFolderWithItsEnvironment() throws {
        let area = try F.area([F.zlib])
        defer { F.remove(area) }
        let folder = area.packagesDirectory.appendingPathComponent("zlib/v1.3.1-1")
        let manifest = try PackageEnvironmentFiles.manifest(directory: folder.path, label: "zlib/v1.3.1-1")
        #expect(PackageEnvironmentFiles.write(manifest, directory: folder.path) == nil)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("etc/profile.d/init.sh"))
        #expect(try area.installed().map(\.moduleName) == ["zlib/v1.3.1-1"])
        #expect(try area.changes(of: area.installed(), base: F.baseEnvironment).values["ZLIB_VERSION"] == "v1.3.1")
        try FileManager.default.removeItem(at: folder.appendingPathComponent(EnvironmentManifest.fileName))
        #expect(try area.installed().isEmpty)
    }

    /// The module name is spelled once, and again when the build changes.
    @Test func moduleNameFollowsTheBuild() throws {
        var package = EnvironmentPackage(
            build: PackageBuild(name: try PackageName("zlib"), version: PackageVersion(version: "v1", revision: "1")),
            path: "/sw/a/zlib/v1-1")
        #expect(package.moduleName == "zlib/v1-1")
        package.build = PackageBuild(name: try PackageName("ROOT"), version: PackageVersion(version: "v6", revision: "2"))
        #expect(package.moduleName == "ROOT/v6-2" && package.description == "ROOT/v6-2")
        #expect(package == EnvironmentPackage(build: package.build, path: "/sw/a/zlib/v1-1"))
    }
}
