import AlienModel
import AreaEnvironment
import SoftwareArea
import Testing

@Suite struct EnvironmentRequestTests {
    @Test func commaSeparatedListsAndEveryForm() throws {
        let ids = try EnvironmentRequest.parse(["VO_ALICE@AliPhysics::v5-09-45a-01-1,ROOT/v6-32-06-1", "zlib", "O2::latest,"])
        #expect(ids.map(\.moduleName) == ["AliPhysics/v5-09-45a-01-1", "ROOT/v6-32-06-1", "zlib", "O2/latest"])
        #expect(ids[0].owner == "VO_ALICE")
        #expect(ids[3].version == .latest)
    }

    @Test func badArgumentsSayWhatIsExpected() {
        #expect(throws: EnvironmentError.self) { try EnvironmentRequest.parse(["ROOT::"]) }
        #expect(throws: EnvironmentError.self) { try EnvironmentRequest.parse([",,"]) }
        do {
            _ = try EnvironmentRequest.parse(["RO OT"])
            Issue.record("a space is not allowed")
        } catch {
            #expect(error.description.hasPrefix("package argument 'RO OT': "))
            #expect(error.description.contains("expected Pkg, Pkg/Version-Rev"))
        }
    }

    /// A text that is no package id keeps the model's refusal as its typed cause.
    @Test func theModelsRefusalIsKept() {
        do {
            _ = try EnvironmentRequest.parse(["ROOT,RO OT"])
            Issue.record("a space is not allowed")
        } catch {
            guard case let .invalidPackageID(text, cause) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(text == "RO OT")
            #expect(error.description == "package argument 'RO OT': \(cause) (expected Pkg, Pkg/Version-Rev, Pkg::Version or VO_ALICE@Pkg::Version)")
        }
    }
}
