import AlienModel
import Foundation
import Testing

@Suite struct ContentHashTests {
    static let sha1 = "27ce49698e818e8efb56b6eff6dd785e503df341"
    static let sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test func acceptsLowerCaseDigestsOfTheRightLength() throws {
        let a = try ContentHash(.sha1, hex: Self.sha1)
        #expect(a.algorithm == .sha1)
        #expect(a.hex == Self.sha1)
        #expect(a.description == Self.sha1)
        let b = try ContentHash(.sha256, hex: Self.sha256)
        #expect(b.algorithm == .sha256)
        #expect(b.hex == Self.sha256)
    }

    @Test(arguments: [
        (ContentHash.Algorithm.sha1, sha256, "a sha1 digest has 40 hex digits, got 64"),
        (.sha256, sha1, "a sha256 digest has 64 hex digits, got 40"),
        (.sha1, "", "a sha1 digest has 40 hex digits, got 0"),
        (.sha1, String(sha1.dropLast()), "got 39"),
        (.sha1, sha1 + "0", "got 41"),
        (.sha1, sha1.uppercased(), "only lower-case hex digits are allowed"),
        (.sha1, "g" + sha1.dropFirst(), "only lower-case hex digits are allowed"),
        (.sha1, " " + sha1.dropFirst(), "only lower-case hex digits are allowed"),
        (.sha256, String(repeating: "z", count: 64), "only lower-case hex digits are allowed")
    ])
    func refusesMalformedDigests(_ algorithm: ContentHash.Algorithm, _ hex: String, _ reasonFragment: String) {
        #expect {
            try ContentHash(algorithm, hex: hex)
        } throws: { error in
            guard let error = error as? ModelError, case let .invalidHash(input, reason) = error else { return false }
            return input == hex && reason.contains(reasonFragment) && error.description.hasPrefix("invalid hash \"\(hex)\": ")
        }
    }

    @Test func fromBytes() throws {
        let bytes: [UInt8] = [0x00, 0x01, 0x0f, 0x10, 0x7f, 0x80, 0xab, 0xff]
        let hash = ContentHash(.sha256, bytes: bytes)
        #expect(hash.hex == "00010f107f80abff")
        #expect(hash.algorithm == .sha256)
        // Twenty bytes make a digest the validating initialiser accepts.
        let digest = (0..<20).map { UInt8($0 * 13 % 256) }
        let fromBytes = ContentHash(.sha1, bytes: digest)
        #expect(fromBytes.hex.count == 40)
        #expect(try ContentHash(.sha1, hex: fromBytes.hex) == fromBytes)
        #expect(fromBytes.hex == digest.map { String(format: "%02x", $0) }.joined())
    }

    @Test func equalityIncludesTheAlgorithm() throws {
        let zeros = String(repeating: "0", count: 40)
        let a = try ContentHash(.sha1, hex: zeros)
        #expect(a == (try ContentHash(.sha1, hex: zeros)))
        #expect(a != (try ContentHash(.sha1, hex: String(repeating: "0", count: 39) + "1")))
        #expect(Set([a, a]).count == 1)
    }

    @Test func codableRoundTrip() throws {
        let hash = try ContentHash(.sha256, hex: Self.sha256)
        let data = try JSONEncoder().encode(hash)
        #expect(try JSONDecoder().decode(ContentHash.self, from: data) == hash)
    }

    @Test
    func decodingValidates() {
        let bad = Data(#"{"algorithm":"sha1","hex":"XYZ"}"#.utf8)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(ContentHash.self, from: bad) }
    }
}
