public import AlienModel

/// `root.json`'s signed part: the keys and thresholds of the four top-level roles.
public struct Root: SignedRole {
    public static let roleType = "root"
    /// The role names `roles` must hold, exactly.
    public static let topLevelRoles: Set<String> = ["root", "targets", "snapshot", "timestamp"]

    public var specVersion: String
    public var version: Int64
    public var expires: Expiry
    /// Keys by key id.
    public var keys: [String: Key]
    /// The four top-level roles' key ids and thresholds.
    public var roles: [String: RoleKeys]
    /// Absent (nil) is written as no field, as python-tuf does.
    public var consistentSnapshot: Bool?
    public var unrecognizedFields: [String: JSONValue]

    public init(
        version: Int64, expires: Expiry, keys: [String: Key], roles: [String: RoleKeys],
        consistentSnapshot: Bool? = true, specVersion: String = tufSpecVersion,
        unrecognizedFields: [String: JSONValue] = [:]
    ) throws(TrustError) {
        try CommonFields.check(version: version, specVersion: specVersion, role: "root")
        try Self.checkRoles(roles)
        self.specVersion = specVersion
        self.version = version
        self.expires = expires
        self.keys = keys
        self.roles = roles
        self.consistentSnapshot = consistentSnapshot
        self.unrecognizedFields = unrecognizedFields
    }

    private static func checkRoles(_ roles: [String: RoleKeys]) throws(TrustError) {
        guard Set(roles.keys) == topLevelRoles else {
            throw .invalidValue(
                context: "root.signed", field: "roles", expected: "exactly root, targets, snapshot and timestamp",
                got: roles.keys.sorted().joined(separator: ", "))
        }
    }

    public init(json: JSONValue) throws(TrustError) {
        var common = try CommonFields(json, type: Self.roleType)
        let context = common.fields.context
        keys = try parseKeys(try common.fields.object("keys"), context: "\(context).keys")
        var roles: [String: RoleKeys] = [:]
        for (name, value) in try common.fields.object("roles") {
            roles[name] = try RoleKeys(json: value, context: "\(context).roles.\(name)")
        }
        try Self.checkRoles(roles)
        self.roles = roles
        consistentSnapshot = try common.fields.optionalBool("consistent_snapshot")
        specVersion = common.specVersion
        version = common.version
        expires = common.expires
        unrecognizedFields = common.fields.remaining
    }

    public var json: JSONValue {
        CommonFields.json(
            self,
            [
                "keys": keysJSON(keys),
                "roles": .object(roles.mapValues(\.json)),
                "consistent_snapshot": consistentSnapshot.map { .bool($0) }
            ])
    }

    /// The keys `roles[role]` names, by id (ids without a key in `keys` are left out).
    public func keys(for role: String) -> [String: Key] {
        var result: [String: Key] = [:]
        for id in roles[role]?.keyIDs ?? [] {
            if let key = keys[id] { result[id] = key }
        }
        return result
    }

    /// Checks that `metadata` is signed by a threshold of the keys this root assigns to `role`
    /// (python-tuf's `verify_delegate` for a top-level role). Returns the key ids that signed.
    @discardableResult
    public func verify<T: SignedRole>(_ metadata: Metadata<T>, as role: String) throws(TrustError) -> Set<String> {
        guard let assignment = roles[role] else {
            throw .invalidValue(context: "root.signed", field: "roles", expected: "a role named '\(role)'", got: "none")
        }
        return try metadata.verify(role: role, keys: keys(for: role), threshold: assignment.threshold)
    }
}
