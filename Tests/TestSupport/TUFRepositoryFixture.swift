import Crypto
public import Trust

/// A TUF repository built in code for the updater tests: keys, the four top-level roles and
/// delegated targets roles, signed and published into a `RemoteStore` under
/// `metadataBaseURL`/`targetBaseURL` as a static web server would serve it
/// (`<v>.root.json`, `timestamp.json`, `<v>.snapshot.json`, `<v>.<role>.json`, targets at
/// `<dir>/<sha256>.<basename>`; without consistent snapshots also the unversioned names).
///
/// The `public var`s are the *next* content; `publish...` signs it with `keys[role]` and stores
/// it. Attack tests change fields, sign with other keys (`signedBytes`) and overwrite files
/// (`putMetadata`).
public struct TUFRepositoryFixture {
    public static let metadataBaseURL = "https://tuf.test/metadata/"
    public static let targetBaseURL = "https://tuf.test/targets/"
    /// 2030-01-01T00:00:00Z.
    public static let expires = Expiry(secondsSince1970: 1_893_456_000)
    /// 2020-01-01T00:00:00Z: already past for any test run.
    public static let past = Expiry(secondsSince1970: 1_577_836_800)

    public let store: RemoteStore
    /// Signers of each role (top-level and delegated), by role name.
    public var keys: [String: [SigningKey]]
    public var root: Root
    /// "targets" and the delegated roles, by name.
    public var targets: [String: Targets]
    public var snapshot: Snapshot
    public var timestamp: Timestamp
    /// Record length and hashes in snapshot meta and timestamp meta (else only versions).
    public var recordLengthsAndHashes = true
    /// The published roots' bytes, version 1 first.
    public private(set) var rootHistory: [[UInt8]] = []
    /// Target contents by target path.
    public private(set) var targetContents: [String: [UInt8]] = [:]
    private var published: Set<String> = []
    /// Each targets role as last published, to find the changed ones.
    private var lastPublished: [String: Targets] = [:]
    /// The signers of the last published root (they must sign the next one).
    private var lastRootSigners: [SigningKey]

    /// Root v1 (threshold `rootThreshold` of `rootKeyCount` keys; one key per other role), empty
    /// targets, snapshot and timestamp, all published.
    public init(
        consistentSnapshot: Bool = true, rootKeyCount: Int = 1, rootThreshold: Int = 1,
        store: RemoteStore = RemoteStore()
    ) throws {
        self.store = store
        keys = ["root": (0..<rootKeyCount).map { _ in SigningKey.generate() }]
        lastRootSigners = keys["root"]!
        for role in ["targets", "snapshot", "timestamp"] { keys[role] = [SigningKey.generate()] }
        var table: [String: Key] = [:]
        var roles: [String: RoleKeys] = [:]
        for (role, signers) in keys {
            for signer in signers { table[signer.keyID] = signer.key }
            roles[role] = try RoleKeys(keyIDs: signers.map(\.keyID), threshold: role == "root" ? rootThreshold : 1)
        }
        root = try Root(version: 1, expires: Self.expires, keys: table, roles: roles, consistentSnapshot: consistentSnapshot)
        targets = ["targets": try Targets(version: 1, expires: Self.expires)]
        snapshot = try Snapshot(version: 1, expires: Self.expires, meta: [:])
        timestamp = try Timestamp(version: 1, expires: Self.expires, snapshotMeta: MetaFile(version: 1))
        let rootBytes = try signedBytes(root, by: keys["root"]!)
        rootHistory.append(rootBytes)
        putMetadata("1.root.json", rootBytes)
        putMetadata("root.json", rootBytes)
        try publish()
    }

    public var consistentSnapshot: Bool { root.consistentSnapshot == true }

    /// The trusted root to start a client from (version 1).
    public var initialRootBytes: [UInt8] { rootHistory[0] }

    public func fetcher() -> InMemoryFetcher { InMemoryFetcher(store: store) }

    // MARK: raw access

    /// `signed` wrapped in metadata signed by each of `signers`.
    public func signedBytes<R: SignedRole>(_ signed: R, by signers: [SigningKey]) throws -> [UInt8] {
        var metadata = Metadata(signed: signed)
        for signer in signers { try metadata.sign(with: signer) }
        return metadata.serialized()
    }

    public func putMetadata(_ name: String, _ bytes: [UInt8]?) {
        store[Self.metadataBaseURL + name] = bytes
    }

    public func metadata(_ name: String) -> [UInt8]? {
        store[Self.metadataBaseURL + name]
    }

    public static func metadataURL(_ name: String) -> String { metadataBaseURL + name }

    /// The URL the client downloads `path` from.
    public func targetURL(_ path: String) -> String {
        guard consistentSnapshot, let content = targetContents[path] else { return Self.targetBaseURL + path }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts[parts.count - 1] = "\(Self.sha256(content)).\(parts[parts.count - 1])"
        return Self.targetBaseURL + parts.joined(separator: "/")
    }

