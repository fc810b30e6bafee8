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

    /// Target entries are read in place when well-formed; every other entry goes the general
    /// way and is refused naming the field, as before.
    @Test func parsesTargetEntriesInPlaceOrRefusesThemNamingTheField() throws {
        func entry(_ text: String) throws -> TargetFile {
            try TargetFile(json: JSONValue(parsing: text), context: "targets.signed.targets.p")
        }
        let plain = try entry(#"{"length":0,"hashes":{"sha256":"ab","sha512":"cd"}}"#)
        #expect(plain == (try TargetFile(length: 0, hashes: ["sha256": "ab", "sha512": "cd"])))
        let full = try entry(#"{"length":7,"hashes":{"sha256":"ab"},"custom":{"v":[1]},"x-a":null,"x-b":"kept"}"#)
        #expect(full.custom == .object(["v": .array([.integer(1)])]))
        #expect(full.unrecognizedFields == ["x-a": .null, "x-b": .string("kept")])
        #expect(full.json == (try JSONValue(parsing: #"{"length":7,"hashes":{"sha256":"ab"},"custom":{"v":[1]},"x-a":null,"x-b":"kept"}"#)))
        let noCustom = try entry(#"{"length":7,"hashes":{"sha256":"ab"},"x":1}"#)
        #expect(noCustom.custom == nil && noCustom.unrecognizedFields == ["x": .integer(1)])
        let context = "targets.signed.targets.p"
        let refused: [(String, TrustError)] = [
            (#"{"hashes":{"sha256":"ab"}}"#, .missingField(context: context, field: "length")),
            (#"{"length":"7","hashes":{"sha256":"ab"}}"#, .wrongType(context: context, field: "length", expected: "an integer", got: "string")),
            (#"{"length":-1,"hashes":{"sha256":"ab"}}"#, .invalidValue(context: context, field: "length", expected: "an integer ≥ 0", got: "-1")),
            (#"{"length":7}"#, .missingField(context: context, field: "hashes")),
            (#"{"length":7,"hashes":[]}"#, .wrongType(context: context, field: "hashes", expected: "an object", got: "array")),
            (#"{"length":7,"hashes":{}}"#, .invalidValue(context: context, field: "hashes", expected: "at least one hash", got: "an empty object")),
            (#"{"length":7,"hashes":{"sha256":1}}"#, .wrongType(context: context, field: "hashes.sha256", expected: "a string", got: "integer")),
            (#"[7]"#, .wrongType(context: context, field: "", expected: "an object", got: "array"))
        ]
        for (text, error) in refused {
            #expect(throws: error, "\(text)") { try entry(text) }
        }
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
