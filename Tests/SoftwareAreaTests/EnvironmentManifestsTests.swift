import AlienModel
@testable import AreaEnvironment
import Foundation
import SoftwareArea
import Testing
import TestSupport

/// Environments from manifests: the manifest file wins over init.sh, an init.sh outside the
/// grammar is refused with its line and never run, nothing is read through a symlink.
@Suite struct EnvironmentManifestsTests {
    typealias F = EnvironmentFixture

    static let marker = FileManager.default.temporaryDirectory.appendingPathComponent("alien-env-marker-\(UUID().uuidString)")

    static var hostile: F.Package {
        var package = F.Package(name: "Hostile", version: "v1", requires: [F.zlib])
        package.extra = ["touch '\(marker.path)'"]
        return package
    }

    @Test func environmentEqualsSourcingInitShInBash() throws {
        let area = try F.area([F.zlib, F.root, F.aliRoot])
        defer { F.remove(area) }
        let packages = try area.resolve(EnvironmentRequest.parse(["AliRoot"]))
        let base = F.baseEnvironment.merging(["LD_LIBRARY_PATH": "/opt/lib"]) { $1 }
        let changes = try area.changes(of: packages, base: base)
        #expect(changes == (try BashEnvironmentReference().changes(area: area, packages: packages, base: base)))
        let bin = area.packagesDirectory.path
        #expect(changes.values["PATH"] == "\(bin)/AliRoot/v5-09-59-1/bin:\(bin)/ROOT/v6-32-06-1/bin:\(bin)/zlib/v1.3.1-1/bin:/usr/local/bin:/usr/bin:/bin")
        #expect(changes.values["ROOT_INCLUDE_PATH"] == "\(bin)/ROOT/v6-32-06-1/include")
        #expect(changes.values["WORK_DIR"] == area.root.path)
        #expect(changes.values["ALIBUILD_ARCH_PREFIX"] == "slc9_x86-64")
        #expect(changes.removed.isEmpty)
    }

    @Test func noDuplicateEntriesWhenLoadedAgain() throws {
        let area = try F.area([F.zlib, F.root])
        defer { F.remove(area) }
        let packages = try area.resolve(EnvironmentRequest.parse(["ROOT"]))
        let first = try area.changes(of: packages, base: F.baseEnvironment).applied(to: F.baseEnvironment)
        // A shell that has ROOT's variables but lost the _REVISION guards: init.sh prepends again.
        var again = first
        again["ROOT_REVISION"] = nil
        again["ZLIB_REVISION"] = nil
        let second = try area.changes(of: packages, base: again).applied(to: again)
        let entries = (second["PATH"] ?? "").split(separator: ":")
        #expect(entries.count == Set(entries).count, "no duplicate PATH entries: \(entries)")
        #expect(second["PATH"] == first["PATH"])
    }

    @Test func theManifestFileIsReadInsteadOfInitSh() throws {
        let area = try F.area([F.zlib])
        defer { F.remove(area) }
        let zlib = try area.resolve(PackageID(parsing: "zlib"))
        var manifest = try PackageEnvironmentFiles.parseInitScript(directory: zlib.directory.path, label: zlib.moduleName)
        manifest.env.append(.init(name: "FROM_MANIFEST", value: try EnvironmentTemplate(shellDoubleQuoted: "$ZLIB_ROOT/m")))
        try Data(manifest.jsonBytes).write(to: zlib.directory.appendingPathComponent(EnvironmentManifest.fileName))
        let changes = try area.changes(of: [zlib], base: F.baseEnvironment)
        #expect(changes.values["FROM_MANIFEST"] == zlib.directory.path + "/m")
        // A manifest naming another package is refused.
        manifest.package.version = "v9"
        try Data(manifest.jsonBytes).write(to: zlib.directory.appendingPathComponent(EnvironmentManifest.fileName))
        #expect(throws: EnvironmentError.self) { try area.changes(of: [zlib], base: F.baseEnvironment) }
    }

