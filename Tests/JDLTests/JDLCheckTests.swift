import Foundation
import JDL
import Testing

@Suite struct JDLCheckTests {
    @Test func wellFormedJobComposesRequirements() throws {
        let check = try JDLCheck(
            text: """
                Executable = "/bin/run";
                Packages = { "VO_ALICE@AliPhysics::v5-09-45a-01-1", "jemalloc::latest" };
                Requirements = member(other.GridPartitions, "quickreco");
                """, arguments: [])
        #expect(check.succeeded)
        #expect(
            check.requirements
                == #"(other.Type == "machine") && (member(other.Packages, "VO_ALICE@AliPhysics::v5-09-45a-01-1")) && (member(other.Packages, "VO_ALICE@jemalloc::latest")) && (member(other.GridPartitions, "quickreco"))"#
        )
    }

    @Test func twoVersionsOfOnePackageFailTheCheck() throws {
        let check = try JDLCheck(text: #"Packages = { "ROOT::v6-32-06-1", "ROOT::v6-34-02-1" };"#, arguments: [])
        #expect(!check.succeeded)
        #expect(check.problems.count == 1)
        #expect(check.problems[0].contains("ROOT"))
    }

    @Test func jsonIsValidAndComplete() throws {
        let check = try JDLCheck(
            text: "Executable = \"/bin/run\";\nArguments = \"$1\";\nPackages = \"ROOT::v6\";\nTTL = 100;\nTTL = 200;\n",
            arguments: ["tab\there"])
        let object = try JSONSerialization.jsonObject(with: Data(check.json.utf8)) as? [String: Any]
        #expect(object?["valid"] as? Bool == true)
        #expect(object?["packages"] as? [String] == ["VO_ALICE@ROOT::v6"])
        #expect((object?["attributes"] as? [String: String])?["Arguments"] == "\"tab\\there\"")
        #expect((object?["warnings"] as? [String])?.count == 1, "TTL set twice")
    }

    @Test func missingArgumentIsAnError() throws {
        #expect(throws: JDLError.self) { try JDLCheck(text: "Arguments = \"$1 $2\";", arguments: ["only-one"]) }
    }
}
