public import AlienModel

/// A target file as targets metadata describes it.
public struct TargetFile: Hashable, Sendable {
    public var length: Int64
    /// Algorithm name ("sha256") → lower-case hex digest; never empty.
    public var hashes: [String: String]
    /// The `custom` field, if any (application data, signed with the rest).
    public var custom: JSONValue?
    public var unrecognizedFields: [String: JSONValue]

    public init(
        length: Int64, hashes: [String: String], custom: JSONValue? = nil,
        unrecognizedFields: [String: JSONValue] = [:]
    ) throws(TrustError) {
        try Self.check(length: length, hashes: hashes, context: "target")
        self.length = length
        self.hashes = hashes
        self.custom = custom
        self.unrecognizedFields = unrecognizedFields
    }

    private static func check(length: Int64, hashes: [String: String], context: String) throws(TrustError) {
        guard length >= 0 else {
            throw .invalidValue(context: context, field: "length", expected: "an integer ≥ 0", got: String(length))
        }
        guard !hashes.isEmpty else {
            throw .invalidValue(context: context, field: "hashes", expected: "at least one hash", got: "an empty object")
        }
    }

    init(json: JSONValue, context: String) throws(TrustError) {
        // The common case read in place (a 10 000-target file has 10 000 of these): no copy of
        // the object, no rebuilt hashes map when the recognized fields are well-formed. Anything
        // else goes the general way below, which gives the same value or the error.
        if case let .object(members) = json, let fast = Self(wellFormed: members) {
            self = fast
            return
        }
        var fields = try JSONFields(json, context: context)
        length = try fields.integer("length", minimum: 0)
        hashes = try fields.stringMap("hashes")
        try Self.check(length: length, hashes: hashes, context: context)
        custom = fields.optional("custom")
        unrecognizedFields = fields.remaining
    }

    /// `members` read without copying them when `length` is an integer ≥ 0 and `hashes` a
    /// non-empty object of strings; nil otherwise.
    init?(wellFormed members: [String: JSONValue]) {
        guard case let .integer(length)? = members["length"], length >= 0, case let .object(hashMembers)? = members["hashes"],
            !hashMembers.isEmpty
        else { return nil }
        var hashes: [String: String] = [:]
        hashes.reserveCapacity(hashMembers.count)
        for (algorithm, value) in hashMembers {
            guard case let .string(digest) = value else { return nil }
            hashes[algorithm] = digest
        }
        let custom = members["custom"]
        self.length = length
        self.hashes = hashes
        self.custom = custom
        if members.count == (custom == nil ? 2 : 3) {
            unrecognizedFields = [:]
        } else {
            unrecognizedFields = members.filter { $0.key != "length" && $0.key != "hashes" && $0.key != "custom" }
        }
    }

    var json: JSONValue {
        unrecognizedFields.adding([
            "length": .integer(length),
            "hashes": .object(hashes.mapValues { .string($0) }),
            "custom": custom
        ])
    }
}

/// Which target paths a delegated role is trusted for.
public enum DelegatedPaths: Hashable, Sendable {
    /// Shell-style patterns (`paths`).
    case paths([String])
    /// Prefixes of the hex sha256 of the target path (`path_hash_prefixes`).
    case pathHashPrefixes([String])
}

/// One entry of `delegations.roles`.
public struct DelegatedRole: Hashable, Sendable {
    public var name: String
    public var keyIDs: [String]
    public var threshold: Int
    public var terminating: Bool
    public var paths: DelegatedPaths
    public var unrecognizedFields: [String: JSONValue]

    public init(
        name: String, keyIDs: [String], threshold: Int, terminating: Bool, paths: DelegatedPaths,
        unrecognizedFields: [String: JSONValue] = [:]
    ) throws(TrustError) {
        try RoleKeys.check(keyIDs: keyIDs, threshold: threshold, context: "delegated role \(name)")
        self.name = name
        self.keyIDs = keyIDs
        self.threshold = threshold
        self.terminating = terminating
        self.paths = paths
        self.unrecognizedFields = unrecognizedFields
    }

