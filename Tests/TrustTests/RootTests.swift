import AlienModel
import Testing
@testable import Trust

@Suite struct RootTests {
    @Test func roundTripsKeepingUnknownFields() throws {
        let key = SigningKey.generate()
        var root = try Fixtures.root([key])
        root.unrecognizedFields["x-site"] = .object(["name": .string("CERN")])
        root.roles["root"]!.unrecognizedFields["x-note"] = .integer(-1)
        let parsed = try Root(json: root.json)
        #expect(parsed == root)
        #expect(parsed.json == root.json)
    }

    @Test func omitsAbsentConsistentSnapshot() throws {
        var root = try Fixtures.root([SigningKey.generate()])
        root.consistentSnapshot = nil
        guard case let .object(fields) = root.json else { Issue.record("not an object"); return }
        #expect(fields["consistent_snapshot"] == nil)
        #expect(try Root(json: root.json).consistentSnapshot == nil)
    }

    @Test func requiresExactlyTheFourTopLevelRoles() throws {
        let root = try Fixtures.root([SigningKey.generate()])
        var roles = root.roles
        roles["extra"] = roles["root"]
        #expect(throws: TrustError.self) { try Root(version: 1, expires: Fixtures.expires, keys: root.keys, roles: roles) }
        roles["extra"] = nil
        roles["timestamp"] = nil
        #expect(throws: TrustError.self) { try Root(version: 1, expires: Fixtures.expires, keys: root.keys, roles: roles) }
    }

    @Test func keysForARoleSkipsUnknownIDs() throws {
        let key = SigningKey.generate()
        var root = try Fixtures.root([key])
        root.roles["targets"] = try RoleKeys(keyIDs: [key.keyID, "missing"], threshold: 1)
        #expect(Array(root.keys(for: "targets").keys) == [key.keyID])
        #expect(root.keys(for: "nobody").isEmpty)
    }

    @Test func verifiesTopLevelRolesAgainstItsThresholds() throws {
        let keys = [SigningKey.generate(), SigningKey.generate()]
        let root = try Fixtures.root(keys, threshold: 2)
        var metadata = Metadata(signed: try Timestamp(version: 1, expires: Fixtures.expires, snapshotMeta: MetaFile(version: 1)))
        try metadata.sign(with: keys[0])
        #expect(throws: TrustError.self) { try root.verify(metadata, as: "timestamp") }
        try metadata.sign(with: keys[1])
        #expect(try root.verify(metadata, as: "timestamp") == Set(keys.map(\.keyID)))
        #expect(throws: TrustError.self) { try root.verify(metadata, as: "mirror") }
    }
}
