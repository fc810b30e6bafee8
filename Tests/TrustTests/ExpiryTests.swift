import Testing
@testable import Trust

@Suite struct ExpiryTests {
    @Test func parsesAndPrintsRFC3339UTC() throws {
        let expiry = try Expiry(parsing: "2030-01-01T00:00:00Z")
        #expect(expiry.secondsSince1970 == 1_893_456_000)
        #expect(expiry.description == "2030-01-01T00:00:00Z")
        #expect(try Expiry(parsing: "1970-01-01T00:00:00Z").secondsSince1970 == 0)
        #expect(try Expiry(parsing: "2024-02-29T23:59:59Z").description == "2024-02-29T23:59:59Z")
        #expect(Expiry(secondsSince1970: -1).description == "1969-12-31T23:59:59Z")
        #expect(try Expiry(parsing: "0001-01-01T00:00:00Z").description == "0001-01-01T00:00:00Z")
    }

    @Test func refusesOtherForms() {
        for text in [
            "2030-01-01T00:00:00", "2030-01-01 00:00:00Z", "2030-01-01T00:00:00.5Z", "2030-01-01T00:00:00+00:00",
            "2030-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2030-01-01T24:00:00Z", "0000-01-01T00:00:00Z", "2030-1-01T00:00:00Z"
        ] {
            #expect(throws: TrustError.self, "\(text)") { try Expiry(parsing: text) }
        }
    }

    @Test func expiresAtTheInstant() throws {
        let expiry = try Expiry(parsing: "2030-01-01T00:00:00Z")
        #expect(!expiry.isExpired(at: Expiry(secondsSince1970: expiry.secondsSince1970 - 1)))
        #expect(expiry.isExpired(at: expiry))
        #expect(Expiry(secondsSince1970: 1) < expiry)
    }
}
