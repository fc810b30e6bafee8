import AlienModel
import JDL
import Testing

@Suite struct JDLPackagesTests {
    static func packages(_ text: String, defaultOwner: String = PackageID.defaultOwner) throws(JDLError) -> JDLPackages {
        try JDLPackages(document: JDLDocument(parsing: text), defaultOwner: defaultOwner)
    }

    @Test func listOfPackages() throws {
        let packages = try Self.packages(
            """
            Packages = {
                "VO_ALICE@AliPhysics::v5-09-45a-01-1",
                "jemalloc::latest",
                "user@Tool::v1",
                "ROOT"
            };
            """)
        #expect(packages.entries.map(\.text) == ["VO_ALICE@AliPhysics::v5-09-45a-01-1", "jemalloc::latest", "user@Tool::v1", "ROOT"])
        #expect(packages.entries[1].id.version == .latest)
        #expect(packages.entries[0].location?.line == 2)
        #expect(packages.entries[0].location?.column == 5)
        #expect(
            packages.qualified == [
                "VO_ALICE@AliPhysics::v5-09-45a-01-1", "VO_ALICE@jemalloc::latest", "user@Tool::v1", "VO_ALICE@ROOT"
            ])
        #expect(packages.findings.isEmpty)
    }

    @Test func singleStringAndOwner() throws {
        let packages = try Self.packages(#"packages = "AliDPG::prod-1";"#, defaultOwner: "VO_TEST")
        #expect(packages.qualified == ["VO_TEST@AliDPG::prod-1"])
        #expect(packages.entries[0].location?.description == "1:12")
        #expect(try Self.packages("A = 1;").entries.isEmpty)
    }

    @Test func duplicatesAndConflictingVersions() throws {
        let packages = try Self.packages(
            """
            Packages = {"AliPhysics::v1", "VO_ALICE@AliPhysics::v1",
                         "AliPhysics::v2", "ROOT", "other@ROOT"};
            """)
        #expect(packages.findings.count == 2)
        guard case let .duplicate(name, first, second) = packages.findings[0] else {
            Issue.record("\(packages.findings)")
            return
        }
        #expect(name == "VO_ALICE@AliPhysics::v1")
        #expect(first?.description == "1:13")
        #expect(second?.description == "1:31")
        #expect(
            packages.findings[1]
                == .conflictingVersions(
                    name: "VO_ALICE@AliPhysics", entries: ["VO_ALICE@AliPhysics::v1", "VO_ALICE@AliPhysics::v2"]))
        #expect(packages.findings[1].description.contains("different versions"))
        #expect(packages.uniqueQualified == ["VO_ALICE@AliPhysics::v1", "VO_ALICE@AliPhysics::v2", "VO_ALICE@ROOT", "other@ROOT"])
    }

    @Test func nonStringEntry() {
        #expect(throws: JDLError.self) { try Self.packages("Packages = {\"ROOT\",\n  42};") }
        do {
            _ = try Self.packages("Packages = {\"ROOT\",\n  42};")
        } catch {
            #expect(error.location?.line == 2)
            #expect(error.location?.column == 3)
            #expect(error.description.contains("must be a string, got a number (42)"))
        }
    }

    @Test func emptyPackageName() {
        do {
            _ = try Self.packages("Packages = {\"ROOT\", \"\"};")
            Issue.record("accepted")
        } catch {
            #expect(error.location?.line == 1)
            #expect(error.location?.column == 21)
            #expect(error.description.contains(#"entry "" is not a package: it is empty"#))
        }
    }

    @Test func notAPackage() {
        do {
            _ = try Self.packages("Packages = \"AliPhysics::\";")
            Issue.record("accepted")
        } catch {
            #expect(error.location?.description == "1:12")
            #expect(error.description.contains("version after the separator is empty"))
        }
    }
}
