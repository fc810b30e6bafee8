import AlienModel
import AreaEnvironment
import Foundation
import SoftwareArea
import Testing
import TestSupport
import Transport

/// The install pipeline's seam: a staged package gets its manifest (tarball's, or parsed from
/// init.sh), refused with file:line unless the area allows installing without an environment.
@Suite struct SoftwareAreaManifestTests {
    typealias F = EnvironmentFixture

    /// An area (no repository needed) and a staged package tree written by `F.install`.
    static func staged(_ package: F.Package, config: String? = nil) throws -> (SoftwareArea, String, PackageBuild, URL) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("alien-seam-\(UUID().uuidString)")
        let areaRoot = base.appendingPathComponent("area")
        try FileManager.default.createDirectory(at: areaRoot.appendingPathComponent(".alien"), withIntermediateDirectories: true)
        if let config { try config.write(to: areaRoot.appendingPathComponent(".alien/config.json"), atomically: true, encoding: .utf8) }
        let stage = base.appendingPathComponent("stage")
        try F.install(package, root: stage)
        let directory = stage.appendingPathComponent("\(F.arch)/\(package.name)/\(package.version)-\(package.revision)").path
        let area = try SoftwareArea.open(root: areaRoot.path, arch: F.arch, fetcher: HTTPClient())
        return (area, directory, try PackageBuild(parsing: "\(package.name)/\(package.version)-\(package.revision)"), base)
    }

    @Test func writesTheParsedManifestIntoTheStagedPackage() throws {
        let (area, directory, key, base) = try Self.staged(F.root)
        defer { try? FileManager.default.removeItem(at: base) }
        let manifest = try area.environmentManifest(forStagedPackage: directory, key: key)
        #expect(manifest.package.moduleName == "ROOT/v6-32-06-1")
        #expect(manifest.requires.map(\.moduleName) == ["zlib/v1.3.1-1"])
        let written = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(EnvironmentManifest.fileName)"))
        #expect(Array(written) == manifest.jsonBytes + [0x0A])
        // Again, now from the written file: the same bytes.
        #expect(try area.environmentManifest(forStagedPackage: directory, key: key) == manifest)
        // A manifest for another package is refused.
        #expect(throws: SoftwareAreaError.self) {
            try area.environmentManifest(forStagedPackage: directory, key: try PackageBuild(parsing: "ROOT/v6-32-06-2"))
        }
    }

    @Test func anInitShOutsideTheGrammarIsRefusedWithFileAndLine() throws {
        var package = F.Package(name: "Evil", version: "v1")
        package.extra = ["echo pwned >> /tmp/alien-never"]
        let (area, directory, key, base) = try Self.staged(package)
        defer { try? FileManager.default.removeItem(at: base) }
        #expect(!area.allowsUnparsedInit)
        do {
            _ = try area.environmentManifest(forStagedPackage: directory, key: key)
            Issue.record("accepted")
        } catch {
            #expect(
                error.description.hasPrefix(
                    "Evil/v1-1: refused: its environment cannot be read without running it: "
                        + "Evil/v1-1/etc/profile.d/init.sh:8: expected export"), "\(error)")
            #expect(error.description.contains("\"allow_unparsed_init\": true"))
        }
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(EnvironmentManifest.fileName)"))
    }

    @Test func optedInTheEnvironmentIsWithheld() throws {
        var package = F.Package(name: "Evil", version: "v1")
        package.extra = ["echo pwned >> /tmp/alien-never"]
        let (area, directory, key, base) = try Self.staged(package, config: #"{"arch":"slc9_x86-64","allow_unparsed_init":true}"#)
        defer { try? FileManager.default.removeItem(at: base) }
        #expect(area.allowsUnparsedInit)
        let manifest = try area.environmentManifest(forStagedPackage: directory, key: key)
        #expect(manifest.withheld?.hasPrefix("Evil/v1-1/etc/profile.d/init.sh:8:") == true)
        // The installed package's environment is refused with the reason.
        let environment = EnvironmentArea(root: base.appendingPathComponent("stage"), architecture: try Architecture(F.arch))
        let evil = try environment.resolve(PackageID(parsing: "Evil"))
        do {
            _ = try environment.changes(of: [evil], base: F.baseEnvironment)
            Issue.record("gave an environment")
        } catch {
            #expect(
                error.description.hasPrefix("Evil/v1-1 was installed without an environment (its init.sh is never run): Evil/v1-1/etc/profile.d/init.sh:8:"))
        }
        // An invalid manifest file is never allowed.
        try Data("{}".utf8).write(to: URL(fileURLWithPath: "\(directory)/\(EnvironmentManifest.fileName)"))
        #expect(throws: SoftwareAreaError.self) { try area.environmentManifest(forStagedPackage: directory, key: key) }
    }
}
