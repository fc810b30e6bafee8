/// The signed `custom` object of a package tarball's TUF target (docs/ARCHITECTURE.md,
/// "Targets"): which build the tarball holds and what it requires, as target paths. The
/// publisher writes it with ``json``; every reader (the site's catalog and downloads, the
/// publisher's list and undefine) reads it with ``init(custom:)``.
public struct PackageTargetMetadata: Hashable, Sendable {
    /// The keys of the object.
    public enum Key {
        public static let name = "name", version = "version", revision = "revision", arch = "arch", hash = "hash"
        public static let requires = "requires", fullRequires = "full_requires", buildRequires = "build_requires"
        public static let unpackedSize = "unpacked_size"
        /// Added by the publisher's extensions: the piece-hash list, the torrent and its info-hash.
        public static let pieces = "pieces", torrent = "torrent", infoHash = "infohash"
    }

    public var name: String
    public var version: String
    public var revision: String
    public var arch: String
    /// aliBuild's package hash (relocation markers use it); nil when the object has none.
    public var hash: String?
    /// Direct runtime requirements, as target paths.
    public var requires: [String]
    /// The recursive runtime closure, as target paths; nil when the object has none.
    public var fullRequires: [String]?
    /// The build closure, as target paths; nil when the object has none.
    public var buildRequires: [String]?
    /// The unpacked size in bytes, when recorded.
    public var unpackedSize: UInt64?
    /// The target path of the piece-hash list.
    public var pieces: String?
    /// The target path of the torrent, and its info-hash (as written).
    public var torrent: String?
    public var infoHash: String?

    public init(
        name: String, version: String, revision: String, arch: String, hash: String? = nil, requires: [String] = [],
        fullRequires: [String]? = nil, buildRequires: [String]? = nil
    ) {
        self.name = name
        self.version = version
        self.revision = revision
        self.arch = arch
        self.hash = hash
        self.requires = requires
        self.fullRequires = fullRequires
        self.buildRequires = buildRequires
    }

    /// The build: version and revision.
    public var build: PackageVersion { PackageVersion(version: version, revision: revision) }

    /// `Name::Version-Revision`.
    public var spelling: String { PackageID.spelling(name: name, build: build) }

    /// The runtime closure: `full_requires`, else `requires`.
    public var runtimeClosure: [String] { fullRequires ?? requires }

    /// The one reader. Name, version, revision and arch must be non-empty strings usable as one
    /// path component; hash, when present, a non-empty string; the lists keep their string
    /// items; `unpacked_size` counts when it is a non-negative integer; `pieces`, `torrent` and
    /// `infohash`, when present, must be non-empty strings.
    public init(custom: JSONValue?) throws(PackageTargetMetadataError) {
        guard case let .object(fields)? = custom else {
            throw PackageTargetMetadataError(
                field: Key.name, expected: "a non-empty string",
                got: custom.map { "custom as \($0.kind)" } ?? "no custom object")
        }
        func string(_ key: String, expected: String = "a non-empty string") throws(PackageTargetMetadataError) -> String? {
            guard let value = fields[key] else { return nil }
            guard case let .string(text) = value, !text.isEmpty else {
                throw PackageTargetMetadataError(field: key, expected: expected, got: value.kind)
            }
            return text
        }
        func required(_ key: String) throws(PackageTargetMetadataError) -> String {
            guard let text = try string(key) else { throw PackageTargetMetadataError(field: key, expected: "a non-empty string", got: "nothing") }
            return text
        }
        func strings(_ key: String) -> [String]? { Self.strings(fields, key) }
        // A revocation (`PackageRevocation`) names a package too, but is none.
        if let kind = fields[PackageRevocation.Key.kind] {
            throw PackageTargetMetadataError(field: PackageRevocation.Key.kind, expected: "no kind (a package target)", got: kind.kind)
        }
        name = try required(Key.name)
        version = try required(Key.version)
        revision = try required(Key.revision)
        arch = try required(Key.arch)
        hash = try string(Key.hash)
        for part in [name, version, revision, arch] where part.contains("/") || part == ".." || part == "." {
            throw PackageTargetMetadataError(field: "name/version/revision/arch", expected: "a path component", got: part)
        }
        requires = strings(Key.requires) ?? []
        fullRequires = strings(Key.fullRequires)
        buildRequires = strings(Key.buildRequires)
        if case let .integer(size)? = fields[Key.unpackedSize], size >= 0 { unpackedSize = UInt64(size) }
        pieces = try string(Key.pieces, expected: "a target path")
        torrent = try string(Key.torrent, expected: "a target path")
        infoHash = try string(Key.infoHash, expected: "a hex info-hash")
    }

    /// The runtime closure of any `custom` object (`full_requires`, else `requires`, else
    /// none), without requiring the package fields: what an install record keeps.
    public static func runtimeClosure(in custom: JSONValue?) -> [String] {
        guard case let .object(fields)? = custom else { return [] }
        return strings(fields, Key.fullRequires) ?? strings(fields, Key.requires) ?? []
    }

    /// A list's string items (others are skipped); nil when the field is not an array.
    private static func strings(_ fields: [String: JSONValue], _ key: String) -> [String]? {
        guard case let .array(items)? = fields[key] else { return nil }
        return items.compactMap { if case let .string(text) = $0 { text } else { nil } }
    }

    /// The one writer: the object as it is signed (fields that are nil are left out).
    public var json: JSONValue { .object(fields) }

    /// The members of ``json``, for a publisher that adds its extensions' fields.
    public var fields: [String: JSONValue] {
        var fields: [String: JSONValue] = [
            Key.name: .string(name), Key.version: .string(version), Key.revision: .string(revision), Key.arch: .string(arch),
            Key.requires: .array(requires.map { .string($0) })
        ]
        if let hash { fields[Key.hash] = .string(hash) }
        if let fullRequires { fields[Key.fullRequires] = .array(fullRequires.map { .string($0) }) }
        if let buildRequires { fields[Key.buildRequires] = .array(buildRequires.map { .string($0) }) }
        if let unpackedSize, let size = Int64(exactly: unpackedSize) { fields[Key.unpackedSize] = .integer(size) }
        if let pieces { fields[Key.pieces] = .string(pieces) }
        if let torrent { fields[Key.torrent] = .string(torrent) }
        if let infoHash { fields[Key.infoHash] = .string(infoHash) }
        return fields
    }
}

/// Why a target's `custom` object is not package metadata.
public struct PackageTargetMetadataError: Error, Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var expected: String
    public var got: String

    public init(field: String, expected: String, got: String) {
        self.field = field
        self.expected = expected
        self.got = got
    }

    public var description: String { "custom.\(field): expected \(expected), got \(got)" }
}
