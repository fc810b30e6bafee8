public import AlienModel

/// What snapshot and timestamp metadata record of another metadata file: its version and,
/// optionally, its length and hashes.
public struct MetaFile: Hashable, Sendable {
    public var version: Int64
    public var length: Int64?
    /// Algorithm name ("sha256") → lower-case hex digest.
    public var hashes: [String: String]?
    public var unrecognizedFields: [String: JSONValue]

    public init(
        version: Int64, length: Int64? = nil, hashes: [String: String]? = nil,
        unrecognizedFields: [String: JSONValue] = [:]
    ) throws(TrustError) {
        try Self.check(version: version, length: length, hashes: hashes, context: "meta")
        self.version = version
        self.length = length
        self.hashes = hashes
        self.unrecognizedFields = unrecognizedFields
    }

    private static func check(version: Int64, length: Int64?, hashes: [String: String]?, context: String) throws(TrustError) {
        try CommonFields.checkVersion(version, context: context)
        if let length, length < 0 {
            throw .invalidValue(context: context, field: "length", expected: "an integer ≥ 0", got: String(length))
        }
        if let hashes, hashes.isEmpty {
            throw .invalidValue(context: context, field: "hashes", expected: "at least one hash", got: "an empty object")
        }
    }

    init(json: JSONValue, context: String) throws(TrustError) {
        var fields = try JSONFields(json, context: context)
        version = try fields.integer("version", minimum: 1)
        if fields.remaining["length"] != nil { length = try fields.integer("length", minimum: 0) } else { length = nil }
        hashes = fields.remaining["hashes"] == nil ? nil : try fields.stringMap("hashes")
        try Self.check(version: version, length: length, hashes: hashes, context: context)
        unrecognizedFields = fields.remaining
    }

    var json: JSONValue {
        unrecognizedFields.adding([
            "version": .integer(version),
            "length": length.map { .integer($0) },
            "hashes": hashes.map { .object($0.mapValues { .string($0) }) }
        ])
    }
}

/// `snapshot.json`'s signed part: the versions of targets metadata files.
public struct Snapshot: SignedRole {
    public static let roleType = "snapshot"
    public var specVersion: String
    public var version: Int64
    public var expires: Expiry
    /// File name ("targets.json") → what is recorded of it.
    public var meta: [String: MetaFile]
    public var unrecognizedFields: [String: JSONValue]

    public init(
        version: Int64, expires: Expiry, meta: [String: MetaFile], specVersion: String = tufSpecVersion,
        unrecognizedFields: [String: JSONValue] = [:]
    ) throws(TrustError) {
        try CommonFields.check(version: version, specVersion: specVersion, role: "snapshot")
        self.specVersion = specVersion
        self.version = version
        self.expires = expires
        self.meta = meta
        self.unrecognizedFields = unrecognizedFields
    }

    public init(json: JSONValue) throws(TrustError) {
        var common = try CommonFields(json, type: Self.roleType)
        var meta: [String: MetaFile] = [:]
        for (name, value) in try common.fields.object("meta") {
            meta[name] = try MetaFile(json: value, context: "\(common.fields.context).meta.\(name)")
        }
        self.meta = meta
        specVersion = common.specVersion
        version = common.version
        expires = common.expires
        unrecognizedFields = common.fields.remaining
    }

    public var json: JSONValue {
        CommonFields.json(self, ["meta": .object(meta.mapValues(\.json))])
    }
}

/// `timestamp.json`'s signed part: the current snapshot.
public struct Timestamp: SignedRole {
    public static let roleType = "timestamp"
    public static let snapshotFileName = "snapshot.json"
    public var specVersion: String
    public var version: Int64
    public var expires: Expiry
    /// `meta["snapshot.json"]`, the only entry timestamp metadata has.
    public var snapshotMeta: MetaFile
    public var unrecognizedFields: [String: JSONValue]

    public init(
        version: Int64, expires: Expiry, snapshotMeta: MetaFile, specVersion: String = tufSpecVersion,
        unrecognizedFields: [String: JSONValue] = [:]
    ) throws(TrustError) {
        try CommonFields.check(version: version, specVersion: specVersion, role: "timestamp")
        self.specVersion = specVersion
        self.version = version
        self.expires = expires
        self.snapshotMeta = snapshotMeta
        self.unrecognizedFields = unrecognizedFields
    }

    public init(json: JSONValue) throws(TrustError) {
        var common = try CommonFields(json, type: Self.roleType)
        let context = common.fields.context
        let meta = try common.fields.object("meta")
        guard meta.count == 1, let entry = meta[Self.snapshotFileName] else {
            throw .invalidValue(
                context: context, field: "meta", expected: "exactly one entry, 'snapshot.json'",
                got: meta.keys.sorted().joined(separator: ", "))
        }
        snapshotMeta = try MetaFile(json: entry, context: "\(context).meta.snapshot.json")
        specVersion = common.specVersion
        version = common.version
        expires = common.expires
        unrecognizedFields = common.fields.remaining
    }

    public var json: JSONValue {
        CommonFields.json(self, ["meta": .object([Self.snapshotFileName: snapshotMeta.json])])
    }
}
