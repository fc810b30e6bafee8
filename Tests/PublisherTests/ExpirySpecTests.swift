import Publisher
import Testing
import Trust

@Suite struct ExpirySpecTests {
    @Test func durationsAndDates() throws {
        #expect(try ExpirySpec(parsing: "7d") == .after(seconds: 7 * 86400))
        #expect(try ExpirySpec(parsing: "12h") == .after(seconds: 12 * 3600))
        #expect(try ExpirySpec(parsing: "2w") == .after(seconds: 14 * 86400))
        #expect(try ExpirySpec(parsing: "2030-01-01").expiry(from: Fixtures.now).description == "2030-01-01T00:00:00Z")
        #expect(try ExpirySpec(parsing: "2030-06-01T12:30:00Z").expiry(from: Fixtures.now).description == "2030-06-01T12:30:00Z")
        #expect(try ExpirySpec(parsing: "1d").expiry(from: Fixtures.now).description == "2026-01-02T00:00:00Z")
    }

    @Test(arguments: ["", "7", "d", "-1d", "0h", "7y", "2030-13-01", "soon"])
    func refusesOtherText(_ text: String) {
        #expect(throws: PublisherError.self) { try ExpirySpec(parsing: text) }
    }

    @Test func roleOverrides() throws {
        let expiries = try RoleExpiries(overrides: ["snapshot=2d", "targets=30d"])
        #expect(expiries.snapshot == .after(seconds: 2 * 86400) && expiries.targets == .after(seconds: 30 * 86400))
        #expect(expiries.root == RoleExpiries.defaults.root && expiries.timestamp == .after(seconds: 86400))
        #expect(throws: PublisherError.self) { try RoleExpiries(overrides: ["mirror=1d"]) }
        #expect(throws: PublisherError.self) { try RoleExpiries(overrides: ["7d"]) }
    }
}
