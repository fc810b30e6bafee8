import AlienModel
import Foundation
public import RepositoryServer
public import SoftwareArea
public import Torrents
public import Transport
import Yams

/// packmand's configuration file (YAML; docs/packmand.md lists every key). Unknown keys and
/// bad values are startup errors naming the key and `file:line`.
public struct DaemonConfig: Sendable, Hashable {
    public struct Listen: Sendable, Hashable {
        /// A unix socket path (mode 0666: reads are open, mutations need a token).
        public var unix: String?
        /// `host:port` (loopback only until TLS exists: `127.0.0.1:9991`, `[::1]:9991`, `localhost:9991`).
        public var tcp: (host: String, port: Int)? {
            get { tcpHost.map { ($0, tcpPort) } }
            set {
                tcpHost = newValue?.host
                tcpPort = newValue?.port ?? 0
            }
        }
        var tcpHost: String?
        var tcpPort: Int = 0
        /// TLS on the TCP listener (required beyond loopback).
        public var tls: TLS?
        /// Each listener's connection cap, request-head timeout and idle timeout
        /// (`listen.max_connections`, `listen.header_timeout`, `listen.idle_timeout`).
        public var limits = ConnectionLimits()
    }

    /// `listen.tls`: the server's PEM certificate chain and key; with `client_ca` (a PEM file or a
    /// directory of them, grid style) clients must present a certificate one of them signed.
    public struct TLS: Sendable, Hashable {
        public var certificate: String
        public var key: String
        public var clientCA: String?
    }

    public enum Eviction: String, Sendable, Hashable { case lru, none }

    public struct Seeding: Sendable, Hashable {
        /// Bytes per second up (0: unlimited); peers; share ratio after which seeding stops.
        public var uploadRate: UInt64 = 0
        public var maxPeers: Int = 50
        public var ratio: Double = 2
        public var enabled = false
        /// Where the BitTorrent session listens (PORT or HOST:PORT).
        public var listen = "0.0.0.0:6881"
        /// Seconds between scans of the area's cache for newly kept tarballs.
        public var rescan = 10
    }

    /// How packmand's installs get tarballs (`download:`): the swarm first when torrents are
    /// published (auto: when they name trackers or `peers` are given), then HTTP.
    public struct Download: Sendable, Hashable {
        public var via = DownloadVia.auto
        /// Site peers (`host:port`) asked for pieces.
        public var peers: [String] = []
        /// Seconds without progress before the swarm gives way to HTTP.
        public var stallTimeout: Double = 30
        public var webSeeds = true
        public var localPeerDiscovery = false
        /// Where the download session listens when seeding is off (with seeding, `seeding.listen`).
        public var listen = "0.0.0.0:0"
    }

    public struct Notifications: Sendable, Hashable {
        public init() {}

        public var webhook: String?
        public var mail: String?
        public var sendmail = "/usr/sbin/sendmail"
        /// Fraction of the budget (or of the disk) used above which the admin hears of it.
        public var diskThreshold: Double = 0.9
        /// Fraction of failed jobs among the last 20 above which the admin hears of it.
        public var failureRate: Double = 0.5
        /// Seconds of trusted metadata validity left below which the admin hears of it.
        public var expiryWarning: Int64 = 6 * 3600
        /// At most one message (a digest) per this many seconds.
        public var minInterval: Int64 = 3600
        /// Bytes per second that downloads must reach over `throughputWindow` (nil: no alert).
        public var throughputFloor: UInt64?
        /// Seconds over which download throughput is judged.
        public var throughputWindow: Int64 = 1800
    }