    @Test func anInitShOutsideTheGrammarIsRefusedWithItsLineAndNeverRun() throws {
        let area = try F.area([F.zlib, Self.hostile])
        defer { F.remove(area) }
        let hostile = try area.resolve(PackageID(parsing: "Hostile"))
        do {
            _ = try area.changes(of: [hostile], base: F.baseEnvironment)
            Issue.record("accepted an init.sh that runs a command")
        } catch {
            #expect(error.description == "Hostile/v1-1/etc/profile.d/init.sh:9: expected export NAME=\"value\" (an env, append_path or prepend_path line)")
        }
        #expect(throws: EnvironmentError.self) { try Modulefiles.write(for: hostile, in: area) }
        #expect(Alienv.checkenv(area: area, packages: [hostile], environment: F.baseEnvironment)[0].failure != nil)
        #expect(!FileManager.default.fileExists(atPath: Self.marker.path), "init.sh was run")
        // The reference really would have run it.
        _ = try? BashEnvironmentReference().changes(area: area, packages: [hostile], base: F.baseEnvironment)
        #expect(FileManager.default.fileExists(atPath: Self.marker.path))
        try? FileManager.default.removeItem(at: Self.marker)
    }

    @Test func nothingIsReadThroughSymbolicLinks() throws {
        let area = try F.area([F.zlib])
        defer { F.remove(area) }
        let zlib = try area.resolve(PackageID(parsing: "zlib"))
        let outside = area.root.appendingPathComponent("outside.json")
        try Data(try PackageEnvironmentFiles.parseInitScript(directory: zlib.directory.path, label: "x").jsonBytes).write(to: outside)
        try FileManager.default.createSymbolicLink(at: zlib.directory.appendingPathComponent(EnvironmentManifest.fileName), withDestinationURL: outside)
        do {
            _ = try area.changes(of: [zlib], base: F.baseEnvironment)
            Issue.record("followed a symlinked manifest")
        } catch {
            #expect(error.description.contains("is a symbolic link"), "\(error)")
        }
        try FileManager.default.removeItem(at: zlib.directory.appendingPathComponent(EnvironmentManifest.fileName))
        let profile = zlib.directory.appendingPathComponent("etc/profile.d")
        try FileManager.default.moveItem(at: profile, to: area.root.appendingPathComponent("profile.d"))
        try FileManager.default.createSymbolicLink(at: profile, withDestinationURL: area.root.appendingPathComponent("profile.d"))
        do {
            _ = try area.changes(of: [zlib], base: F.baseEnvironment)
            Issue.record("followed a symlinked folder")
        } catch {
            #expect(error.description.contains("etc/profile.d is a symbolic link"), "\(error)")
        }
    }

    @Test func packagesSourcedFromOutsideTheAreaAreRefused() throws {
        var mover = F.Package(name: "Mover", version: "v1", requires: [])
        mover.extra = ["export WORK_DIR=\"/tmp\""]
        let user = F.Package(name: "User", version: "v1", requires: [mover, F.zlib])
        let area = try F.area([mover, F.zlib, user])
        defer { F.remove(area) }
        do {
            _ = try area.changes(of: try area.resolve(EnvironmentRequest.parse(["User"])), base: F.baseEnvironment)
            Issue.record("followed WORK_DIR out of the area")
        } catch {
            #expect(error.description.contains("would be sourced from /tmp/slc9_x86-64"), "\(error)")
        }
    }

    /// The cache's key of a dependency is its module name, whatever the dashes.
    @Test(arguments: [("v1", "1"), ("1-2", "3"), ("1", "2-3"), ("v6-32-06", "1"), ("é", "x")])
    func dependencyKeyIsItsModuleName(version: String, revision: String) throws {
        let dependency = EnvironmentManifest.Dependency(name: try PackageName("Dep-x"), version: version, revision: revision)
        #expect(ManifestCache.moduleName(dependency) == dependency.moduleName)
    }

    /// Without openat2 (old kernels, seccomp filters) the closure finds the same packages and
    /// reads the same manifests.
    @Test func closureWithoutOpenat2IsTheSame() throws {
        let area = try F.area([F.zlib, F.root, F.aliRoot])
        defer { F.remove(area) }
        // Manifest files next to the init.sh (what the installer writes), except for ROOT's.
        for package in try area.installed() where package.build.name.rawValue != "ROOT" {
            let manifest = try PackageEnvironmentFiles.parseInitScript(directory: package.path, label: package.moduleName)
            #expect(PackageEnvironmentFiles.write(manifest, directory: package.path) == nil)
        }
        let packages = try area.resolve(EnvironmentRequest.parse(["AliRoot"]))
        let fast = ManifestCache(), slow = ManifestCache(openat2: false)
        let found = try area.closure(of: packages, cache: fast)
        #expect(found.map(\.moduleName) == ["zlib/v1.3.1-1", "ROOT/v6-32-06-1", "AliRoot/v5-09-59-1"])
        #expect(try area.closure(of: packages, cache: slow) == found)
        for package in found { #expect(try fast.manifest(of: package) == slow.manifest(of: package)) }
    }
}
