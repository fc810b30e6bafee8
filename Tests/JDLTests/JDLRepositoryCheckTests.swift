import AlienModel
import JDL
import Testing

@Suite struct JDLRepositoryCheckTests {
    static let arch = "slc9_x86-64"
    /// Newest first within a name, as `PackageCatalog` lists them.
    static let available = [
        PackageTargetMetadata(name: "AliPhysics", version: "v5-09-45a-01", revision: "2", arch: arch),
        PackageTargetMetadata(name: "AliPhysics", version: "v5-09-45a-01", revision: "1", arch: arch),
        PackageTargetMetadata(name: "AliPhysics", version: "v5-09-44", revision: "1", arch: arch),
        PackageTargetMetadata(name: "ROOT", version: "v6-32-06", revision: "1", arch: arch),
        PackageTargetMetadata(name: "jemalloc", version: "v5.3.0", revision: "1", arch: arch),
        PackageTargetMetadata(name: "ARMOnly", version: "v1", revision: "1", arch: "slc9_aarch64")
    ]

    static func check(_ packages: String) throws -> JDLRepositoryCheck {
        let document = try JDLDocument(parsing: "Packages = {\(packages)};", arguments: [])
        return JDLRepositoryCheck(packages: try JDLPackages(document: document), available: available, arch: arch)
    }

    @Test func editDistance() {
        #expect(JDLSuggestions.editDistance("", "") == 0)
        #expect(JDLSuggestions.editDistance("abc", "") == 3)
        #expect(JDLSuggestions.editDistance("kitten", "sitting") == 3)
        #expect(JDLSuggestions.editDistance("AliPhysic", "AliPhysics") == 1)
        #expect(JDLSuggestions.editDistance("flaw", "lawn") == 2)
    }

    @Test func definedLatestAndBareNamesResolveToTheNewest() throws {
        let result = try Self.check(#""VO_ALICE@AliPhysics::v5-09-45a-01-1", "jemalloc::latest", "AliPhysics::v5-09-44", "ROOT""#)
        #expect(result.succeeded)
        #expect(
            result.results.map(\.status) == [
                .defined(resolved: "AliPhysics::v5-09-45a-01-1"), .defined(resolved: "jemalloc::v5.3.0-1"),
                .defined(resolved: "AliPhysics::v5-09-44-1"), .defined(resolved: "ROOT::v6-32-06-1")
            ])
        #expect(result.resolvedQualified(defaultOwner: "VO_ALICE").contains("VO_ALICE@jemalloc::v5.3.0-1"))
        #expect(result.results[1].description == "jemalloc::latest → jemalloc::v5.3.0-1")
    }

    @Test func misspelledNameSuggestsTheCloseName() throws {
        let result = try Self.check(#""AliPhysic::v5""#)
        #expect(!result.succeeded)
        #expect(result.results[0].status == .undefined(suggestions: ["AliPhysics::v5-09-45a-01-2"]))
        #expect(result.results[0].description == "AliPhysic::v5 not defined for slc9_x86-64; did you mean AliPhysics::v5-09-45a-01-2?")
    }

    @Test func unknownVersionSuggestsTheClosestVersions() throws {
        let result = try Self.check(#""AliPhysics::v5-09-45a-01-7""#)
        guard case let .undefined(suggestions) = result.results[0].status else { Issue.record("not undefined"); return }
        #expect(suggestions.first?.hasPrefix("AliPhysics::v5-09-45a-01-") == true)
        #expect(suggestions.count == 3)
    }

    @Test func nothingCloseMeansNoSuggestion() throws {
        let result = try Self.check(#""Geant4::v11""#)
        #expect(result.results[0].status == .undefined(suggestions: []))
        #expect(result.results[0].description == "Geant4::v11 not defined for slc9_x86-64")
    }

    @Test func otherArchitectureIsNamed() throws {
        let result = try Self.check(#""ARMOnly::latest""#)
        #expect(result.results[0].status == .otherArchitectures(["slc9_aarch64"]))
        #expect(result.results[0].description.contains("only for slc9_aarch64"))
    }

    @Test func jsonListsEachPackage() throws {
        let result = try Self.check(#""ROOT::latest", "AliPhysic::v5""#)
        #expect(
            result.json(defaultOwner: "VO_ALICE") == #"[{"package":"VO_ALICE@ROOT::latest","resolved":"VO_ALICE@ROOT::v6-32-06-1","status":"defined"},"#
                + #"{"package":"VO_ALICE@AliPhysic::v5","status":"undefined","suggestions":["AliPhysics::v5-09-45a-01-2"]}]"#)
    }

    @Test func requirementsUseTheResolvedPackages() throws {
        let document = try JDLDocument(parsing: #"Packages = {"ROOT::latest"}; Requirements = other.TTL > 1;"#, arguments: [])
        let check = try JDLCheck(text: #"Packages = {"ROOT::latest"}; Requirements = other.TTL > 1;"#, arguments: [])
        let resolved = JDLRepositoryCheck(packages: try JDLPackages(document: document), available: Self.available, arch: Self.arch)
        #expect(
            check.requirements(resolvedBy: resolved)
                == #"(other.Type == "machine") && (member(other.Packages, "VO_ALICE@ROOT::v6-32-06-1")) && (other.TTL > 1)"#)
    }
}
