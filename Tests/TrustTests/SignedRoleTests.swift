import AlienModel
import Testing
@testable import Trust

@Suite struct SignedRoleTests {
    private func timestamp(_ fields: String) throws -> Timestamp {
        try Timestamp(json: JSONValue(parsing: #"{"_type":"timestamp",\#(fields),"meta":{"snapshot.json":{"version":1}}}"#))
    }

    @Test func checksCommonFields() throws {
        let parsed = try timestamp(#""spec_version":"1.0","version":3,"expires":"2030-01-01T00:00:00Z""#)
        #expect(parsed.version == 3)
        #expect(parsed.expires == Fixtures.expires)
        for bad in [
            #""spec_version":"2.0.0","version":1,"expires":"2030-01-01T00:00:00Z""#,
            #""spec_version":"1","version":1,"expires":"2030-01-01T00:00:00Z""#,
            #""spec_version":"1.x.0","version":1,"expires":"2030-01-01T00:00:00Z""#,
            #""spec_version":"1.0.31","version":0,"expires":"2030-01-01T00:00:00Z""#,
            #""spec_version":"1.0.31","version":"1","expires":"2030-01-01T00:00:00Z""#,
            #""spec_version":"1.0.31","version":1,"expires":"2030-01-01""#,
            #""spec_version":"1.0.31","version":1"#
        ] {
            #expect(throws: TrustError.self, "\(bad)") { try timestamp(bad) }
        }
    }

    @Test func refusesTheWrongType() throws {
        let json = try JSONValue(parsing: #"{"_type":"snapshot","spec_version":"1.0.31","version":1,"expires":"2030-01-01T00:00:00Z","meta":{}}"#)
        #expect(throws: TrustError.wrongRoleType(expected: "timestamp", got: "snapshot")) { try Timestamp(json: json) }
    }

    @Test func roleKeysNeedDistinctIDsAndAPositiveThreshold() throws {
        #expect(throws: TrustError.self) { try RoleKeys(keyIDs: ["a", "a"], threshold: 1) }
        #expect(throws: TrustError.self) { try RoleKeys(keyIDs: ["a"], threshold: 0) }
        #expect(try RoleKeys(keyIDs: ["a", "b"], threshold: 2).json == .object(["keyids": .array([.string("a"), .string("b")]), "threshold": .integer(2)]))
    }

    @Test func errorsNameTheFieldAndTheExpectation() throws {
        let json = try JSONValue(parsing: #"{"_type":"timestamp","spec_version":"1.0.31","version":true,"expires":"2030-01-01T00:00:00Z","meta":{}}"#)
        #expect(throws: TrustError.wrongType(context: "timestamp.signed", field: "version", expected: "an integer", got: "boolean")) {
            try Timestamp(json: json)
        }
        #expect(
            TrustError.wrongType(context: "timestamp.signed", field: "version", expected: "an integer", got: "boolean").description
                == "timestamp.signed.version: expected an integer, got boolean")
    }
}
