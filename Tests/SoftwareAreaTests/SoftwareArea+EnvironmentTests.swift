import AlienModel
import AreaEnvironment
import Forensics
import Foundation
import SoftwareArea
import Testing
import Transport

@Suite struct SoftwareAreaEnvironmentTests {
    static let requests = [try! PackageID(parsing: "ROOT")]
    static let base = ["PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"]
    static let when = Date(timeIntervalSince1970: 1_900_000_000)

    /// A fixture area with ROOT → zlib and, when `state`, the `.alien/` folder an installer makes.
    static func area(state: Bool) throws -> EnvironmentArea {
        let area = try EnvironmentFixture.area([EnvironmentFixture.zlib, EnvironmentFixture.root])
        if state {
            try FileManager.default.createDirectory(at: area.root.appendingPathComponent(".alien"), withIntermediateDirectories: true)
        }
        return area
    }

    static func stampTime(_ area: EnvironmentArea, _ module: String) -> Int? {
        var info = stat()
        guard stat(area.root.appendingPathComponent(".alien/used/\(EnvironmentFixture.arch)/\(module)").path, &info) == 0 else { return nil }
        return info.st_mtim.tv_sec
    }

    static func records(_ area: EnvironmentArea) throws -> [UsageRecord] {
        try UsageLog(path: area.root.appendingPathComponent(".alien/usage.log").path).records().records
    }

    @Test func computesWhatChangesComputesAndRecordsTheClosure() throws {
        let area = try Self.area(state: true)
        defer { EnvironmentFixture.remove(area) }
        let computed = try area.environment(for: Self.requests, base: Self.base, recording: EnvironmentUse(.run, jobID: "j1"), now: Self.when)
        #expect(computed.changes == (try area.changes(of: try area.resolve(Self.requests), base: Self.base)))
        #expect(computed.packages.map(\.moduleName) == ["ROOT/v6-32-06-1"])
        #expect(computed.closure.map(\.moduleName) == ["zlib/v1.3.1-1", "ROOT/v6-32-06-1"])
        #expect(computed.unrecorded == nil)
        // gc's least-recently-used order reads these stamps: the whole closure was used.
        #expect(Self.stampTime(area, "ROOT/v6-32-06-1") == 1_900_000_000)
        #expect(Self.stampTime(area, "zlib/v1.3.1-1") == 1_900_000_000)
        let records = try Self.records(area)
        #expect(records.count == 1)
        #expect(records.first?.kind == .run)
        #expect(records.first?.jobID == "j1")
        #expect(records.first?.started == 1_900_000_000)
        #expect(records.first?.packages.map(\.id) == ["VO_ALICE@zlib::v1.3.1-1", "VO_ALICE@ROOT::v6-32-06-1"])
    }

    /// An area that knows its VO (config.json's `vo`) names its uses and their packages with it.
    @Test func usesOfAVOsAreaNameThatVO() throws {
        let area = try Self.area(state: true)
        defer { EnvironmentFixture.remove(area) }
        try SoftwareArea.Configuration(vo: "VO_PANDA").write(to: area.root.appendingPathComponent(".alien/config.json").path)
        _ = try area.environment(for: Self.requests, base: Self.base, recording: EnvironmentUse(.run, jobID: "j2"), now: Self.when)
        let records = try Self.records(area)
        #expect(records.map(\.vo) == ["VO_PANDA"])
        #expect(records.first?.packages.map(\.id) == ["VO_PANDA@zlib::v1.3.1-1", "VO_PANDA@ROOT::v6-32-06-1"])
    }

    @Test func recordsNothingWhenNotAsked() throws {
        let area = try Self.area(state: true)
        defer { EnvironmentFixture.remove(area) }
        let computed = try area.environment(for: Self.requests, base: Self.base, recording: nil)
        #expect(computed.changes.values["ROOTSYS"] == area.root.path + "/\(EnvironmentFixture.arch)/ROOT/v6-32-06-1")
        #expect(Self.stampTime(area, "ROOT/v6-32-06-1") == nil)
        #expect(!FileManager.default.fileExists(atPath: area.root.appendingPathComponent(".alien/usage.log").path))
    }

    @Test func anAreaWithoutStateGetsNone() throws {
        let area = try Self.area(state: false)
        defer { EnvironmentFixture.remove(area) }
        let computed = try area.environment(for: Self.requests, base: Self.base, recording: EnvironmentUse(.environment))
        #expect(computed.unrecorded == nil)
        #expect(area.stateLayout == nil)
        #expect(!FileManager.default.fileExists(atPath: area.root.appendingPathComponent(".alien").path))
    }

    @Test func aFailedRecordStillGivesTheEnvironment() throws {
        let area = try Self.area(state: true)
        defer { EnvironmentFixture.remove(area) }
        // A folder where the log should be: the append fails, the environment does not.
        try FileManager.default.createDirectory(at: area.root.appendingPathComponent(".alien/usage.log"), withIntermediateDirectories: true)
        let computed = try area.environment(for: Self.requests, base: Self.base, recording: EnvironmentUse(.environment), now: Self.when)
        #expect(computed.unrecorded != nil)
        #expect(computed.changes.values["ROOT_VERSION"] == "v6-32-06")
        #expect(Self.stampTime(area, "ROOT/v6-32-06-1") == 1_900_000_000)
    }

    @Test func compositionsAddAlienvsVariables() throws {
        let area = try Self.area(state: false)
        defer { EnvironmentFixture.remove(area) }
        let load = try area.environment(for: Self.requests, base: Self.base, composition: .load, recording: nil)
        #expect(load.changes.values[Alienv.loadedVariable] == "ROOT/v6-32-06-1")
        let enter = try area.environment(for: Self.requests, base: Self.base, composition: .enter, recording: nil)
        #expect(enter.changes.values[Alienv.enteredVariable] == "ROOT/v6-32-06-1")
        #expect(enter.changes.values[Alienv.levelVariable] == "1")
        #expect(throws: EnvironmentError.self) {
            try area.environment(for: Self.requests, base: Self.base.merging([Alienv.levelVariable: "1"]) { $1 }, composition: .enter, recording: nil)
        }
    }

    @Test func aMissingPackageIsAnErrorAndNothingIsRecorded() throws {
        let area = try Self.area(state: true)
        defer { EnvironmentFixture.remove(area) }
        #expect(throws: EnvironmentError.self) {
            try area.environment(for: [try PackageID(parsing: "AliRoot")], base: Self.base, recording: EnvironmentUse(.environment))
        }
        #expect(!FileManager.default.fileExists(atPath: area.root.appendingPathComponent(".alien/usage.log").path))
    }

    @Test func theSoftwareAreaSharesTheCall() throws {
        let environmentArea = try Self.area(state: false)
        defer { EnvironmentFixture.remove(environmentArea) }
        let area = try SoftwareArea.open(root: environmentArea.root.path, arch: EnvironmentFixture.arch, fetcher: HTTPClient())
        let computed = try area.environment(for: Self.requests, base: Self.base, recording: EnvironmentUse(.environment), now: Self.when)
        #expect(computed.closure.count == 2)
        #expect(Self.stampTime(environmentArea, "zlib/v1.3.1-1") == 1_900_000_000)
        #expect(try Self.records(environmentArea).map(\.kind) == [.environment])
        let odd = try SoftwareArea.open(root: environmentArea.root.path, arch: "noarch", fetcher: HTTPClient())
        #expect(throws: EnvironmentError.self) { try odd.environment(for: Self.requests, base: Self.base, recording: nil) }
    }
}
