import AlienModel
import Testing
@testable import Trust

@Suite struct SnapshotTests {
    @Test func metaFileOptionalFieldsRoundTrip() throws {
        let bare = try MetaFile(version: 2)
        #expect(bare.json == .object(["version": .integer(2)]))
        let full = try MetaFile(version: 3, length: 10, hashes: ["sha256": "ab"], unrecognizedFields: ["x": .null])
        #expect(try MetaFile(json: full.json, context: "m") == full)
        #expect(throws: TrustError.self) { try MetaFile(version: 0) }
        #expect(throws: TrustError.self) { try MetaFile(version: 1, length: -1) }
        #expect(throws: TrustError.self) { try MetaFile(version: 1, hashes: [:]) }
    }

    @Test func snapshotRoundTrips() throws {
        var snapshot = try Snapshot(
            version: 4, expires: Fixtures.expires,
            meta: ["targets.json": MetaFile(version: 3), "packages.json": MetaFile(version: 1, length: 5)])
        snapshot.unrecognizedFields["x-build"] = .string("42")
        let text = String(decoding: snapshot.json.canonicalBytes, as: UTF8.self)
        #expect(
            text
                == #"{"_type":"snapshot","expires":"2030-01-01T00:00:00Z","meta":{"packages.json":{"length":5,"version":1},"targets.json":{"version":3}},"spec_version":"1.0.31","version":4,"x-build":"42"}"#
        )
        #expect(try Snapshot(json: snapshot.json) == snapshot)
    }

    @Test func timestampHasOnlySnapshotJSON() throws {
        let timestamp = try Timestamp(version: 9, expires: Fixtures.expires, snapshotMeta: MetaFile(version: 4, hashes: ["sha256": "cd"]))
        #expect(try Timestamp(json: timestamp.json) == timestamp)
        let extra = try JSONValue(
            parsing:
                #"{"_type":"timestamp","spec_version":"1.0.31","version":1,"expires":"2030-01-01T00:00:00Z","meta":{"snapshot.json":{"version":1},"other.json":{"version":1}}}"#
        )
        #expect(throws: TrustError.self) { try Timestamp(json: extra) }
    }
}
