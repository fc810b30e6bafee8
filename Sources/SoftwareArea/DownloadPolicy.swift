public import Torrents

/// How an install gets its tarballs, shared by the CLI and packmand: which sources, in which
/// order, with which swarm settings, and whether verified tarballs are kept for seeding.
public struct DownloadPolicy: Sendable {
    public var via: DownloadVia
    /// Site peers (`host:port`) a swarm download asks for pieces.
    public var peers: [PeerAddress]
    public var stallTimeout: Double
    public var webSeeds: Bool
    /// Local peer discovery on the LAN (auto then means the swarm).
    public var localPeerDiscovery: Bool
    /// Where the torrent session listens (libtorrent syntax).
    public var listen: String
    /// Keep each verified tarball that has a torrent, with it, in `<area>/.alien/cache/`.
    public var keepForSeeding: Bool

    public init(
        via: DownloadVia = .auto, peers: [PeerAddress] = [], stallTimeout: Double = 30, webSeeds: Bool = true,
        localPeerDiscovery: Bool = false, listen: String = "0.0.0.0:0", keepForSeeding: Bool = false
    ) {
        self.via = via
        self.peers = peers
        self.stallTimeout = stallTimeout
        self.webSeeds = webSeeds
        self.localPeerDiscovery = localPeerDiscovery
        self.listen = listen
        self.keepForSeeding = keepForSeeding
    }

    /// The swarm's session settings for this policy.
    public var sessionSettings: TorrentSessionSettings {
        TorrentSessionSettings(listenInterfaces: listen, localPeerDiscovery: localPeerDiscovery)
    }

    /// The swarm source this policy asks first (nil for HTTP only), on `session`.
    public func swarm(session: LazyTorrentSession) -> SwarmSource? {
        var mode = via
        if mode == .auto, localPeerDiscovery { mode = .torrent }
        guard mode != .http else { return nil }
        return SwarmSource(session: session, via: mode, peers: peers, stallTimeout: stallTimeout, webSeeds: webSeeds)
    }
}

extension DownloadPolicy {
    /// What one install (command-line options) or one daemon (its `download:` settings) chose;
    /// nil or empty: not chosen, the area's configuration or the default applies.
    public struct Overrides: Sendable, Hashable {
        public var via: DownloadVia?
        /// Peers given here (`host:port`); the area's configured `peers` come after them.
        public var peers: [String]
        public var stallTimeout: Double?
        public var webSeeds: Bool?
        public var localPeerDiscovery: Bool?
        public var listen: String?
        public var keepForSeeding: Bool?

        public init(
            via: DownloadVia? = nil, peers: [String] = [], stallTimeout: Double? = nil, webSeeds: Bool? = nil,
            localPeerDiscovery: Bool? = nil, listen: String? = nil, keepForSeeding: Bool? = nil
        ) {
            self.via = via
            self.peers = peers
            self.stallTimeout = stallTimeout
            self.webSeeds = webSeeds
            self.localPeerDiscovery = localPeerDiscovery
            self.listen = listen
            self.keepForSeeding = keepForSeeding
        }
    }

    /// The policy of an area whose configuration (read from `configurationPath`) is
    /// `configuration`: the given peers, then the configured ones (repeats dropped); everything
    /// else as given, else the default. A malformed peer is refused, naming where it came from.
    public init(configuration: SoftwareArea.Configuration, configurationPath: String, overrides: Overrides) throws(SoftwareAreaError) {
        var peers: [PeerAddress] = []
        for text in overrides.peers {
            do { peers.append(try PeerAddress(parsing: text)) } catch {
                guard case let .invalidArgument(_, expected, _) = error else { throw .invalidArgument(name: "peer", expected: "host:port", got: text) }
                throw .invalidArgument(name: "peer", expected: expected, got: text)
            }
        }
        for text in configuration.peers {
            do { peers.append(try PeerAddress(parsing: text)) } catch {
                throw .badFile(path: configurationPath, reason: "peers: \(error)")
            }
        }
        var seen = Set<PeerAddress>()
        peers = peers.filter { seen.insert($0).inserted }
        let defaults = DownloadPolicy()
        self.init(
            via: overrides.via ?? defaults.via, peers: peers, stallTimeout: overrides.stallTimeout ?? defaults.stallTimeout,
            webSeeds: overrides.webSeeds ?? defaults.webSeeds, localPeerDiscovery: overrides.localPeerDiscovery ?? defaults.localPeerDiscovery,
            listen: overrides.listen ?? defaults.listen, keepForSeeding: overrides.keepForSeeding ?? defaults.keepForSeeding)
    }
}

extension SoftwareArea {
    /// This area's download policy with `overrides` (see `DownloadPolicy(configuration:configurationPath:overrides:)`).
    public func downloadPolicy(_ overrides: DownloadPolicy.Overrides) throws(SoftwareAreaError) -> DownloadPolicy {
        try DownloadPolicy(configuration: configuration, configurationPath: layout.config, overrides: overrides)
    }
}
