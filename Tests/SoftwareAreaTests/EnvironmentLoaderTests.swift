import AlienModel
import Foundation
import SoftwareArea
import Testing

@Suite struct EnvironmentLoaderTests {
    typealias F = EnvironmentFixture

    /// What a user gets by hand: `WORK_DIR=<area>; . init.sh; env`.
    static func byHand(_ area: EnvironmentArea, _ packages: [EnvironmentPackage], base: [String: String]) throws -> [String: String] {
        let sources = packages.map { ". '\($0.initScript.path)'" }.joined(separator: "; ")
        let result = try F.run("/bin/bash", ["--noprofile", "--norc", "-c", "export WORK_DIR='\(area.root.path)' ALIBUILD_ARCH_PREFIX=\(area.architecture); \(sources); env -0"],
                               environment: base)
        #expect(result.status == 0, "\(result.stderr)")
        return F.parseEnv0(result.stdout)
    }

    @Test func environmentEqualsSourcingInitShInBash() throws {
        let area = try F.area([F.zlib, F.root, F.aliRoot])
        defer { F.remove(area) }
        let packages = try area.resolve(EnvironmentRequest.parse(["AliRoot"]))
        let base = F.baseEnvironment.merging(["LD_LIBRARY_PATH": "/opt/lib"]) { $1 }
        let changes = try EnvironmentLoader().changes(area: area, packages: packages, base: base)
        var expected = try Self.byHand(area, packages, base: base)
        expected["_"] = nil
        expected["SHLVL"] = nil
        expected["PWD"] = nil
        var ours = changes.applied(to: base)
        ours["PWD"] = nil
        #expect(ours == expected)
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
        let first = try EnvironmentLoader().changes(area: area, packages: packages, base: F.baseEnvironment).applied(to: F.baseEnvironment)
        // A second load from a shell that has ROOT's variables but lost ROOT_REVISION: init.sh prepends again.
        var again = first
        again["ROOT_REVISION"] = nil
        again["ZLIB_REVISION"] = nil
        let second = try EnvironmentLoader().changes(area: area, packages: packages, base: again).applied(to: again)
        let entries = (second["PATH"] ?? "").split(separator: ":")
        #expect(entries.count == Set(entries).count, "no duplicate PATH entries: \(entries)")
        #expect(second["PATH"] == first["PATH"])
    }

    @Test func unsetVariablesAreReported() throws {
        var package = F.zlib
        package.extra = ["unset OLD_SETTING"]
        let area = try F.area([package])
        defer { F.remove(area) }
        let changes = try EnvironmentLoader().changes(area: area, packages: try area.installed(),
                                                      base: F.baseEnvironment.merging(["OLD_SETTING": "1"]) { $1 })
        #expect(changes.removed == ["OLD_SETTING"])
    }

    @Test func initShOutputDoesNotCorruptTheEnvironment() throws {
        var package = F.zlib
        package.extra = ["echo 'chatty init.sh'", "printf 'A=1\\0\\0'"]
        let area = try F.area([package])
        defer { F.remove(area) }
        let changes = try EnvironmentLoader().changes(area: area, packages: try area.installed(), base: F.baseEnvironment)
        #expect(changes.values["ZLIB_VERSION"] == "v1.3.1")
        #expect(changes.values["A"] == nil)
    }

    @Test func aMissingInitShFails() throws {
        let area = try F.area([F.zlib])
        defer { F.remove(area) }
        let package = try area.installed()[0]
        try FileManager.default.removeItem(at: package.initScript)
        #expect(throws: EnvironmentError.self) { try EnvironmentLoader().changes(area: area, packages: [package], base: F.baseEnvironment) }
        do {
            _ = try EnvironmentLoader(bash: "/nonexistent/bash").changes(area: area, packages: [package], base: F.baseEnvironment)
        } catch {
            #expect(error.description.contains("cannot start /nonexistent/bash"))
        }
    }
}
