public import AlienModel
import Crypto

/// TAP 15 hash-bin delegation (`delegations.succinct_roles`): 2^bitLength terminating roles
/// named `<namePrefix>-<bin>` (bin in lower-case hex, zero-padded to the width of the last bin),
/// all with the same keys and threshold. A target path belongs to the bin given by the first
/// `bitLength` bits of sha256(path).
public struct SuccinctRoles: Hashable, Sendable {
    public var keyIDs: [String]
    public var threshold: Int
    /// 1...32.
    public var bitLength: Int
    public var namePrefix: String
    public var unrecognizedFields: [String: JSONValue]

    public init(
        keyIDs: [String], threshold: Int, bitLength: Int, namePrefix: String,
        unrecognizedFields: [String: JSONValue] = [:]
    ) throws(TrustError) {
        try RoleKeys.check(keyIDs: keyIDs, threshold: threshold, context: "succinct_roles")
        try Self.check(bitLength: bitLength, context: "succinct_roles")
        self.keyIDs = keyIDs
        self.threshold = threshold
        self.bitLength = bitLength
        self.namePrefix = namePrefix
        self.unrecognizedFields = unrecognizedFields
    }

    private static func check(bitLength: Int, context: String) throws(TrustError) {
        guard (1...32).contains(bitLength) else {
            throw .invalidValue(context: context, field: "bit_length", expected: "an integer from 1 to 32", got: String(bitLength))
        }
    }

    init(json: JSONValue, context: String) throws(TrustError) {
        var fields = try JSONFields(json, context: context)
        keyIDs = try fields.stringArray("keyids")
        threshold = Int(clamping: try fields.integer("threshold", minimum: 1))
        try RoleKeys.check(keyIDs: keyIDs, threshold: threshold, context: context)
        bitLength = Int(clamping: try fields.integer("bit_length", minimum: 1))
        try Self.check(bitLength: bitLength, context: context)
        namePrefix = try fields.string("name_prefix")
        unrecognizedFields = fields.remaining
    }

    var json: JSONValue {
        unrecognizedFields.adding([
            "keyids": .array(keyIDs.map { .string($0) }), "threshold": .integer(Int64(threshold)),
            "bit_length": .integer(Int64(bitLength)), "name_prefix": .string(namePrefix)
        ])
    }

    /// 2^bitLength.
    public var numberOfBins: Int { 1 << bitLength }

    /// Hex digits of the last bin's number: every suffix is padded to this width.
    var suffixLength: Int { String(numberOfBins - 1, radix: 16).count }

    /// The name of bin `number` (0 ..< numberOfBins).
    public func roleName(bin number: Int) -> String {
        let hex = String(number, radix: 16)
        return "\(namePrefix)-\(String(repeating: "0", count: max(0, suffixLength - hex.count)))\(hex)"
    }

    /// The bin responsible for `targetPath`.
    public func roleName(for targetPath: String) -> String {
        let digest = Array(SHA256.hash(data: Array(targetPath.utf8)))
        let first32 = UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
        return roleName(bin: Int(first32 >> UInt32(32 - bitLength)))
    }

    /// Every bin's name, in bin order.
    public var roleNames: [String] {
        (0..<numberOfBins).map { roleName(bin: $0) }
    }

    /// Whether `name` is one of the bins (prefix, '-', exactly suffixLength hex digits, in range).
    public func isDelegatedRole(_ name: String) -> Bool {
        let prefix = namePrefix + "-"
        guard name.hasPrefix(prefix) else { return false }
        let suffix = name.dropFirst(prefix.count)
        guard suffix.count == suffixLength, suffix.allSatisfy(\.isHexDigit), suffix.allSatisfy(\.isASCII),
            let number = Int(suffix, radix: 16)
        else { return false }
        return number < numberOfBins
    }
}