    init(json: JSONValue, context: String) throws(TrustError) {
        var fields = try JSONFields(json, context: context)
        name = try fields.string("name")
        keyIDs = try fields.stringArray("keyids")
        threshold = Int(clamping: try fields.integer("threshold", minimum: 1))
        try RoleKeys.check(keyIDs: keyIDs, threshold: threshold, context: context)
        guard let flag = try fields.optionalBool("terminating") else { throw .missingField(context: context, field: "terminating") }
        terminating = flag
        let hasPaths = fields.remaining["paths"] != nil, hasPrefixes = fields.remaining["path_hash_prefixes"] != nil
        switch (hasPaths, hasPrefixes) {
        case (true, false): paths = .paths(try fields.stringArray("paths"))
        case (false, true): paths = .pathHashPrefixes(try fields.stringArray("path_hash_prefixes"))
        default:
            throw .invalidValue(
                context: context, field: "paths", expected: "exactly one of 'paths' and 'path_hash_prefixes'",
                got: hasPaths ? "both" : "neither")
        }
        unrecognizedFields = fields.remaining
    }

    var json: JSONValue {
        var fields: [String: JSONValue?] = [
            "name": .string(name), "keyids": .array(keyIDs.map { .string($0) }),
            "threshold": .integer(Int64(threshold)), "terminating": .bool(terminating)
        ]
        switch paths {
        case let .paths(patterns): fields["paths"] = .array(patterns.map { .string($0) })
        case let .pathHashPrefixes(prefixes): fields["path_hash_prefixes"] = .array(prefixes.map { .string($0) })
        }
        return unrecognizedFields.adding(fields)
    }
}

/// `targets.delegations`: keys and either delegated roles, in priority order, or TAP 15's
/// `succinct_roles` (hash-bin delegation), never both — as python-tuf.
public struct Delegations: Hashable, Sendable {
    public var keys: [String: Key]
    /// Empty when `succinctRoles` is set.
    public var roles: [DelegatedRole]
    public var succinctRoles: SuccinctRoles?
    public var unrecognizedFields: [String: JSONValue]

    public init(keys: [String: Key], roles: [DelegatedRole], unrecognizedFields: [String: JSONValue] = [:]) throws(TrustError) {
        try Self.check(roles, context: "delegations")
        self.keys = keys
        self.roles = roles
        succinctRoles = nil
        self.unrecognizedFields = unrecognizedFields
    }

    /// Hash-bin delegation: every target path belongs to exactly one bin role.
    public init(keys: [String: Key], succinctRoles: SuccinctRoles, unrecognizedFields: [String: JSONValue] = [:]) {
        self.keys = keys
        roles = []
        self.succinctRoles = succinctRoles
        self.unrecognizedFields = unrecognizedFields
    }

    /// python-tuf's rules: names unique and none of the top-level role names.
    private static func check(_ roles: [DelegatedRole], context: String) throws(TrustError) {
        var seen = Set<String>()
        for role in roles {
            guard !role.name.isEmpty, !Root.topLevelRoles.contains(role.name), seen.insert(role.name).inserted else {
                throw .invalidValue(
                    context: context, field: "roles", expected: "unique non-empty names other than root, targets, snapshot, timestamp",
                    got: "'\(role.name)'")
            }
        }
    }

    init(json: JSONValue, context: String) throws(TrustError) {
        var fields = try JSONFields(json, context: context)
        keys = try parseKeys(try fields.object("keys"), context: "\(context).keys")
        let hasRoles = fields.remaining["roles"] != nil, hasSuccinct = fields.remaining["succinct_roles"] != nil
        guard hasRoles != hasSuccinct else {
            throw .invalidValue(
                context: context, field: "roles", expected: "exactly one of 'roles' and 'succinct_roles'",
                got: hasRoles ? "both" : "neither")
        }
        var roles: [DelegatedRole] = []
        if hasRoles {
            for (index, value) in try fields.array("roles").enumerated() {
                roles.append(try DelegatedRole(json: value, context: "\(context).roles[\(index)]"))
            }
            try Self.check(roles, context: context)
            succinctRoles = nil
        } else {
            succinctRoles = try SuccinctRoles(json: try fields.required("succinct_roles"), context: "\(context).succinct_roles")
        }
        self.roles = roles
        unrecognizedFields = fields.remaining
    }

