import AlienModel
import Forensics
import Transport

/// `<area>/.alien/config.json`: the one reader and writer.
///
/// ```
/// {"allow_unparsed_init":true,"arch":"slc9_x86-64","ca_file":"/etc/ca.pem","ca_path":"/etc/grid-security/certificates",
///  "mirrors":["https://mirror/alien"],"peers":["10.0.0.2:6881"],"repository":"https://repo/alien","vo":"VO_ALICE"}
/// ```
///
/// Compact JSON, keys sorted, a newline after it; fields left out when unset or empty. Unknown
/// keys are ignored (and not written back); a known key with the wrong type is refused.
extension SoftwareArea.Configuration {
    /// Config files are a few hundred bytes; anything past this is not one.
    public static let maximumBytes = 1 << 20

    static let repositoryKey = "repository", archKey = "arch", mirrorsKey = "mirrors", peersKey = "peers"
    static let caPathKey = "ca_path", caFileKey = "ca_file", syslogKey = "syslog", revocationPolicyKey = "revocation_policy"
    static let voKey = "vo"

    /// Parses the file's bytes; `path` names the file in errors.
    public init(jsonBytes bytes: [UInt8], path: String) throws(SoftwareAreaError) {
        guard bytes.count <= Self.maximumBytes else {
            throw .badFile(path: path, reason: "expected at most \(Self.maximumBytes) bytes, got \(bytes.count)")
        }
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw .badFile(path: path, reason: error.description) }
        guard case let .object(object) = value else { throw .badFile(path: path, reason: "expected a JSON object, got \(value.kind)") }
        func string(_ key: String) throws(SoftwareAreaError) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case let .string(text)?: return text
            case let other?: throw .badFile(path: path, reason: "\(key): expected a string, got \(other.kind)")
            }
        }
        func strings(_ key: String) throws(SoftwareAreaError) -> [String] {
            switch object[key] {
            case nil, .null?: return []
            case let .array(items)?:
                var texts: [String] = []
                for item in items {
                    guard case let .string(text) = item else {
                        throw .badFile(path: path, reason: "\(key): expected an array of strings, got an element of type \(item.kind)")
                    }
                    texts.append(text)
                }
                return texts
            case let other?: throw .badFile(path: path, reason: "\(key): expected an array of strings, got \(other.kind)")
            }
        }
        var allowUnparsedInit = false
        switch object[SoftwareArea.allowUnparsedInitKey] {
        case nil, .null?: break
        case let .bool(flag)?: allowUnparsedInit = flag
        case let other?: throw .badFile(path: path, reason: "\(SoftwareArea.allowUnparsedInitKey): expected true or false, got \(other.kind)")
        }
        let syslog = try string(Self.syslogKey)
        if let syslog, syslog != "off" {
            do { _ = try SyslogSender.Destination(parsing: syslog) } catch {
                throw .badFile(path: path, reason: "\(Self.syslogKey): expected off, a socket path such as /dev/log or udp://HOST:PORT, got '\(syslog)'")
            }
        }
        var policy = RevocationPolicy.quarantine
        if let text = try string(Self.revocationPolicyKey) {
            guard let chosen = RevocationPolicy(rawValue: text) else {
                throw .badFile(
                    path: path,
                    reason: "\(Self.revocationPolicyKey): expected one of \(RevocationPolicy.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            policy = chosen
        }
        let vo = try string(Self.voKey)
        if let vo, !PackageID.isValidOwner(vo) {
            throw .badFile(path: path, reason: "\(Self.voKey): expected a VO name of letters, digits, '_', '.', '-' (such as VO_ALICE), got '\(vo)'")
        }
        self.init(
            repository: try string(Self.repositoryKey), arch: try string(Self.archKey), mirrors: try strings(Self.mirrorsKey),
            peers: try strings(Self.peersKey),
            authorities: CertificateAuthorities(path: try string(Self.caPathKey), file: try string(Self.caFileKey)),
            allowUnparsedInit: allowUnparsedInit, syslog: syslog, revocationPolicy: policy, vo: vo)
    }

    /// The file's content: compact JSON with sorted keys, then a newline.
    public var jsonBytes: [UInt8] {
        var object: [String: JSONValue] = [:]
        if let repository { object[Self.repositoryKey] = .string(repository) }
        if let arch { object[Self.archKey] = .string(arch) }
        if !mirrors.isEmpty { object[Self.mirrorsKey] = .array(mirrors.map { .string($0) }) }
        if !peers.isEmpty { object[Self.peersKey] = .array(peers.map { .string($0) }) }
        if let path = authorities.path { object[Self.caPathKey] = .string(path) }
        if let file = authorities.file { object[Self.caFileKey] = .string(file) }
        if allowUnparsedInit { object[SoftwareArea.allowUnparsedInitKey] = .bool(true) }
        if let syslog { object[Self.syslogKey] = .string(syslog) }
        if revocationPolicy != .quarantine { object[Self.revocationPolicyKey] = .string(revocationPolicy.rawValue) }
        if let vo { object[Self.voKey] = .string(vo) }
        return JSONValue.object(object).compactJSONBytes + [0x0A]
    }

    /// The configuration at `path`; an absent file is the empty configuration.
    public static func read(from path: String) throws(SoftwareAreaError) -> Self {
        guard let bytes = FileSystem.readBytes(path) else { return Self() }
        return try Self(jsonBytes: bytes, path: path)
    }

    /// Replaces the file at `path` atomically.
    public func write(to path: String) throws(SoftwareAreaError) {
        try FileSystem.writeAtomically(jsonBytes, to: path)
    }
}
