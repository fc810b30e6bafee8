import AlienModel
import Crypto

/// An Ed25519 private key that signs metadata.
///
/// File format (JSON, one object, written by `serialized()`):
///
///     {"keytype":"ed25519","scheme":"ed25519","keyval":{"public":"<64 hex>","private":"<64 hex>"}}
///
/// `private` is the 32-byte Ed25519 seed and `public` its public key, both lower-case hex; the
/// shape is securesystemslib's legacy Ed25519 key dictionary. Reading checks that `public`
/// matches the seed.
public struct SigningKey: Sendable {
    private let privateKey: Curve25519.Signing.PrivateKey
    /// The public half, as it appears in metadata.
    public let key: Key

    /// A new random key.
    public static func generate() -> SigningKey {
        SigningKey(Curve25519.Signing.PrivateKey())
    }

    private init(_ privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        key = Key(
            trusted: "ed25519", scheme: "ed25519",
            keyval: ["public": .string(Hex.lowercase(privateKey.publicKey.rawRepresentation))])
    }

    /// A key from its 32-byte seed.
    public init(seed: [UInt8]) throws(TrustError) {
        guard seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw .invalidSigningKey("expected a 32-byte Ed25519 seed, got \(seed.count) bytes")
        }
        self.init(key)
    }

    /// Reads the file format described above.
    public init(serialized bytes: some Collection<UInt8>) throws(TrustError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw .json(error) }
        var fields = try JSONFields(value, context: "signing key")
        let keytype = try fields.string("keytype"), scheme = try fields.string("scheme")
        guard keytype == "ed25519", scheme == "ed25519" else {
            throw .invalidSigningKey("expected keytype and scheme 'ed25519', got '\(keytype)'/'\(scheme)'")
        }
        let keyval = try JSONFields(.object(try fields.object("keyval")), context: "signing key.keyval")
        var inner = keyval
        let privateHex = try inner.string("private"), publicHex = try inner.string("public")
        guard let seed = Hex.decode(privateHex) else { throw .invalidSigningKey("keyval.private must be 64 hex digits") }
        try self.init(seed: seed)
        guard Hex.decode(publicHex) == Hex.decode(key.publicValue ?? "") else {
            throw .invalidSigningKey("keyval.public \(publicHex) is not the public key of keyval.private")
        }
    }

    /// The file format described above (compact JSON, keys sorted).
    public func serialized() -> [UInt8] {
        JSONValue.object([
            "keytype": .string("ed25519"), "scheme": .string("ed25519"),
            "keyval": .object([
                "public": .string(Hex.lowercase(privateKey.publicKey.rawRepresentation)),
                "private": .string(Hex.lowercase(privateKey.rawRepresentation))
            ])
        ]).compactJSONBytes
    }

    public var keyID: String { key.keyID }

    /// A signature of `data` (normally canonical JSON bytes) by this key.
    public func sign(_ data: [UInt8]) throws(TrustError) -> Signature {
        do {
            return Signature(keyID: keyID, sig: Hex.lowercase(try privateKey.signature(for: data)))
        } catch {
            throw .signingFailed("Ed25519 signing failed: \(error)")
        }
    }
}
