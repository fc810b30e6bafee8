import AlienModel
import Crypto
import Testing
@testable import Trust

@Suite struct SuccinctRolesTests {
    @Test func namesBinsZeroPaddedToTheLastBin() throws {
        let four = try SuccinctRoles(keyIDs: ["k"], threshold: 1, bitLength: 4, namePrefix: "bins")
        #expect(four.numberOfBins == 16)
        #expect(four.roleNames.first == "bins-0")
        #expect(four.roleNames.last == "bins-f")
        let ten = try SuccinctRoles(keyIDs: ["k"], threshold: 1, bitLength: 10, namePrefix: "b")
        #expect(ten.roleName(bin: 3) == "b-003")
        #expect(ten.roleNames.last == "b-3ff")
        #expect(ten.isDelegatedRole("b-3ff"))
        #expect(!ten.isDelegatedRole("b-400"))
        #expect(!ten.isDelegatedRole("b-03"))
        #expect(!ten.isDelegatedRole("c-003"))
        #expect(!ten.isDelegatedRole("b-0g3"))
        #expect(throws: TrustError.self) { try SuccinctRoles(keyIDs: [], threshold: 1, bitLength: 33, namePrefix: "x") }
        #expect(throws: TrustError.self) { try SuccinctRoles(keyIDs: [], threshold: 1, bitLength: 0, namePrefix: "x") }
    }

    @Test func assignsAPathByTheFirstBitsOfItsSHA256() throws {
        let bins = try SuccinctRoles(keyIDs: ["k"], threshold: 1, bitLength: 8, namePrefix: "h")
        for path in ["a", "pkgs/ROOT.tar", "é/ü"] {
            let first = Array(SHA256.hash(data: Array(path.utf8)))[0]
            let hex = String(first, radix: 16)
            #expect(bins.roleName(for: path) == "h-" + (hex.count == 1 ? "0" + hex : hex))
        }
        let one = try SuccinctRoles(keyIDs: ["k"], threshold: 1, bitLength: 1, namePrefix: "h")
        let top = Array(SHA256.hash(data: Array("a".utf8)))[0] >> 7
        #expect(one.roleName(for: "a") == "h-\(top)")
    }

    @Test func parsesAndRoundTripsInDelegations() throws {
        let text = #"{"keys":{},"succinct_roles":{"bit_length":5,"name_prefix":"bin","keyids":["k1"],"threshold":1,"x":2},"y":true}"#
        let json = try JSONValue(parsing: text)
        let delegations = try Delegations(json: json, context: "d")
        let succinct = try #require(delegations.succinctRoles)
        #expect(succinct.bitLength == 5)
        #expect(succinct.unrecognizedFields == ["x": .integer(2)])
        #expect(delegations.roles.isEmpty)
        #expect(delegations.json == json)
        #expect(delegations.assignment(for: "bin-1f")?.threshold == 1)
        #expect(delegations.assignment(for: "bin-20") == nil)
        #expect(delegations.roles(for: "p").map(\.name) == [succinct.roleName(for: "p")])
        #expect(delegations.roles(for: "p").map(\.terminating) == [true])
        let both = #"{"keys":{},"roles":[],"succinct_roles":{"bit_length":5,"name_prefix":"bin","keyids":[],"threshold":1}}"#
        #expect(throws: TrustError.self) { try Delegations(json: JSONValue(parsing: both), context: "d") }
        #expect(throws: TrustError.self) { try Delegations(json: JSONValue(parsing: #"{"keys":{}}"#), context: "d") }
    }

    @Test func verifiesABinAgainstTheSharedKeys() throws {
        let key = SigningKey.generate()
        let bins = try SuccinctRoles(keyIDs: [key.keyID], threshold: 1, bitLength: 2, namePrefix: "b")
        let delegations = Delegations(keys: [key.keyID: key.key], succinctRoles: bins)
        var metadata = Metadata(signed: try Targets(version: 1, expires: Fixtures.expires))
        try metadata.sign(with: key)
        #expect(try delegations.verify(metadata, as: "b-3") == [key.keyID])
        #expect(throws: TrustError.self) { try delegations.verify(metadata, as: "b-4") }
    }
}
