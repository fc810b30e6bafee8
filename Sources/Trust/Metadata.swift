public import AlienModel

/// One entry of a metadata file's `signatures`: a key id and the hex signature of the canonical
/// JSON of `signed`.
public struct Signature: Hashable, Sendable {
    public var keyID: String
    public var sig: String
    public var unrecognizedFields: [String: JSONValue]

    public init(keyID: String, sig: String, unrecognizedFields: [String: JSONValue] = [:]) {
        self.keyID = keyID
        self.sig = sig
        self.unrecognizedFields = unrecognizedFields
    }

    init(json: JSONValue, context: String) throws(TrustError) {
        var fields = try JSONFields(json, context: context)
        keyID = try fields.string("keyid")
        sig = try fields.string("sig")
        unrecognizedFields = fields.remaining
    }

    var json: JSONValue {
        unrecognizedFields.adding(["keyid": .string(keyID), "sig": .string(sig)])
    }
}

/// A metadata file: `{"signed": <role>, "signatures": [{"keyid", "sig"}]}`.
public struct Metadata<Role: SignedRole>: Hashable, Sendable {
    public var signed: Role {
        didSet {
            parsedSigned = nil
            receivedSigned = nil
        }
    }
    /// `signed` exactly as parsed, until `signed` changes: signatures are checked over its
    /// canonical form (what the signer signed) without rebuilding it from the typed role.
    private var parsedSigned: JSONValue?
    /// `signed`'s bytes as received, when they already are its canonical form (python-tuf and
    /// our publisher write sorted compact JSON): signatures are checked over them as they are.
    private var receivedSigned: ArraySlice<UInt8>?
    /// In file order. A parsed file has distinct key ids (the specification: "The keyid MUST
    /// be unique in the signatures array"); should a built value repeat one, it counts once.
    public var signatures: [Signature]
    public var unrecognizedFields: [String: JSONValue]

    public init(signed: Role, signatures: [Signature] = [], unrecognizedFields: [String: JSONValue] = [:]) {
        self.signed = signed
        self.signatures = signatures
        self.unrecognizedFields = unrecognizedFields
    }

    /// Parses a metadata file (any JSON layout: python-tuf writes indented or compact JSON).
    public init(bytes: some Collection<UInt8>) throws(TrustError) {
        let parsed: (value: JSONValue, canonicalMember: ArraySlice<UInt8>?)
        do { parsed = try JSONValue.parsing(Array(bytes), canonicalBytesOf: "signed") } catch { throw .json(error) }
        try self.init(json: parsed.value)
        receivedSigned = parsed.canonicalMember
    }

    public init(json: JSONValue) throws(TrustError) {
        var fields = try JSONFields(json, context: Role.roleType)
        let signedJSON = try fields.required("signed")
        signed = try Role(json: signedJSON)
        parsedSigned = signedJSON
        var signatures: [Signature] = []
        var keyIDs = Set<String>()
        for (index, value) in try fields.array("signatures").enumerated() {
            let context = "\(Role.roleType).signatures[\(index)]"
            let signature = try Signature(json: value, context: context)
            guard keyIDs.insert(signature.keyID).inserted else {
                throw .invalidValue(
                    context: context, field: "keyid", expected: "a key id no other signature has",
                    got: "'\(signature.keyID)' again")
            }
            signatures.append(signature)
        }
        self.signatures = signatures
        unrecognizedFields = fields.remaining
    }

    public var json: JSONValue {
        unrecognizedFields.adding(["signed": signed.json, "signatures": .array(signatures.map(\.json))])
    }

    /// The file's bytes: compact JSON with sorted keys, readable by python-tuf's
    /// `Metadata.from_bytes`.
    public func serialized() -> [UInt8] {
        json.compactJSONBytes
    }

    /// The bytes signatures are made over: the canonical JSON of `signed`.
    public var signedBytes: [UInt8] {
        if let receivedSigned { return Array(receivedSigned) }
        return (parsedSigned ?? signed.json).canonicalBytes
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.signed == rhs.signed && lhs.signatures == rhs.signatures && lhs.unrecognizedFields == rhs.unrecognizedFields
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(signed)
        hasher.combine(signatures)
        hasher.combine(unrecognizedFields)
    }

    /// Signs `signed` with `key`, replacing any earlier signature by the same key id.
    @discardableResult
    public mutating func sign(with key: SigningKey) throws(TrustError) -> Signature {
        let signature = try key.sign(signedBytes)
        signatures.removeAll { $0.keyID == signature.keyID }
        signatures.append(signature)
        return signature
    }

    /// Checks that at least `threshold` distinct keys among `keys` (authorized keys by key id)
    /// validly signed `signed`. A key counts once however many signatures name it; signatures
    /// by key ids not in `keys` and invalid signatures are ignored. Returns the key ids that
    /// count; throws `thresholdNotMet` naming `role` otherwise.
    @discardableResult
    public func verify(role: String, keys: [String: Key], threshold: Int) throws(TrustError) -> Set<String> {
        guard threshold >= 1 else {
            throw .invalidValue(context: role, field: "threshold", expected: "an integer ≥ 1", got: String(threshold))
        }
        let bytes = signedBytes
        var valid = Set<String>()
        for signature in signatures where !valid.contains(signature.keyID) {
            if let key = keys[signature.keyID], key.isValidSignature(signature.sig, for: bytes) {
                valid.insert(signature.keyID)
            }
        }
        guard valid.count >= threshold else {
            throw .thresholdNotMet(role: role, validKeyIDs: valid.sorted(), threshold: threshold)
        }
        return valid
    }
}
