import JDL
import Testing

@Suite struct JDLRequirementsTests {
    @Test func machineOnly() {
        #expect(JDLRequirements.compose(packages: []) == #"(other.Type == "machine")"#)
        #expect(JDLRequirements.compose(packages: [], userRequirements: "  ") == #"(other.Type == "machine")"#)
    }

    @Test func packagesAndUserExpression() {
        let text = JDLRequirements.compose(
            packages: ["VO_ALICE@AliPhysics::v5-09-45a-01-1", "VO_ALICE@jemalloc::latest"],
            userRequirements: #" member(other.GridPartitions, "quickreco") "#)
        #expect(
            text == #"(other.Type == "machine") && (member(other.Packages, "VO_ALICE@AliPhysics::v5-09-45a-01-1"))"#
                + #" && (member(other.Packages, "VO_ALICE@jemalloc::latest"))"#
                + #" && (member(other.GridPartitions, "quickreco"))"#)
    }

    @Test func fromDocument() throws {
        let document = try JDLDocument(
            parsing: """
                Packages = {"AliPhysics::v1", "ROOT::v6"};
                Requirements = other.TTL > 100;
                """)
        let packages = try JDLPackages(document: document)
        let text = JDLRequirements.compose(
            packages: packages.qualified,
            userRequirements: JDLRequirements.userRequirements(in: document))
        #expect(
            text == #"(other.Type == "machine") && (member(other.Packages, "VO_ALICE@AliPhysics::v1"))"#
                + #" && (member(other.Packages, "VO_ALICE@ROOT::v6")) && (other.TTL > 100)"#)
        // The composed text parses back as one expression.
        let composed = try JDLDocument(parsing: "Requirements = \(text);")
        #expect(composed["Requirements"] == .expression(text))
    }

    @Test func userRequirementsKinds() throws {
        #expect(JDLRequirements.userRequirements(in: try JDLDocument(parsing: "Requirements = TRUE;")) == "true")
        #expect(JDLRequirements.userRequirements(in: try JDLDocument(parsing: "requirements = \"a == 1\";")) == "a == 1")
        #expect(JDLRequirements.userRequirements(in: try JDLDocument(parsing: "A = 1;")) == nil)
    }
}
