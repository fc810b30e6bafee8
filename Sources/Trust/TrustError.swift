public import AlienModel

/// Why metadata, a key, or a signature was refused. `context` names where in the document the
/// problem is ("root.signed.keys.<id>", "targets.signed.delegations.roles[0]").
public enum TrustError: Error, Hashable, Sendable, CustomStringConvertible {
    case json(CanonicalJSONError)
    case missingField(context: String, field: String)
    case wrongType(context: String, field: String, expected: String, got: String)
    case invalidValue(context: String, field: String, expected: String, got: String)
    case wrongRoleType(expected: String, got: String)
    case invalidKey(keytype: String, scheme: String, reason: String)
    case invalidSigningKey(String)
    case signingFailed(String)
    case thresholdNotMet(role: String, validKeyIDs: [String], threshold: Int)

    public var description: String {
        switch self {
        case let .json(error):
            error.description
        case let .missingField(context, field):
            "\(context): missing field '\(field)'"
        case let .wrongType(context, field, expected, got):
            "\(context).\(field): expected \(expected), got \(got)"
        case let .invalidValue(context, field, expected, got):
            "\(context).\(field): expected \(expected), got \(got)"
        case let .wrongRoleType(expected, got):
            "metadata '_type' is '\(got)'; expected '\(expected)'"
        case let .invalidKey(keytype, scheme, reason):
            "\(keytype)/\(scheme) key: \(reason)"
        case let .invalidSigningKey(reason):
            "signing key: \(reason)"
        case let .signingFailed(reason):
            "signing failed: \(reason)"
        case let .thresholdNotMet(role, valid, threshold):
            "\(role): \(valid.count) valid signature(s) from authorized keys\(valid.isEmpty ? "" : " (\(valid.joined(separator: ", ")))"); expected at least \(threshold)"
        }
    }
}