    public var file: String
    /// `vo:`: the name of the site's default VO (the top-level area, repository, root and
    /// budget are its); package ids without an owner prefix go to it.
    public var vo = PackageID.defaultOwner
    /// `vos:`: the site's other VOs, each with its own area, repository and trusted root
    /// (DaemonConfig+VOs.swift).
    public var vos: [VOConfig] = []
    public var area: String
    public var arch: String?
    public var repository: String?
    public var mirrors: [String] = []
    public var trustedRoot: String?
    /// Certificate authorities for the repository and mirrors over https (`ca_path`: a hashed
    /// directory such as /etc/grid-security/certificates; `ca_file`: a PEM bundle). Unset:
    /// `$X509_CERT_DIR`, else the system's.
    public var authorities = CertificateAuthorities()
    public var listen = Listen()
    public var tokensFile: String?
    /// The SQLite database (default `<area>/.alien/packmand.sqlite`).
    public var database: String?
    public var diskBudget: UInt64?
    public var eviction = Eviction.lru
    /// Install jobs running at once (each may block a thread on a package lock).
    public var parallelJobs = 2
    /// Largest request body accepted (bytes).
    public var maxBody = 64 * 1024
    /// Longest `?wait=` honoured (seconds).
    public var maxWait = 3600
    /// Seconds a stopping daemon gives running installs to finish.
    public var shutdownGrace = 30
    public var seeding = Seeding()
    public var download = Download()
    /// Seconds a job may wait for another installer's package lock before health says "degraded".
    public var lockWaitWarning = 300
    public var notifications = Notifications()
    /// Usage records: retention, size bound and the syslog copy (`usage:`, DaemonConfig+Usage.swift).
    public var usage = UsageSettings()
    /// `revocation.policy`: written to the area's config.json (`revocation_policy`) at start, so
    /// the CLI on the same area follows it; nil keeps the area's (default quarantine).
    public var revocationPolicy: RevocationPolicy?
    /// `revocation.refresh`: seconds between refreshes of the repository's revocations.
    public var revocationRefresh = 300

