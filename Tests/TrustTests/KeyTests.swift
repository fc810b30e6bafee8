import AlienModel
import Crypto
import Testing
@testable import Trust

@Suite struct KeyTests {
    @Test func keyIDHashesOnlyKeytypeSchemeAndKeyval() throws {
        let key = try Key(
            keytype: "ed25519", scheme: "ed25519", keyval: ["public": .string(String(repeating: "ab", count: 32))],
            unrecognizedFields: ["x-comment": .string("ignored by the key id")])
        let identity = #"{"keytype":"ed25519","keyval":{"public":"\#(String(repeating: "ab", count: 32))"},"scheme":"ed25519"}"#
        #expect(key.keyID == Hex.lowercase(SHA256.hash(data: Array(identity.utf8))))
        var other = key
        other.unrecognizedFields = [:]
        #expect(other.keyID == key.keyID)
    }

    @Test func roundTripsThroughJSONKeepingUnknownFields() throws {
        let json = try JSONValue(
            parsing:
                #"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"\#(String(repeating: "01", count: 32))","x":1},"keyid_hash_algorithms":["sha256"]}"#
        )
        let key = try Key(json: json)
        #expect(key.json == json)
        #expect(key.unrecognizedFields == ["keyid_hash_algorithms": .array([.string("sha256")])])
    }

    @Test func refusesMalformedPublicKeys() {
        #expect(throws: TrustError.self) { try Key(keytype: "ed25519", scheme: "ed25519", keyval: ["public": .string("abc")]) }
        #expect(throws: TrustError.self) { try Key(keytype: "ed25519", scheme: "ed25519", keyval: ["public": .integer(1)]) }
        #expect(throws: TrustError.self) { try Key(keytype: "ecdsa", scheme: "ecdsa-sha2-nistp256", keyval: ["public": .string("not PEM")]) }
        #expect(throws: TrustError.self) { try Key(keytype: "rsa", scheme: "rsassa-pss-sha256", keyval: [:]) }
        #expect(throws: TrustError.self) { try Key(json: .object(["keytype": .string("ed25519"), "scheme": .string("ed25519")])) }
    }

    @Test func unsupportedKeyTypesParseButNeverVerify() throws {
        let key = try Key(keytype: "sphincs", scheme: "sphincs-shake-128s", keyval: ["public": .string("00")])
        #expect(!key.isSupported)
        #expect(!key.isValidSignature("00", for: [1, 2, 3]))
    }

    @Test func verifiesEd25519() throws {
        let signer = SigningKey.generate()
        let signature = try signer.sign(Array("data".utf8))
        #expect(signer.key.isValidSignature(signature.sig, for: Array("data".utf8)))
        #expect(!signer.key.isValidSignature(signature.sig, for: Array("Data".utf8)))
        #expect(!signer.key.isValidSignature("zz", for: Array("data".utf8)))
    }

    @Test func verifiesECDSAP256WithDERSignatures() throws {
        let privateKey = P256.Signing.PrivateKey()
        let data = Array("payload".utf8)
        let der = Hex.lowercase(try privateKey.signature(for: data).derRepresentation)
        for keytype in ["ecdsa", "ecdsa-sha2-nistp256"] {
            let key = try Key(keytype: keytype, scheme: "ecdsa-sha2-nistp256", keyval: ["public": .string(privateKey.publicKey.pemRepresentation)])
            #expect(key.isValidSignature(der, for: data))
            #expect(!key.isValidSignature(der, for: data + [0]))
        }
    }

    @Test func hexRoundTrips() {
        #expect(Hex.lowercase([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