    var json: JSONValue {
        if let succinctRoles {
            return unrecognizedFields.adding(["keys": keysJSON(keys), "succinct_roles": succinctRoles.json])
        }
        return unrecognizedFields.adding(["keys": keysJSON(keys), "roles": .array(roles.map(\.json))])
    }

    /// The key ids and threshold this delegation assigns to role `name` (a listed role or one
    /// of the succinct bins); nil when `name` is not delegated here.
    public func assignment(for name: String) -> (keyIDs: [String], threshold: Int)? {
        if let succinctRoles {
            return succinctRoles.isDelegatedRole(name) ? (succinctRoles.keyIDs, succinctRoles.threshold) : nil
        }
        return roles.first { $0.name == name }.map { ($0.keyIDs, $0.threshold) }
    }

    /// Checks that `metadata` is signed by a threshold of the keys delegated to role `name`
    /// (python-tuf's `verify_delegate` for a delegated role). Returns the key ids that signed.
    @discardableResult
    public func verify(_ metadata: Metadata<Targets>, as name: String) throws(TrustError) -> Set<String> {
        guard let role = assignment(for: name) else {
            throw .invalidValue(context: "delegations", field: "roles", expected: "a role named '\(name)'", got: "none")
        }
        var authorized: [String: Key] = [:]
        for id in role.keyIDs {
            if let key = keys[id] { authorized[id] = key }
        }
        return try metadata.verify(role: name, keys: authorized, threshold: role.threshold)
    }
}

/// `targets.json`'s (or a delegated role's) signed part.
public struct Targets: SignedRole {
    public static let roleType = "targets"
    public var specVersion: String
    public var version: Int64
    public var expires: Expiry
    /// Target path → description.
    public var targets: [String: TargetFile]
    public var delegations: Delegations?
    public var unrecognizedFields: [String: JSONValue]

    public init(
        version: Int64, expires: Expiry, targets: [String: TargetFile] = [:], delegations: Delegations? = nil,
        specVersion: String = tufSpecVersion, unrecognizedFields: [String: JSONValue] = [:]
    ) throws(TrustError) {
        try CommonFields.check(version: version, specVersion: specVersion, role: "targets")
        self.specVersion = specVersion
        self.version = version
        self.expires = expires
        self.targets = targets
        self.delegations = delegations
        self.unrecognizedFields = unrecognizedFields
    }

    public init(json: JSONValue) throws(TrustError) {
        var common = try CommonFields(json, type: Self.roleType)
        let context = common.fields.context
        let members = try common.fields.object("targets")
        var targets: [String: TargetFile] = [:]
        targets.reserveCapacity(members.count)
        for (path, value) in members {
            // The error context is spelled out only for an entry that is not well-formed.
            if case let .object(fields) = value, let file = TargetFile(wellFormed: fields) {
                targets[path] = file
            } else {
                targets[path] = try TargetFile(json: value, context: "\(context).targets.\(path)")
            }
        }
        self.targets = targets
        delegations = try common.fields.optional("delegations").map { value throws(TrustError) in
            try Delegations(json: value, context: "\(context).delegations")
        }
        specVersion = common.specVersion
        version = common.version
        expires = common.expires
        unrecognizedFields = common.fields.remaining
    }

    public var json: JSONValue {
        CommonFields.json(
            self,
            [
                "targets": .object(targets.mapValues(\.json)),
                "delegations": delegations?.json
            ])
    }
}
