import AlienModel
import Foundation
import Recipes
import Resolver
import Testing
import TestSupport

@Suite struct PlanRendererTests {
    typealias F = RecipeFixtures

    static func plan(rootVersion: String = "v6") throws -> BuildPlan {
        try ResolverTests.plan(
            [
                "root.sh": F.text("package: ROOT\nversion: \(rootVersion)\nrequires: [zlib]\nenv:\n  ROOTSYS: \"$ROOT_ROOT\""),
                "zlib.sh": F.text("package: zlib\nversion: v1.3")
            ], targets: "ROOT")
    }

    @Test func hashesAreSortedByNameWithoutDefaults() throws {
        let plan = try Self.plan()
        let lines = PlanRenderer.hashes(plan).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("ROOT v6 "))
        #expect(lines[1].hasPrefix("zlib v1.3 "))
        #expect(lines.allSatisfy { $0.split(separator: " ").last?.count == 40 })
    }

    @Test func jsonRoundTripsThroughPlanDocument() throws {
        let plan = try Self.plan()
        let text = try PlanRenderer.render(plan, as: .json)
        let document = try JSONDecoder().decode(PlanDocument.self, from: Data(text.utf8))
        #expect(document == PlanDocument(plan))
        #expect(document.packages["ROOT"]?.runtimeRequires == ["zlib"])
    }

    @Test func dotHasEveryEdge() throws {
        let dot = PlanRenderer.dot(try Self.plan())
        #expect(dot.contains("\"ROOT\" -> \"zlib\";"))
        #expect(dot.contains("\"ROOT\" -> \"defaults-release\" [style=dashed];"))
    }

    @Test func tableListsBuildOrder() throws {
        let table = PlanRenderer.table(try Self.plan())
        let rows = table.split(separator: "\n").map(String.init)
        #expect(rows[1].hasPrefix("PACKAGE"))
        #expect(rows[2].hasPrefix("defaults-release"))
        #expect(rows[4].hasPrefix("ROOT"))
    }

    @Test func explainListsEveryInputAndDiffFindsTheCause() throws {
        let before = try Self.plan()
        let explanation = try #require(PlanExplanation.explain(try PackageName("ROOT"), in: before))
        #expect(explanation.contains("env: OrderedDict([('ROOTSYS', '$ROOT_ROOT')])"))
        #expect(explanation.contains("requires zlib: \(before[try PackageName("zlib")]!.remoteHash)"))
        let after = try Self.plan(rootVersion: "v7")
        let diff = PlanExplanation.diff(old: PlanDocument(before), new: after)
        #expect(diff.contains("version: v6 → v7"))
        #expect(diff.contains("2 package(s) unchanged"))
        #expect(PlanExplanation.diff(old: PlanDocument(before), new: before).hasPrefix("no package hash changed"))
    }
}
