import AlienModel
@testable import AreaEnvironment
import Foundation
import SoftwareArea
import Testing

@Suite struct AlienvTests {
    typealias F = EnvironmentFixture

    static func packages(_ area: EnvironmentArea, _ arguments: [String]) throws -> [EnvironmentPackage] {
        try area.resolve(EnvironmentRequest.parse(arguments))
    }

    @Test func loadThenUnloadRestoresTheEnvironment() throws {
        let area = try F.area([F.zlib, F.root, F.aliRoot])
        defer { F.remove(area) }
        let base = F.baseEnvironment.merging(["LD_LIBRARY_PATH": "/opt/lib"]) { $1 }
        let first = try Alienv.load(area: area, packages: Self.packages(area, ["zlib"]), environment: base).applied(to: base)
        #expect(Alienv.loaded(in: first) == ["zlib/v1.3.1-1"])
        let second = try Alienv.load(area: area, packages: Self.packages(area, ["VO_ALICE@AliRoot::v5-09-59"]), environment: first).applied(to: first)
        #expect(Alienv.loaded(in: second) == ["zlib/v1.3.1-1", "AliRoot/v5-09-59-1"])
        #expect(second["ALIROOT_ROOT"] != nil && second["ROOT_ROOT"] != nil)

        // Unloading AliRoot leaves zlib's environment as a fresh load of zlib gives it.
        let afterUnload = try Alienv.unload(area: area, requests: EnvironmentRequest.parse(["AliRoot"]), environment: second).applied(to: second)
        #expect(afterUnload["ALIROOT_ROOT"] == nil && afterUnload["ROOT_ROOT"] == nil)
        #expect(afterUnload["PATH"] == first["PATH"])
        #expect(afterUnload["LD_LIBRARY_PATH"] == first["LD_LIBRARY_PATH"])
        #expect(Alienv.loaded(in: afterUnload) == ["zlib/v1.3.1-1"])

        // Unloading the last one gives the environment before the first load back.
        let empty = try Alienv.unload(area: area, requests: EnvironmentRequest.parse(["zlib/v1.3.1-1"]), environment: afterUnload).applied(to: afterUnload)
        #expect(empty == base)
    }

    @Test func unloadingSomethingNotLoadedSaysWhatIsLoaded() throws {
        let area = try F.area([F.zlib])
        defer { F.remove(area) }
        let loaded = try Alienv.load(area: area, packages: Self.packages(area, ["zlib"]), environment: F.baseEnvironment).applied(to: F.baseEnvironment)
        do {
            _ = try Alienv.unload(area: area, requests: EnvironmentRequest.parse(["ROOT"]), environment: loaded)
            Issue.record("ROOT is not loaded")
        } catch {
            #expect(error.description.contains("ROOT (to unload) is not installed in the loaded set; installed: zlib/v1.3.1-1"))
        }
    }

    /// A version names a version, not a prefix of one: `ROOT::v6` is not `ROOT/v6-32-06-1`
    /// (the one rule of `VersionSelector.matches`), while `v6-32-06` and `v6-32-06-1` are.
    @Test func unloadMatchesWholeVersionsOnly() throws {
        let area = try F.area([F.zlib, F.root])
        defer { F.remove(area) }
        let loaded = try Alienv.load(area: area, packages: Self.packages(area, ["ROOT"]), environment: F.baseEnvironment).applied(to: F.baseEnvironment)
        #expect(throws: EnvironmentError.self) {
            try Alienv.unload(area: area, requests: EnvironmentRequest.parse(["ROOT::v6"]), environment: loaded)
        }
        for spelling in ["ROOT::v6-32-06", "ROOT::v6-32-06-1", "ROOT/v6-32-06-1"] {
            let unloaded = try Alienv.unload(area: area, requests: EnvironmentRequest.parse([spelling]), environment: loaded).applied(to: loaded)
            #expect(Alienv.loaded(in: unloaded).isEmpty, "\(spelling)")
        }
    }

    @Test func enterRefusesToNest() throws {
        let area = try F.area([F.zlib])
        defer { F.remove(area) }
        let packages = try Self.packages(area, ["zlib"])
        let entered = try Alienv.enterChanges(area: area, packages: packages, environment: F.baseEnvironment).applied(to: F.baseEnvironment)
        #expect(entered[Alienv.enteredVariable] == "zlib/v1.3.1-1")
        #expect(entered["ALIENVLVL"] == "1")
        #expect(throws: EnvironmentError.nestedEnter(loaded: "zlib/v1.3.1-1")) {
            try Alienv.enterChanges(area: area, packages: packages, environment: entered)
        }
        // A shell from aliBuild's own `alienv enter`.
        #expect(throws: EnvironmentError.self) { try Alienv.checkNotNested(["ALIENVLVL": "1"]) }
        #expect(EnvironmentError.nestedEnter(loaded: "x").description.contains("type 'exit' to leave it first"))
        try Alienv.checkNotNested(["ALIENVLVL": "0"])
    }

    @Test func queryPrintsAliEnNamesFiltered() throws {
        let area = try F.area([F.zlib, F.root, F.aliRoot])
        defer { F.remove(area) }
        #expect(try Alienv.query(area: area, pattern: nil) == ["VO_ALICE@AliRoot::v5-09-59-1", "VO_ALICE@ROOT::v6-32-06-1", "VO_ALICE@zlib::v1.3.1-1"])
        #expect(try Alienv.query(area: area, pattern: "^VO_ALICE@root") == ["VO_ALICE@ROOT::v6-32-06-1"])
        #expect(throws: EnvironmentError.self) { try Alienv.query(area: area, pattern: "([") }
    }

    @Test func checkenvReportsEachFailure() throws {
        var broken = F.Package(name: "Broken", version: "v1")
        broken.extra = ["no_such_command_here"]
        let area = try F.area([F.zlib, F.root, broken])
        defer { F.remove(area) }
        try FileManager.default.removeItem(at: area.packagesDirectory.appendingPathComponent("zlib"))
        let checks = Alienv.checkenv(area: area, packages: try area.installed(), environment: F.baseEnvironment)
        #expect(checks.map(\.package) == ["Broken/v1-1", "ROOT/v6-32-06-1"])
        #expect(checks[0].failure?.hasPrefix("Broken/v1-1/etc/profile.d/init.sh:8: expected export") == true, "\(checks[0])")
        #expect(checks[1].failure?.contains("needs zlib/v1.3.1-1, which is not installed") == true)
    }

    /// ALIENV_SAVED round-trips values and unset variables; a damaged one reads as empty.
    @Test func savedValuesRoundTrip() {
        let saved: [String: String?] = ["PATH": "/usr/bin:/bin", "GONE": nil, "ODD": "q\"/ü"]
        let text = Alienv.encode(saved)
        #expect(Alienv.savedValues(in: [Alienv.savedVariable: text]) == saved)
        #expect(Alienv.savedValues(in: [Alienv.savedVariable: "not base64!"]).isEmpty)
        #expect(Alienv.savedValues(in: [:]).isEmpty)
    }

    @Test func queryPatternsAreCaseInsensitiveRegularExpressions() throws {
        let area = try F.area([F.zlib, F.root])
        defer { F.remove(area) }
        #expect(try Alienv.query(area: area, pattern: "^vo_alice@z") == ["VO_ALICE@zlib::v1.3.1-1"])
        #expect(try Alienv.query(area: area, pattern: "ROOT|ZLIB").count == 2)
        #expect(throws: EnvironmentError.self) { try Alienv.query(area: area, pattern: "(") }
    }
}
