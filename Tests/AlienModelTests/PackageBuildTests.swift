import AlienModel
import Testing

@Suite struct PackageBuildTests {
    static func build(_ name: String, _ version: String, _ revision: String = "1") throws -> PackageBuild {
        PackageBuild(name: try PackageName(name), version: PackageVersion(version: version, revision: revision))
    }

    @Test func spellings() throws {
        let root = try Self.build("ROOT", "v6-32-06", "2")
        #expect(root.description == "ROOT/v6-32-06-2")
        #expect(root.qualified() == "VO_ALICE@ROOT::v6-32-06-2")
        #expect(root.qualified(owner: "VO_TEST") == "VO_TEST@ROOT::v6-32-06-2")
        #expect(root.id == PackageID(name: try PackageName("ROOT"), version: .exact("v6-32-06-2")))
        #expect(root.id.description == "ROOT::v6-32-06-2")
        // The exact request matches this build and no other.
        #expect(root.id.version.matches(version: "v6-32-06", revision: "2"))
        #expect(!root.id.version.matches(version: "v6-32-06", revision: "1"))
    }

    @Test(arguments: ["ROOT/v6-32-06-2", "ROOT::v6-32-06-2", "VO_ALICE@ROOT::v6-32-06-2", " ROOT/v6-32-06-2 "])
    func parsesWhatItWrites(text: String) throws {
        #expect(try PackageBuild(parsing: text) == Self.build("ROOT", "v6-32-06", "2"))
    }

    @Test func roundTrips() throws {
        for build in [
            try Self.build("GCC-Toolchain", "v13.2.0-alice1", "3"), try Self.build("O2Physics", "nightly-20240131", "10"),
            try Self.build("a", "1", "0")
        ] {
            #expect(try PackageBuild(parsing: build.description) == build)
            #expect(try PackageBuild(parsing: build.qualified()) == build)
            #expect(try PackageBuild(parsing: build.qualified(owner: "someone")) == build)
        }
    }

    /// The revision is what follows the last `-`, as for a folder.
    @Test func revisionIsAfterTheLastDash() throws {
        let parsed = try PackageBuild(parsing: "AliRoot/v5-09-59-1")
        #expect(parsed.version == PackageVersion(version: "v5-09-59", revision: "1"))
    }

    @Test(arguments: [
        "", "ROOT", "ROOT::latest", "ROOT/", "ROOT/v6", "ROOT/-1", "ROOT/v6-", "/v6-1", "RO OT/v6-1",
        "ROOT/v6 1-1", "@ROOT/v6-1", "ROOT::", "ROOT/v6/1-1"
    ])
    func refusesWhatIsNoBuild(text: String) {
        #expect(throws: ModelError.self) { try PackageBuild(parsing: text) }
    }

    @Test func refusalNamesTheText() {
        #expect(throws: ModelError.invalidPackageID("ROOT::latest", reason: "a build names its version and revision")) {
            try PackageBuild(parsing: "ROOT::latest")
        }
        #expect(throws: ModelError.invalidPackageID("ROOT/v6", reason: "\"v6\" is not Version-Revision")) {
            try PackageBuild(parsing: "ROOT/v6")
        }
    }

    /// By name, then by ``PackageVersion``'s order — not the texts' order.
    @Test func orderIsNameThenPackageVersion() throws {
        #expect(try Self.build("ROOT", "v5-9") < Self.build("ROOT", "v5-10"))
        #expect(try Self.build("ROOT", "v1", "9") < Self.build("ROOT", "v1", "10"))
        #expect(try Self.build("ROOT", "v6-32-06") < Self.build("ROOT", "v6-32-6"))
        #expect(try Self.build("AliRoot", "v9") < Self.build("ROOT", "v1"))
        #expect(try !(Self.build("ROOT", "v1") < Self.build("ROOT", "v1")))
        let builds = [
            try Self.build("zlib", "v1.3.1"), try Self.build("ROOT", "v6-32-10"), try Self.build("ROOT", "v6-32-9"),
            try Self.build("ROOT", "v6-32-9", "10"), try Self.build("ROOT", "v6-32-9", "2")
        ]
        #expect(
            builds.sorted().map(\.description)
                == ["ROOT/v6-32-9-1", "ROOT/v6-32-9-2", "ROOT/v6-32-9-10", "ROOT/v6-32-10-1", "zlib/v1.3.1-1"])
        #expect(builds.filter { $0.name.rawValue == "ROOT" }.max()?.description == "ROOT/v6-32-10-1")
    }

    @Test func equalityAndHashingAreByNameAndBuild() throws {
        let set: Set = [try Self.build("ROOT", "v1"), try Self.build("ROOT", "v1"), try Self.build("ROOT", "v1", "2")]
        #expect(set.count == 2)
        #expect(try Self.build("ROOT", "v1") != Self.build("root", "v1"))
    }
}