    public init(file: String, area: String) {
        self.file = file
        self.area = area
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.file == rhs.file && lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
    var description: String { "\(vo) \(vos) \(area) \(arch ?? "") \(repository ?? "") \(listen.unix ?? "") \(listen.tcpHost ?? ""):\(listen.tcpPort)" }

    public var databasePath: String { database ?? "\(area)/.alien/packmand.sqlite" }

    /// What the daemon's `download:` (and `seeding.enabled`) choose for its installs; the area's
    /// config.json adds its `peers` (`SoftwareArea.downloadPolicy(_:)`, as for `install`).
    public var downloadOverrides: DownloadPolicy.Overrides {
        DownloadPolicy.Overrides(
            via: download.via, peers: download.peers, stallTimeout: download.stallTimeout, webSeeds: download.webSeeds,
            localPeerDiscovery: download.localPeerDiscovery, listen: download.listen, keepForSeeding: seeding.enabled)
    }

    /// The download policy of the daemon's installs without the area's configuration (peers
    /// checked when the file was read).
    public var downloadPolicy: DownloadPolicy {
        (try? DownloadPolicy(configuration: .init(), configurationPath: file, overrides: downloadOverrides)) ?? DownloadPolicy()
    }

    /// The one BitTorrent session's settings: seeding's listen address, upload limit and peer
    /// cap when seeding, else the download settings.
    public var torrentSessionSettings: TorrentSessionSettings {
        guard seeding.enabled else { return downloadPolicy.sessionSettings }
        var settings = TorrentSessionSettings(
            listenInterfaces: seeding.listen, uploadRateLimit: Int(clamping: seeding.uploadRate),
            localPeerDiscovery: download.localPeerDiscovery)
        settings.maxConnections = seeding.maxPeers
        return settings
    }

    // MARK: loading

    public static func load(file: String) throws(ConfigError) -> DaemonConfig {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ConfigError(file: file, line: nil, key: nil, message: "cannot read the file")
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> DaemonConfig {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw ConfigError(file: file, line: nil, key: nil, message: "not YAML: \(error)")
        }
        guard let node, let top = node.mapping else { throw ConfigError(file: file, line: 1, key: nil, message: "expected a mapping of keys") }
        let reader = ConfigReader(file: file)
        let entries = try reader.entries(top, prefix: "", known: topKeys)
        guard let areaNode = entries["area"] else { throw ConfigError(file: file, line: node.mark?.line, key: "area", message: "required") }
        var config = DaemonConfig(file: file, area: try reader.path(areaNode, "area"))
        if let value = entries["vo"] { config.vo = try reader.voName(value, "vo") }
        if let value = entries["arch"] { config.arch = try reader.string(value, "arch") }
        if let value = entries["repository"] { config.repository = try reader.url(value, "repository") }
        if let value = entries["mirrors"] {
            config.mirrors = try reader.list(value, "mirrors").map { node throws(ConfigError) in try reader.url(node, "mirrors") }
        }
        if let value = entries["trusted_root"] { config.trustedRoot = try reader.path(value, "trusted_root") }
        if let value = entries["ca_path"] { config.authorities.path = try reader.path(value, "ca_path") }
        if let value = entries["ca_file"] { config.authorities.file = try reader.path(value, "ca_file") }
        if let value = entries["tokens"] { config.tokensFile = try reader.path(value, "tokens") }
        if let value = entries["database"] { config.database = try reader.path(value, "database") }
        if let value = entries["parallel_jobs"] { config.parallelJobs = try reader.integer(value, "parallel_jobs", in: 1...64) }
        if let value = entries["max_body"] { config.maxBody = Int(try reader.size(value, "max_body")) }
        if let value = entries["max_wait"] { config.maxWait = try reader.integer(value, "max_wait", in: 0...86400) }
        if let value = entries["shutdown_grace"] { config.shutdownGrace = try reader.integer(value, "shutdown_grace", in: 0...3600) }
        if let value = entries["listen"] {
            let listen = try reader.entries(
                try reader.mapping(value, "listen"), prefix: "listen.",
                known: ["unix", "tcp", "tls", "max_connections", "header_timeout", "idle_timeout"])
            if let unix = listen["unix"] { config.listen.unix = try reader.path(unix, "listen.unix") }
            if let node = listen["max_connections"] {
                config.listen.limits.maxConnections = try reader.integer(node, "listen.max_connections", in: 1...100_000)
            }
            if let node = listen["header_timeout"] { config.listen.limits.headerTimeout = try reader.number(node, "listen.header_timeout", in: 0.1...3600) }
            if let node = listen["idle_timeout"] { config.listen.limits.idleTimeout = try reader.number(node, "listen.idle_timeout", in: 0.1...86400) }
            if let node = listen["tls"] {
                let tls = try reader.entries(try reader.mapping(node, "listen.tls"), prefix: "listen.tls.", known: ["certificate", "key", "client_ca"])
                guard let certificate = tls["certificate"], let key = tls["key"] else {
                    throw reader.error(node, "listen.tls", "expected certificate and key (PEM files)")
                }
                config.listen.tls = TLS(
                    certificate: try reader.path(certificate, "listen.tls.certificate"), key: try reader.path(key, "listen.tls.key"),
                    clientCA: try tls["client_ca"].map { node throws(ConfigError) in try reader.path(node, "listen.tls.client_ca") })
            }
            if let tcp = listen["tcp"] { config.listen.tcp = try reader.address(tcp, "listen.tcp", tls: config.listen.tls != nil) }
        }
        guard config.listen.unix != nil || config.listen.tcpHost != nil else {
            throw ConfigError(
                file: file, line: entries["listen"]?.mark?.line ?? node.mark?.line, key: "listen",
                message: "expected listen.unix (a socket path) and/or listen.tcp (host:port)")
        }
        if let value = entries["disk"] {
            let disk = try reader.entries(try reader.mapping(value, "disk"), prefix: "disk.", known: ["budget", "eviction"])
            if let budget = disk["budget"] { config.diskBudget = try reader.size(budget, "disk.budget") }
            if let eviction = disk["eviction"] {
                let text = try reader.string(eviction, "disk.eviction")
                guard let chosen = Eviction(rawValue: text) else { throw reader.error(eviction, "disk.eviction", "expected lru or none, got '\(text)'") }
                config.eviction = chosen
            }
        }
        if let value = entries["seeding"] {
            let seeding = try reader.entries(
                try reader.mapping(value, "seeding"), prefix: "seeding.", known: ["enabled", "upload_rate", "max_peers", "ratio", "listen", "rescan"])
            if let node = seeding["enabled"] { config.seeding.enabled = try reader.bool(node, "seeding.enabled") }
            if let node = seeding["upload_rate"] { config.seeding.uploadRate = try reader.size(node, "seeding.upload_rate") }
            if let node = seeding["max_peers"] { config.seeding.maxPeers = try reader.integer(node, "seeding.max_peers", in: 0...10000) }
            if let node = seeding["ratio"] { config.seeding.ratio = try reader.number(node, "seeding.ratio", in: 0...1000) }
            if let node = seeding["listen"] {
                let text = try reader.string(node, "seeding.listen")
                config.seeding.listen = Int(text) != nil ? "0.0.0.0:\(text)" : text
            }
            if let node = seeding["rescan"] { config.seeding.rescan = try reader.integer(node, "seeding.rescan", in: 1...3600) }
        }
        if let value = entries["download"] {
            let known: Set<String> = ["via", "peers", "stall_timeout", "web_seeds", "lsd", "listen"]
            let download = try reader.entries(try reader.mapping(value, "download"), prefix: "download.", known: known)
            if let node = download["via"] {
                let text = try reader.string(node, "download.via")
                guard let via = DownloadVia(rawValue: text) else { throw reader.error(node, "download.via", "expected auto, torrent or http, got '\(text)'") }
                config.download.via = via
            }
            if let node = download["peers"] {
                config.download.peers = try reader.list(node, "download.peers").map { peer throws(ConfigError) in
                    let text = try reader.string(peer, "download.peers")
                    do { _ = try PeerAddress(parsing: text) } catch { throw reader.error(peer, "download.peers", "\(error)") }
                    return text
                }
            }
            if let node = download["stall_timeout"] { config.download.stallTimeout = try reader.number(node, "download.stall_timeout", in: 1...3600) }
            if let node = download["web_seeds"] { config.download.webSeeds = try reader.bool(node, "download.web_seeds") }
            if let node = download["lsd"] { config.download.localPeerDiscovery = try reader.bool(node, "download.lsd") }
            if let node = download["listen"] { config.download.listen = try reader.string(node, "download.listen") }
        }
        if let value = entries["lock_wait_warning"] { config.lockWaitWarning = try reader.integer(value, "lock_wait_warning", in: 1...86400) }
        if let value = entries["notifications"] {
            let known: Set<String> = [
                "webhook", "mail", "sendmail", "disk_threshold", "failure_rate", "expiry_warning", "min_interval",
                "throughput_floor", "throughput_window"
            ]
            let notes = try reader.entries(try reader.mapping(value, "notifications"), prefix: "notifications.", known: known)
            if let node = notes["webhook"] { config.notifications.webhook = try reader.url(node, "notifications.webhook") }
            if let node = notes["mail"] {
                let address = try reader.string(node, "notifications.mail")
                guard address.contains("@"), !address.contains(" "), !address.hasPrefix("-") else {
                    throw reader.error(node, "notifications.mail", "expected a mail address, got '\(address)'")
                }
                config.notifications.mail = address
            }
            if let node = notes["sendmail"] { config.notifications.sendmail = try reader.path(node, "notifications.sendmail") }
            if let node = notes["disk_threshold"] { config.notifications.diskThreshold = try reader.number(node, "notifications.disk_threshold", in: 0...1) }
            if let node = notes["failure_rate"] { config.notifications.failureRate = try reader.number(node, "notifications.failure_rate", in: 0...1) }
            if let node = notes["expiry_warning"] {
                config.notifications.expiryWarning = Int64(try reader.integer(node, "notifications.expiry_warning", in: 0...(365 * 86400)))
            }
            if let node = notes["min_interval"] {
                config.notifications.minInterval = Int64(try reader.integer(node, "notifications.min_interval", in: 0...(30 * 86400)))
            }
            if let node = notes["throughput_floor"] { config.notifications.throughputFloor = try reader.size(node, "notifications.throughput_floor") }
            if let node = notes["throughput_window"] {
                config.notifications.throughputWindow = Int64(try reader.integer(node, "notifications.throughput_window", in: 60...(7 * 86400)))
            }
        }
        if let value = entries["usage"] { config.usage = try UsageSettings.parse(value, reader: reader) }
        if let value = entries["revocation"] {
            let revocation = try reader.entries(try reader.mapping(value, "revocation"), prefix: "revocation.", known: ["policy", "refresh"])
            if let node = revocation["policy"] {
                let text = try reader.string(node, "revocation.policy")
                guard let policy = RevocationPolicy(rawValue: text) else {
                    throw reader.error(node, "revocation.policy", "expected alert, quarantine or remove, got '\(text)'")
                }
                config.revocationPolicy = policy
            }
            if let node = revocation["refresh"] { config.revocationRefresh = try reader.integer(node, "revocation.refresh", in: 1...86400) }
        }
        if let value = entries["vos"] { config.vos = try VOConfig.parseAll(value, reader: reader, site: config) }
        return config
    }

    static let topKeys: Set<String> = [
        "area", "arch", "repository", "mirrors", "trusted_root", "ca_path", "ca_file", "listen", "tokens", "database",
        "disk", "parallel_jobs", "max_body", "max_wait", "shutdown_grace", "seeding", "download",
        "lock_wait_warning", "notifications", "usage", "revocation", "vo", "vos"
    ]
}

/// A configuration file error: `file:line: key: message`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(key.map { "\($0): " } ?? "")\(message)"
    }
}

