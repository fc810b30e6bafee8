public import AlienModel

/// The `signed` part of a metadata file: one of `Root`, `Targets`, `Snapshot`, `Timestamp`.
/// Every role has `_type`, `spec_version`, `version` and `expires`; fields this module does not
/// know are kept in `unrecognizedFields` and written back unchanged.
public protocol SignedRole: Hashable, Sendable {
    /// The `_type` value: "root", "targets", "snapshot" or "timestamp".
    static var roleType: String { get }
    var specVersion: String { get set }
    var version: Int64 { get set }
    var expires: Expiry { get set }
    var unrecognizedFields: [String: JSONValue] { get set }
    /// Parses a `signed` object, checking `_type` and every field's type and range.
    init(json: JSONValue) throws(TrustError)
    /// The `signed` object as metadata writes it.
    var json: JSONValue { get }
}

/// The spec version this module writes (python-tuf 7 writes the same).
public let tufSpecVersion = "1.0.31"

/// `spec_version`, `version`, `expires` and the remaining fields of a `signed` object.
struct CommonFields {
    var fields: JSONFields
    var specVersion: String
    var version: Int64
    var expires: Expiry

    init(_ json: JSONValue, type: String) throws(TrustError) {
        fields = try JSONFields(json, context: "\(type).signed")
        let actualType = try fields.string("_type")
        guard actualType == type else { throw .wrongRoleType(expected: type, got: actualType) }
        specVersion = try fields.string("spec_version")
        try CommonFields.checkSpecVersion(specVersion, context: fields.context)
        version = try fields.integer("version", minimum: 1)
        expires = try Expiry(parsing: try fields.string("expires"))
    }

    /// python-tuf's rule: two or three dot-separated numbers, major version 1.
    static func checkSpecVersion(_ text: String, context: String) throws(TrustError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            parts[0] == "1"
        else {
            throw .invalidValue(context: context, field: "spec_version", expected: "a version 1.x or 1.x.y", got: "'\(text)'")
        }
    }

    /// The checks every role's memberwise initialiser makes.
    static func check(version: Int64, specVersion: String, role: String) throws(TrustError) {
        try checkVersion(version, context: "\(role).signed")
        try checkSpecVersion(specVersion, context: "\(role).signed")
    }

    static func checkVersion(_ version: Int64, context: String) throws(TrustError) {
        guard version >= 1 else {
            throw .invalidValue(context: context, field: "version", expected: "an integer ≥ 1", got: String(version))
        }
    }

    static func json(_ role: some SignedRole, _ specific: [String: JSONValue?]) -> JSONValue {
        var all = specific
        all["_type"] = .string(type(of: role).roleType)
        all["spec_version"] = .string(role.specVersion)
        all["version"] = .integer(role.version)
        all["expires"] = .string(role.expires.description)
        return role.unrecognizedFields.adding(all)
    }
}

/// The keys and threshold a delegating role assigns to a role (`root.roles[name]`).
public struct RoleKeys: Hashable, Sendable {
    public var keyIDs: [String]
    public var threshold: Int
    public var unrecognizedFields: [String: JSONValue]

    public init(keyIDs: [String], threshold: Int, unrecognizedFields: [String: JSONValue] = [:]) throws(TrustError) {
        try Self.check(keyIDs: keyIDs, threshold: threshold, context: "role")
        self.keyIDs = keyIDs
        self.threshold = threshold
        self.unrecognizedFields = unrecognizedFields
    }

    static func check(keyIDs: [String], threshold: Int, context: String) throws(TrustError) {
        guard Set(keyIDs).count == keyIDs.count else {
            throw .invalidValue(context: context, field: "keyids", expected: "distinct key ids", got: keyIDs.description)
        }
        guard threshold >= 1 else {
            throw .invalidValue(context: context, field: "threshold", expected: "an integer ≥ 1", got: String(threshold))
        }
    }

    init(json: JSONValue, context: String) throws(TrustError) {
        var fields = try JSONFields(json, context: context)
        let keyIDs = try fields.stringArray("keyids")
        let threshold = try fields.integer("threshold", minimum: 1)
        try Self.check(keyIDs: keyIDs, threshold: Int(clamping: threshold), context: context)
        self.keyIDs = keyIDs
        self.threshold = Int(clamping: threshold)
        unrecognizedFields = fields.remaining
    }

    var json: JSONValue {
        unrecognizedFields.adding(["keyids": .array(keyIDs.map { .string($0) }), "threshold": .integer(Int64(threshold))])
    }
}

func parseKeys(_ members: [String: JSONValue], context: String) throws(TrustError) -> [String: Key] {
    var keys: [String: Key] = [:]
    for (id, value) in members {
        keys[id] = try Key(json: value, context: "\(context).\(id)")
    }
    return keys
}

func keysJSON(_ keys: [String: Key]) -> JSONValue {
    .object(keys.mapValues(\.json))
}
