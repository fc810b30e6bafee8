import AlienModel
import Foundation
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

    /// A signed targets file (paths with '/' and a non-ASCII letter, a custom field) and its
    /// bytes as `serialized()` writes them: canonical, so signatures are checked over them as received.
    private func signedTargets(_ key: SigningKey) throws -> (Metadata<Targets>, String) {
        let file = try TargetFile(
            length: 0, hashes: ["sha256": String(repeating: "ab", count: 32)],
            custom: .object(["name": .string("Café"), "revision": .string("1")]))
        var metadata = Metadata(signed: try Targets(version: 3, expires: Fixtures.expires, targets: ["slc9/Café/Café-v1.tar.gz": file]))
        try metadata.sign(with: key)
        return (metadata, String(decoding: metadata.serialized(), as: UTF8.self))
    }

    /// JSON text of `value` with every object's keys in reverse canonical order.
    private func reversedKeys(_ value: JSONValue) -> String {
        switch value {
        case let .object(members):
            let keys = members.keys.sorted().reversed()
            return "{"
                + keys.map { "\(String(decoding: JSONValue.string($0).canonicalBytes, as: UTF8.self)):\(reversedKeys(members[$0]!))" }
                .joined(separator: ",") + "}"
        case let .array(elements): return "[" + elements.map(reversedKeys).joined(separator: ",") + "]"
        default: return String(decoding: value.canonicalBytes, as: UTF8.self)
        }
    }

    /// Signatures are checked over the received bytes of `signed` when those are its canonical
    /// form, else over the form written again: every layout of one document gets the same
    /// answer, and the bytes checked are always the canonical ones.
    @Test func everyLayoutOfADocumentGetsTheSameVerificationAnswer() throws {
        let key = SigningKey.generate()
        let (metadata, canonical) = try signedTargets(key)
        let signedText = String(decoding: metadata.signed.json.canonicalBytes, as: UTF8.self)
        #expect(canonical.contains(#""signed":"# + signedText))
        let reordered = canonical.replacingOccurrences(of: signedText, with: reversedKeys(metadata.signed.json))
        #expect(reordered != canonical)
        let layouts: [(String, String)] = [
            ("canonical", canonical),
            ("spaces", canonical.replacingOccurrences(of: #""version":3"#, with: #""version" : 3"#)),
            ("newline at the end of signed", canonical.replacingOccurrences(of: #""version":3}}"#, with: "\"version\":3\n}}")),
            ("unsorted keys", reordered),
            ("escaped slash", canonical.replacingOccurrences(of: "slc9/Caf", with: #"slc9\/Caf"#)),
            ("unicode escape", canonical.replacingOccurrences(of: "Café-v1", with: #"Caf\u00e9-v1"#)),
            ("escaped ASCII letter", canonical.replacingOccurrences(of: #""revision""#, with: #""r\u0065vision""#)),
            ("minus zero", canonical.replacingOccurrences(of: #""length":0"#, with: #""length":-0"#)),
            ("indented envelope", canonical.replacingOccurrences(of: #","signed":"#, with: ",\n \"signed\": "))
        ]
        let keys = table([key])
        for (name, text) in layouts {
            let parsed = try Metadata<Targets>(bytes: Array(text.utf8))
            #expect(parsed == metadata, "\(name)")
            #expect(parsed.signedBytes == metadata.signed.json.canonicalBytes, "\(name)")
            #expect(try parsed.verify(role: "targets", keys: keys, threshold: 1) == [key.keyID], "\(name)")
            // The same layout with one signed value changed is refused, fast path or not.
            let tampered = text.replacingOccurrences(of: #""version":3"#, with: #""version":4"#)
                .replacingOccurrences(of: #""version" : 3"#, with: #""version" : 4"#)
            #expect(tampered != text, "\(name)")
            #expect(throws: TrustError.thresholdNotMet(role: "targets", validKeyIDs: [], threshold: 1), "\(name)") {
                try Metadata<Targets>(bytes: Array(tampered.utf8)).verify(role: "targets", keys: keys, threshold: 1)
            }
        }
        // A duplicate key inside `signed` is refused before any signature is looked at.
        let duplicated = canonical.replacingOccurrences(of: #""version":3"#, with: #""version":3,"version":3"#)
        #expect(throws: TrustError.self) { try Metadata<Targets>(bytes: Array(duplicated.utf8)) }
    }

    @Test func thresholdMessageNamesTheRoleAndTheCount() {
        #expect(
            TrustError.thresholdNotMet(role: "snapshot", validKeyIDs: ["ab"], threshold: 2).description
                == "snapshot: 1 valid signature(s) from authorized keys (ab); expected at least 2")
    }
}