    public static func sha256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    public static func sha512(_ bytes: [UInt8]) -> String {
        hex(SHA512.hash(data: bytes))
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    // MARK: targets and delegations

    /// Lists `content` as target `path` in `role` (sha256 and sha512) and stores the file.
    @discardableResult
    public mutating func addTarget(_ path: String, content: [UInt8], role: String = "targets") throws -> TargetFile {
        let file = try TargetFile(length: Int64(content.count), hashes: ["sha256": Self.sha256(content), "sha512": Self.sha512(content)])
        targets[role]!.targets[path] = file
        targetContents[path] = content
        store[targetURL(path)] = content
        if consistentSnapshot { store[Self.targetBaseURL + path] = content }
        return file
    }

    /// Adds `role` (signed by `signers`) to `delegator`'s delegations, after the existing ones,
    /// and an empty targets role for it.
    public mutating func delegate(_ role: DelegatedRole, from delegator: String = "targets", signers: [SigningKey]) throws {
        var delegations = try targets[delegator]!.delegations ?? Delegations(keys: [:], roles: [])
        for signer in signers { delegations.keys[signer.keyID] = signer.key }
        delegations.roles.append(role)
        targets[delegator]!.delegations = delegations
        targets[role.name] = try Targets(version: 1, expires: Self.expires)
        keys[role.name] = signers
    }

    /// Succinct hash-bin delegation from `delegator`: 2^bitLength empty bin roles signed by `signers`.
    public mutating func delegateHashBins(
        prefix: String, bitLength: Int, from delegator: String = "targets",
        signers: [SigningKey]
    ) throws -> SuccinctRoles {
        let bins = try SuccinctRoles(keyIDs: signers.map(\.keyID), threshold: signers.count, bitLength: bitLength, namePrefix: prefix)
        var table: [String: Key] = [:]
        for signer in signers { table[signer.keyID] = signer.key }
        targets[delegator]!.delegations = Delegations(keys: table, succinctRoles: bins)
        for name in bins.roleNames {
            targets[name] = try Targets(version: 1, expires: Self.expires)
            keys[name] = signers
        }
        return bins
    }

    // MARK: publishing

    /// Signs and stores targets role `role` (version + 1 after its first publication) and
    /// records it in the next snapshot.
    public mutating func publishTargets(_ role: String) throws {
        if published.contains(role) { targets[role]!.version += 1 }
        published.insert(role)
        let bytes = try signedBytes(targets[role]!, by: keys[role]!)
        let name = Self.quote(role)
        putMetadata(consistentSnapshot ? "\(targets[role]!.version).\(name).json" : "\(name).json", bytes)
        snapshot.meta["\(role).json"] = try meta(version: targets[role]!.version, bytes: bytes)
        lastPublished[role] = targets[role]!
    }

    /// Signs and stores the snapshot (version + 1 after the first) and records it in the next
    /// timestamp.
    public mutating func publishSnapshot() throws {
        if published.contains("snapshot") { snapshot.version += 1 }
        published.insert("snapshot")
        let bytes = try signedBytes(snapshot, by: keys["snapshot"]!)
        putMetadata(consistentSnapshot ? "\(snapshot.version).snapshot.json" : "snapshot.json", bytes)
        timestamp.snapshotMeta = try meta(version: snapshot.version, bytes: bytes)
    }

    /// Signs and stores `timestamp.json` (version + 1 after the first).
    public mutating func publishTimestamp() throws {
        if published.contains("timestamp") { timestamp.version += 1 }
        published.insert("timestamp")
        putMetadata("timestamp.json", try signedBytes(timestamp, by: keys["timestamp"]!))
    }

    /// Publishes the given targets roles and every one changed since its last publication,
    /// then snapshot and timestamp.
    public mutating func publish(_ roles: [String] = []) throws {
        let changed = targets.keys.filter { lastPublished[$0] != targets[$0] }
        for role in Set(roles + changed).sorted() { try publishTargets(role) }
        try publishSnapshot()
        try publishTimestamp()
    }

    private func meta(version: Int64, bytes: [UInt8]) throws -> MetaFile {
        guard recordLengthsAndHashes else { return try MetaFile(version: version) }
        return try MetaFile(version: version, length: Int64(bytes.count), hashes: ["sha256": Self.sha256(bytes)])
    }

    /// Replaces the signers of top-level `role` in the next root with `signers` (threshold 1,
    /// or all of them for root).
    public mutating func replaceKeys(of role: String, with signers: [SigningKey], threshold: Int = 1) throws {
        for id in root.roles[role]!.keyIDs where !root.roles.contains(where: { $0.key != role && $0.value.keyIDs.contains(id) }) {
            root.keys[id] = nil
        }
        for signer in signers { root.keys[signer.keyID] = signer.key }
        root.roles[role] = try RoleKeys(keyIDs: signers.map(\.keyID), threshold: threshold)
        keys[role] = signers
    }

    /// Publishes the next root version: `root` with version + 1, signed by the previous root's
    /// signers and by the new root signers (`keys["root"]`, which `replaceKeys` may have changed).
    public mutating func publishRoot(previousSigners: [SigningKey]? = nil) throws {
        let previous = previousSigners ?? lastRootSigners
        root.version += 1
        var signers = previous
        for signer in keys["root"]! where !signers.contains(where: { $0.keyID == signer.keyID }) { signers.append(signer) }
        let bytes = try signedBytes(root, by: signers)
        rootHistory.append(bytes)
        lastRootSigners = keys["root"]!
        putMetadata("\(root.version).root.json", bytes)
        putMetadata("root.json", bytes)
    }

    /// python-tuf's `parse.quote(name, "")`.
    public static func quote(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar)) || "_.-~".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
