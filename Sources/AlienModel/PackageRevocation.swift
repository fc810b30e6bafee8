/// A release manager's signed statement that one package build must no longer be used
/// (issue 18 §2). It is published as a TUF target of the top-level targets role at
/// ``targetPath`` (`revocations/<arch>/<Name>/<Version>-<Revision>.json`): its bytes are
/// ``documentBytes`` and its signed `custom` object is ``json``, the same fields, so a site
/// learns every revocation from the targets metadata it refreshes anyway, with no extra
/// download. TUF's signatures and version rules make it unforgeable and keep it from being
/// rolled back. One reader (``init(custom:)``) and one writer (``json``).
public struct PackageRevocation: Hashable, Sendable {
    public enum Key {
        public static let kind = "kind", name = "name", version = "version", revision = "revision", arch = "arch"
        public static let target = "revokes", sha256 = "sha256", reason = "reason", time = "time"
        /// The value of `kind`: a package target's custom object never has it.
        public static let kindValue = "revocation"
    }

    /// The folder of revocation targets under the repository's targets.
    public static let pathPrefix = "revocations/"
    /// The longest reason kept (bytes of UTF-8); a revocation is a line in an alert, not a report.
    public static let maximumReasonBytes = 2000

    public var name: String
    public var version: String
    public var revision: String
    public var arch: String
    /// The revoked tarball's target path.
    public var target: String
    /// The revoked tarball's sha256 (lower-case hex), to match usage records.
    public var sha256: String?
    public var reason: String
    /// When it was signed, `YYYY-MM-DDTHH:MM:SSZ`.
    public var time: String

    public init(name: String, version: String, revision: String, arch: String, target: String, sha256: String?, reason: String, time: String) {
        self.name = name
        self.version = version
        self.revision = revision
        self.arch = arch
        self.target = target
        self.sha256 = sha256
        self.reason = reason
        self.time = time
    }

    /// The revoked build's version and revision.
    public var build: PackageVersion { PackageVersion(version: version, revision: revision) }
    /// `Name/Version-Revision` (the installed package's spelling).
    public var folder: String { "\(name)/\(version)-\(revision)" }
    /// `Name::Version-Revision`.
    public var spelling: String { PackageID.spelling(name: name, build: build) }

    /// `revocations/<arch>/<Name>/<Version>-<Revision>.json`.
    public var targetPath: String { Self.targetPath(arch: arch, name: name, version: version, revision: revision) }

    public static func targetPath(arch: String, name: String, version: String, revision: String) -> String {
        "\(pathPrefix)\(arch)/\(name)/\(version)-\(revision).json"
    }

    /// Whether `custom` claims to be a revocation (`kind` is `revocation`).
    public static func isRevocation(_ custom: JSONValue?) -> Bool {
        guard case let .object(fields)? = custom, case let .string(kind)? = fields[Key.kind] else { return false }
        return kind == Key.kindValue
    }

    /// The one reader: every field a non-empty string (`sha256` optional: 64 lower-case hex
    /// digits when present), name/version/revision/arch one path component each, the reason at
    /// most ``maximumReasonBytes`` and free of control characters but tab, the time in the
    /// `YYYY-MM-DDTHH:MM:SSZ` shape.
    public init(custom: JSONValue?) throws(PackageTargetMetadataError) {
        guard case let .object(fields)? = custom else {
            throw PackageTargetMetadataError(
                field: Key.kind, expected: "\"\(Key.kindValue)\"", got: custom.map { "custom as \($0.kind)" } ?? "no custom object")
        }
        func required(_ key: String) throws(PackageTargetMetadataError) -> String {
            guard let value = fields[key] else { throw PackageTargetMetadataError(field: key, expected: "a non-empty string", got: "nothing") }
            guard case let .string(text) = value, !text.isEmpty else {
                throw PackageTargetMetadataError(field: key, expected: "a non-empty string", got: value.kind)
            }
            return text
        }
        let kind = try required(Key.kind)
        guard kind == Key.kindValue else { throw PackageTargetMetadataError(field: Key.kind, expected: "\"\(Key.kindValue)\"", got: "\"\(kind)\"") }
        name = try required(Key.name)
        version = try required(Key.version)
        revision = try required(Key.revision)
        arch = try required(Key.arch)
        for part in [name, version, revision, arch] where part.contains("/") || part == ".." || part == "." {
            throw PackageTargetMetadataError(field: "name/version/revision/arch", expected: "a path component", got: part)
        }
        target = try required(Key.target)
        reason = try required(Key.reason)
        guard reason.utf8.count <= Self.maximumReasonBytes else {
            throw PackageTargetMetadataError(field: Key.reason, expected: "at most \(Self.maximumReasonBytes) bytes", got: "\(reason.utf8.count) bytes")
        }
        if let bad = reason.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
            throw PackageTargetMetadataError(field: Key.reason, expected: "text without control characters", got: "U+\(String(bad.value, radix: 16))")
        }
        time = try required(Key.time)
        guard Self.isTimestampShape(time) else {
            throw PackageTargetMetadataError(field: Key.time, expected: "YYYY-MM-DDTHH:MM:SSZ", got: "'\(time)'")
        }
        switch fields[Key.sha256] {
        case nil: sha256 = nil
        case let .string(hex)? where hex.count == 64 && hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }):
            sha256 = hex
        case let other?: throw PackageTargetMetadataError(field: Key.sha256, expected: "64 lower-case hex digits", got: other.kind)
        }
    }

    /// The one writer: the signed `custom` object.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            Key.kind: .string(Key.kindValue), Key.name: .string(name), Key.version: .string(version), Key.revision: .string(revision),
            Key.arch: .string(arch), Key.target: .string(target), Key.reason: .string(reason), Key.time: .string(time)
        ]
        if let sha256 { fields[Key.sha256] = .string(sha256) }
        return .object(fields)
    }

    /// The target file's bytes: ``json`` in canonical JSON, then a newline.
    public var documentBytes: [UInt8] { json.canonicalBytes + [0x0A] }

    /// `NNNN-NN-NNTNN:NN:NNZ` (the calendar is checked by whoever reads it as a date).
    static func isTimestampShape(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 else { return false }
        for (index, byte) in bytes.enumerated() {
            switch index {
            case 4, 7: if byte != UInt8(ascii: "-") { return false }
            case 10: if byte != UInt8(ascii: "T") { return false }
            case 13, 16: if byte != UInt8(ascii: ":") { return false }
            case 19: if byte != UInt8(ascii: "Z") { return false }
            default: if !(0x30...0x39).contains(byte) { return false }
            }
        }
        return true
    }
}
