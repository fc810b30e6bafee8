import AlienModel
import Testing
@testable import Trust

@Suite struct TargetsTests {
    private let text = #"""
        {"_type":"targets","spec_version":"1.0.31","version":2,"expires":"2030-01-01T00:00:00Z","x-top":[1],
         "targets":{"pkgs/a.tar.zst":{"length":12,"hashes":{"sha256":"00"},"custom":{"arch":"slc9"},"x-t":true}},
         "delegations":{"keys":{},"x-d":null,"roles":[
           {"name":"packages","keyids":["k1"],"threshold":1,"terminating":true,"paths":["pkgs/*"]},
           {"name":"bins","keyids":[],"threshold":2,"terminating":false,"path_hash_prefixes":["0a"],"x-r":"kept"}]}}
        """#

    @Test func parsesEveryField() throws {
        let targets = try Targets(json: JSONValue(parsing: text))
        let file = try #require(targets.targets["pkgs/a.tar.zst"])
        #expect(file.length == 12)
        #expect(file.hashes == ["sha256": "00"])
        #expect(file.custom == .object(["arch": .string("slc9")]))
        let delegations = try #require(targets.delegations)
        #expect(delegations.roles.map(\.name) == ["packages", "bins"])
        #expect(delegations.roles[0].paths == .paths(["pkgs/*"]))
        #expect(delegations.roles[1].paths == .pathHashPrefixes(["0a"]))
        #expect(delegations.roles[1].terminating == false)
        #expect(delegations.roles[1].threshold == 2)
    }

    @Test func roundTripsKeepingUnknownFieldsEverywhere() throws {
        let json = try JSONValue(parsing: text)
        #expect(try Targets(json: json).json == json)
    }

    @Test func refusesInvalidDelegations() throws {
        let role = #"{"name":"r","keyids":[],"threshold":1,"terminating":false"#
        for bad in [role + "}", role + #","paths":[],"path_hash_prefixes":[]}"#, #"{"name":"r","keyids":[],"threshold":1,"paths":[]}"#] {
            let json = try JSONValue(parsing: #"{"keys":{},"roles":[\#(bad)]}"#)
            #expect(throws: TrustError.self, "\(bad)") { try Delegations(json: json, context: "d") }
        }
        let named = { (name: String) throws -> DelegatedRole in
            try DelegatedRole(name: name, keyIDs: [], threshold: 1, terminating: false, paths: .paths([]))
        }
        #expect(throws: TrustError.self) { try Delegations(keys: [:], roles: [named("a"), named("a")]) }
        #expect(throws: TrustError.self) { try Delegations(keys: [:], roles: [named("snapshot")]) }
    }

    @Test func targetFileNeedsHashesAndALength() {
        #expect(throws: TrustError.self) { try TargetFile(length: 1, hashes: [:]) }
        #expect(throws: TrustError.self) { try TargetFile(length: -1, hashes: ["sha256": "00"]) }
    }

    @Test func verifiesADelegatedRole() throws {
        let key = SigningKey.generate(), stranger = SigningKey.generate()
        let delegations = try Delegations(
            keys: [key.keyID: key.key],
            roles: [
                DelegatedRole(name: "packages", keyIDs: [key.keyID], threshold: 1, terminating: true, paths: .paths(["*"]))
            ])
        var metadata = Metadata(signed: try Targets(version: 1, expires: Fixtures.expires))
        try metadata.sign(with: stranger)
        #expect(throws: TrustError.self) { try delegations.verify(metadata, as: "packages") }
        try metadata.sign(with: key)
        #expect(try delegations.verify(metadata, as: "packages") == [key.keyID])
        #expect(throws: TrustError.self) { try delegations.verify(metadata, as: "other") }
    }
}
