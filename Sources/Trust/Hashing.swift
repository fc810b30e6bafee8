import AlienModel
import Crypto

/// The digests TUF metadata records ("sha256", "sha384", "sha512"), computed incrementally so
/// that a large target is hashed while it is read.
struct MultiHasher {
    private var sha256: SHA256?
    private var sha384: SHA384?
    private var sha512: SHA512?
    private(set) var length: Int64 = 0

    static let supported: Set<String> = ["sha256", "sha384", "sha512"]

    /// Computes the algorithms among `algorithms` that are supported.
    init(algorithms: some Sequence<String>) {
        let wanted = Set(algorithms)
        if wanted.contains("sha256") { sha256 = SHA256() }
        if wanted.contains("sha384") { sha384 = SHA384() }
        if wanted.contains("sha512") { sha512 = SHA512() }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length += Int64(bytes.count)
        sha256?.update(bufferPointer: bytes)
        sha384?.update(bufferPointer: bytes)
        sha512?.update(bufferPointer: bytes)
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Algorithm → lower-case hex digest.
    func finalize() -> [String: String] {
        var result: [String: String] = [:]
        if let sha256 { result["sha256"] = Hex.lowercase(sha256.finalize()) }
        if let sha384 { result["sha384"] = Hex.lowercase(sha384.finalize()) }
        if let sha512 { result["sha512"] = Hex.lowercase(sha512.finalize()) }
        return result
    }

    /// Checks an observed length and digests against the recorded ones (python-tuf's
    /// `verify_length_and_hashes`; every recorded hash must match; unknown algorithms fail).
    static func check(
        name: String, length: Int64, digests: [String: String],
        expectedLength: Int64?, expectedHashes: [String: String]?
    ) throws(UpdaterError) {
        if let expectedLength, expectedLength != length {
            throw .lengthMismatch(name: name, expected: expectedLength, got: length)
        }
        for (algorithm, expected) in (expectedHashes ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let observed = digests[algorithm] else { throw .unsupportedHash(name: name, algorithm: algorithm) }
            guard observed == expected else {
                throw .hashMismatch(name: name, algorithm: algorithm, expected: expected, got: observed)
            }
        }
    }

    /// Checks `bytes` against a recorded length and hashes.
    static func verify(_ bytes: [UInt8], name: String, length: Int64?, hashes: [String: String]?) throws(UpdaterError) {
        var hasher = MultiHasher(algorithms: hashes.map { Array($0.keys) } ?? [])
        hasher.update(bytes)
        try check(name: name, length: Int64(bytes.count), digests: hasher.finalize(), expectedLength: length, expectedHashes: hashes)
    }
}
