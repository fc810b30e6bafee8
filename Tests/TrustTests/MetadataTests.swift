import AlienModel
import Testing
@testable import Trust

@Suite struct MetadataTests {
    private func signedTimestamp(_ keys: [SigningKey]) throws -> Metadata<Timestamp> {
        var metadata = Metadata(signed: try Timestamp(version: 1, expires: Fixtures.expires, snapshotMeta: MetaFile(version: 1)))
        for key in keys { try metadata.sign(with: key) }
        return metadata
    }

    private func table(_ keys: [SigningKey]) -> [String: Key] {
        Dictionary(uniqueKeysWithValues: keys.map { ($0.keyID, $0.key) })
    }

    @Test func signsCanonicalBytesOfSigned() throws {
        let key = SigningKey.generate()
        let metadata = try signedTimestamp([key])
        #expect(metadata.signatures.count == 1)
        #expect(key.key.isValidSignature(metadata.signatures[0].sig, for: metadata.signed.json.canonicalBytes))
    }

    @Test func signingAgainReplacesTheKeysSignature() throws {
        let key = SigningKey.generate()
        var metadata = try signedTimestamp([key])
        metadata.signed.version = 2
        try metadata.sign(with: key)
        #expect(metadata.signatures.count == 1)
        #expect(try metadata.verify(role: "timestamp", keys: table([key]), threshold: 1) == [key.keyID])
    }

    @Test func duplicateSignaturesByOneKeyCountOnce() throws {
        let key = SigningKey.generate()
        var metadata = try signedTimestamp([key])
        metadata.signatures.append(metadata.signatures[0])
        #expect(throws: TrustError.thresholdNotMet(role: "timestamp", validKeyIDs: [key.keyID], threshold: 2)) {
            try metadata.verify(role: "timestamp", keys: table([key]), threshold: 2)
        }
    }

    /// tuf-conformance `test_duplicate_sig_keyids`: a file whose signatures repeat a key id is
    /// refused when parsed, even though its one distinct signature is valid.
    @Test func refusesAFileWithTwoSignaturesByOneKeyID() throws {
        let key = SigningKey.generate()
        var metadata = try signedTimestamp([key])
        #expect(try Metadata<Timestamp>(bytes: metadata.serialized()) == metadata)
        metadata.signatures.append(metadata.signatures[0])
        let expected = TrustError.invalidValue(
            context: "timestamp.signatures[1]", field: "keyid",
            expected: "a key id no other signature has", got: "'\(key.keyID)' again")
        #expect(throws: expected) { try Metadata<Timestamp>(bytes: metadata.serialized()) }
        // Also when the second one carries another (invalid) signature value.
        metadata.signatures[1].sig = String(repeating: "0", count: 128)
        #expect(throws: expected) { try Metadata<Timestamp>(bytes: metadata.serialized()) }
    }

    @Test func unknownKeysAndBadSignaturesDoNotCount() throws {
        let keys = [SigningKey.generate(), SigningKey.generate(), SigningKey.generate()]
        var metadata = try signedTimestamp(keys)
        metadata.signatures[1].sig = String(metadata.signatures[1].sig.reversed())
        metadata.signatures.append(Signature(keyID: "not-a-key", sig: "00"))
        // keys[2] signed validly but is not authorized; keys[1]'s signature is corrupt.
        let authorized = table(Array(keys[0...1]))
        #expect(try metadata.verify(role: "timestamp", keys: authorized, threshold: 1) == [keys[0].keyID])
        #expect(throws: TrustError.self) { try metadata.verify(role: "timestamp", keys: authorized, threshold: 2) }
        #expect(throws: TrustError.self) { try metadata.verify(role: "timestamp", keys: authorized, threshold: 0) }
    }

    @Test func changingSignedInvalidatesSignatures() throws {
        let key = SigningKey.generate()
        var metadata = try signedTimestamp([key])
        metadata.signed.unrecognizedFields["x"] = .integer(1)
        #expect(throws: TrustError.self) { try metadata.verify(role: "timestamp", keys: table([key]), threshold: 1) }
    }

    @Test func serializedBytesParseBackIdentically() throws {
        var metadata = try signedTimestamp([SigningKey.generate()])
        metadata.unrecognizedFields["x-envelope"] = .string("a\u{1}b")
        metadata.signatures[0].unrecognizedFields["x-sig"] = .bool(true)
        let parsed = try Metadata<Timestamp>(bytes: metadata.serialized())
        #expect(parsed == metadata)
        #expect(parsed.signedBytes == metadata.signedBytes)
    }

    @Test func refusesMalformedEnvelopes() {
        for text in [
            #"{"signed":{}}"#, #"{"signatures":[]}"#, #"{"signed":1,"signatures":[]}"#, "[]", "{",
            #"{"signed":{"_type":"root"},"signatures":[{"keyid":"a"}]}"#
        ] {
            #expect(throws: TrustError.self, "\(text)") { try Metadata<Timestamp>(bytes: Array(text.utf8)) }
        }
    }

    @Test func thresholdMessageNamesTheRoleAndTheCount() {
        #expect(
            TrustError.thresholdNotMet(role: "snapshot", validKeyIDs: ["ab"], threshold: 2).description
                == "snapshot: 1 valid signature(s) from authorized keys (ab); expected at least 2")
    }
}