/// Typed reads of YAML nodes with positions for errors.
struct ConfigReader {
    let file: String

    func error(_ node: Node, _ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, key: key, message: message)
    }

    func entries(_ mapping: Node.Mapping, prefix: String, known: Set<String>) throws(ConfigError) -> [String: Node] {
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw error(keyNode, prefix, "expected a text key") }
            guard known.contains(key) else {
                throw error(keyNode, prefix + key, "unknown key (expected one of: \(known.sorted().map { prefix + $0 }.joined(separator: ", ")))")
            }
            guard result[key] == nil else { throw error(keyNode, prefix + key, "given twice") }
            result[key] = value
        }
        return result
    }

    func mapping(_ node: Node, _ key: String) throws(ConfigError) -> Node.Mapping {
        guard let mapping = node.mapping else { throw error(node, key, "expected a mapping of keys") }
        return mapping
    }

    func list(_ node: Node, _ key: String) throws(ConfigError) -> [Node] {
        if let sequence = node.sequence { return Array(sequence) }
        if node.scalar != nil { return [node] }
        throw error(node, key, "expected a list")
    }

    func string(_ node: Node, _ key: String) throws(ConfigError) -> String {
        guard let scalar = node.scalar, !scalar.string.isEmpty else { throw error(node, key, "expected a non-empty text") }
        return scalar.string
    }

    func path(_ node: Node, _ key: String) throws(ConfigError) -> String {
        let text = try string(node, key)
        guard text.hasPrefix("/") else { throw error(node, key, "expected an absolute path, got '\(text)'") }
        return text
    }

    func url(_ node: Node, _ key: String) throws(ConfigError) -> String {
        let text = try string(node, key)
        guard ["http://", "https://", "file://"].contains(where: { text.hasPrefix($0) }), URL(string: text) != nil else {
            throw error(node, key, "expected an http://, https:// or file:// URL, got '\(text)'")
        }
        return text
    }

    func integer(_ node: Node, _ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard node.scalar != nil, let value = Int(node.scalar!.string), range.contains(value) else {
            throw error(node, key, "expected a whole number in \(range.lowerBound)…\(range.upperBound), got '\(node.scalar?.string ?? "a collection")'")
        }
        return value
    }

    func number(_ node: Node, _ key: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let text = node.scalar?.string, let value = Double(text), range.contains(value) else {
            throw error(node, key, "expected a number in \(range.lowerBound)…\(range.upperBound), got '\(node.scalar?.string ?? "a collection")'")
        }
        return value
    }

    func bool(_ node: Node, _ key: String) throws(ConfigError) -> Bool {
        switch node.scalar?.string {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, key, "expected true or false, got '\(node.scalar?.string ?? "a collection")'")
        }
    }

    func size(_ node: Node, _ key: String) throws(ConfigError) -> UInt64 {
        let text = try string(node, key)
        do { return try SoftwareArea.parseSize(text) } catch { throw self.error(node, key, "expected a size such as 200G, 512M or 1000000, got '\(text)'") }
    }

    func address(_ node: Node, _ key: String, tls: Bool) throws(ConfigError) -> (host: String, port: Int) {
        let text = try string(node, key)
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw error(node, key, "expected host:port, got '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard tls || ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.") else {
            throw error(node, key, "'\(host)' is not a loopback address; TCP beyond loopback needs TLS (listen.tls)")
        }
        return (host, port)
    }
}
