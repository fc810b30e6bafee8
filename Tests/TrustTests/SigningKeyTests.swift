import Testing
@testable import Trust

@Suite struct SigningKeyTests {
    @Test func serializesAndReadsBack() throws {
        let key = SigningKey.generate()
        let bytes = key.serialized()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"keytype":"ed25519","keyval":{"private":""#))
        let read = try SigningKey(serialized: bytes)
        #expect(read.keyID == key.keyID)
        #expect(read.key == key.key)
    }

    @Test func seedGivesTheSameKeyEveryTime() throws {
        let seed = [UInt8](repeating: 7, count: 32)
        #expect(try SigningKey(seed: seed).keyID == SigningKey(seed: seed).keyID)
        #expect(throws: TrustError.self) { try SigningKey(seed: [1, 2, 3]) }
    }

    @Test func refusesMismatchedOrForeignFiles() throws {
        let other = SigningKey.generate().key.publicValue!
        let seed = String(repeating: "07", count: 32)
        let mismatched = #"{"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"\#(other)","private":"\#(seed)"}}"#
        #expect(throws: TrustError.self) { try SigningKey(serialized: Array(mismatched.utf8)) }
        let rsa = #"{"keytype":"rsa","scheme":"rsassa-pss-sha256","keyval":{"public":"","private":""}}"#
        #expect(throws: TrustError.self) { try SigningKey(serialized: Array(rsa.utf8)) }
        #expect(throws: TrustError.self) { try SigningKey(serialized: Array("not json".utf8)) }
    }

    @Test func signsWithItsKeyID() throws {
        let key = SigningKey.generate()
        let signature = try key.sign([1, 2, 3])
        #expect(signature.keyID == key.keyID)
        #expect(signature.sig.count == 128)
    }
}
