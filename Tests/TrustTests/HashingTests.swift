import Crypto
import Testing
@testable import Trust

@Suite struct HashingTests {
    @Test func computesTheRecordedAlgorithms() {
        var hasher = MultiHasher(algorithms: ["sha256", "sha512", "md5"])
        hasher.update(Array("ab".utf8))
        hasher.update(Array("c".utf8))
        let digests = hasher.finalize()
        #expect(hasher.length == 3)
        #expect(digests["sha256"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digests["sha512"]?.hasPrefix("ddaf35a193617aba") == true)
        #expect(digests["md5"] == nil)
        #expect(digests["sha384"] == nil)
    }

    @Test func verifiesLengthAndEveryHash() throws {
        let data = Array("abc".utf8)
        let sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        try MultiHasher.verify(data, name: "f", length: 3, hashes: ["sha256": sha256])
        try MultiHasher.verify(data, name: "f", length: nil, hashes: nil)
        #expect(throws: UpdaterError.lengthMismatch(name: "f", expected: 4, got: 3)) {
            try MultiHasher.verify(data, name: "f", length: 4, hashes: nil)
        }
        #expect(throws: UpdaterError.hashMismatch(name: "f", algorithm: "sha256", expected: "00", got: sha256)) {
            try MultiHasher.verify(data, name: "f", length: 3, hashes: ["sha256": "00"])
        }
        #expect(throws: UpdaterError.hashMismatch(name: "f", algorithm: "sha256", expected: sha256.uppercased(), got: sha256)) {
            try MultiHasher.verify(data, name: "f", length: 3, hashes: ["sha256": sha256.uppercased()])
        }
        #expect(throws: UpdaterError.unsupportedHash(name: "f", algorithm: "blake2b")) {
            try MultiHasher.verify(data, name: "f", length: 3, hashes: ["blake2b": "00", "sha256": sha256])
        }
    }
}
