public import AlienModel
import Crypto
import _CryptoExtras

/// A public key as TUF metadata writes it: `{"keytype", "scheme", "keyval": {"public": ...}}`.
///
/// Verification is supported for `ed25519`/`ed25519` (hex public key), `ecdsa` or
/// `ecdsa-sha2-nistp256` with scheme `ecdsa-sha2-nistp256` (PEM public key, DER signature), and
/// `rsa`/`rsassa-pss-sha256` (PEM public key; PSS with SHA-256, MGF1-SHA-256 and a salt as long
/// as the digest, as securesystemslib's `CryptoSigner` signs). Other key types parse and round-trip
/// but never verify a signature.
public struct Key: Hashable, Sendable {
    public let keytype: String
    public let scheme: String
    public let keyval: [String: JSONValue]
    /// Fields besides keytype/scheme/keyval, kept for serialization; not part of the key id.
    public var unrecognizedFields: [String: JSONValue]

    /// Checks that a supported key type's `keyval.public` is a well-formed public key.
    public init(
        keytype: String, scheme: String, keyval: [String: JSONValue],
        unrecognizedFields: [String: JSONValue] = [:]
    ) throws(TrustError) {
        self.keytype = keytype
        self.scheme = scheme
        self.keyval = keyval
        self.unrecognizedFields = unrecognizedFields
        if algorithm != nil { _ = try verifier() }
    }

    /// A key whose `keyval` is known to be well formed (made here from a valid public key).
    init(trusted keytype: String, scheme: String, keyval: [String: JSONValue]) {
        self.keytype = keytype
        self.scheme = scheme
        self.keyval = keyval
        unrecognizedFields = [:]
    }

    init(json: JSONValue, context: String) throws(TrustError) {
        var fields = try JSONFields(json, context: context)
        let keytype = try fields.string("keytype")
        let scheme = try fields.string("scheme")
        let keyval = try fields.object("keyval")
        try self.init(keytype: keytype, scheme: scheme, keyval: keyval, unrecognizedFields: fields.remaining)
    }

    /// Parses one key object.
    public init(json: JSONValue) throws(TrustError) {
        try self.init(json: json, context: "key")
    }

    /// The key as metadata writes it.
    public var json: JSONValue {
        unrecognizedFields.adding(["keytype": .string(keytype), "scheme": .string(scheme), "keyval": .object(keyval)])
    }

    /// sha256 (hex) of the canonical JSON of `{"keytype", "scheme", "keyval"}`, as python-tuf and
    /// securesystemslib compute key ids.
    public var keyID: String {
        let identity = JSONValue.object(["keytype": .string(keytype), "scheme": .string(scheme), "keyval": .object(keyval)])
        return Hex.lowercase(SHA256.hash(data: identity.canonicalBytes))
    }

    /// `keyval.public`, when it is a string.
    public var publicValue: String? {
        if case let .string(text) = keyval["public"] { text } else { nil }
    }

    enum Algorithm {
        case ed25519, ecdsaP256, rsaPSSSHA256
    }

    var algorithm: Algorithm? {
        switch (keytype, scheme) {
        case ("ed25519", "ed25519"): .ed25519
        case ("ecdsa", "ecdsa-sha2-nistp256"), ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"): .ecdsaP256
        case ("rsa", "rsassa-pss-sha256"): .rsaPSSSHA256
        default: nil
        }
    }

    /// Whether the key type and scheme are ones this module can verify.
    public var isSupported: Bool { algorithm != nil }

    private enum Verifier {
        case ed25519(Curve25519.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)
    }

    private func invalid(_ reason: String) -> TrustError {
        .invalidKey(keytype: keytype, scheme: scheme, reason: reason)
    }

    private func verifier() throws(TrustError) -> Verifier? {
        guard let algorithm else { return nil }
        guard let text = publicValue else { throw invalid("keyval.public must be a string") }
        switch algorithm {
        case .ed25519:
            guard let raw = Hex.decode(text), raw.count == 32,
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            else {
                throw invalid("keyval.public must be 64 hex digits (a raw Ed25519 public key)")
            }
            return .ed25519(key)
        case .ecdsaP256:
            guard let key = try? P256.Signing.PublicKey(pemRepresentation: text) else {
                throw invalid("keyval.public must be a PEM NIST P-256 public key")
            }
            return .p256(key)
        case .rsaPSSSHA256:
            guard let key = try? _RSA.Signing.PublicKey(pemRepresentation: text) else {
                throw invalid("keyval.public must be a PEM RSA public key of at least 2048 bits")
            }
            return .rsa(key)
        }
    }

    /// Whether `signature` (hex, as in metadata `sig`) is this key's valid signature of `data`.
    /// False for unsupported key types and malformed signatures.
    public func isValidSignature(_ signature: String, for data: [UInt8]) -> Bool {
        guard let bytes = Hex.decode(signature), let verifier = try? verifier() else { return false }
        switch verifier {
        case let .ed25519(key):
            return key.isValidSignature(bytes, for: data)
        case let .p256(key):
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: bytes) else { return false }
            return key.isValidSignature(parsed, for: data)
        case let .rsa(key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: bytes), for: data, padding: .PSS)
        }
    }
}
