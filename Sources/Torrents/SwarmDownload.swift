import Foundation

/// A peer given by address (tests, or a site's known seeders).
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port` or `[v6]:port`.
    public init(parsing text: String) throws(TorrentError) {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .invalidArgument(name: "peer", expected: "[address]:port", got: text) }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .invalidArgument(name: "peer", expected: "host:port", got: text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else {
            throw .invalidArgument(name: "peer", expected: "host:port with a port 1-65535", got: text)
        }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How a swarm download went.
public struct SwarmReport: Hashable, Sendable {
    public var status: TorrentStatus
    /// Pieces that failed their SHA-1 check (corrupt peers; libtorrent re-downloads them).
    public var hashFailures: Int
    /// Peers libtorrent banned for sending corrupt data.
    public var bannedPeers: Int
    /// Bytes this node took from the origin by piece fetches (`WebSeedPolicy.whenSwarmLacks`;
    /// libtorrent's own web seeds count in `status.bytesDownloaded`).
    public var originBytes: Int64 = 0
    /// Pieces this node took from the origin by piece fetches.
    public var originPieces: Int = 0
    /// No peer was ever connected and none could turn up (every tracker failed, none given or
    /// discoverable): the file came from the origin alone, and a swarm of the same trackers
    /// would be no better for the next file.
    public var alone: Bool = false
}

/// One swarm download: from the torrent's peers (trackers, given peers) and its web seeds (the
/// origin) into a file, ending when every piece is verified. Fails with `.noSource` when within
/// `startupTimeout` seconds no byte arrived and no peer is connected, or at once when nothing
/// can deliver (every tracker failed, no peer given or found, no web seed allowed or all of them
/// failed), and with `.stalled` when no verified byte arrives for `stallTimeout` seconds; the
/// caller then falls back to HTTP.
public struct SwarmDownload: Sendable {
    public var torrent: TorrentFile
    public var peers: [PeerAddress]
    /// URLs of the file besides the torrent's own web seeds (e.g. the site's repository mirrors).
    public var webSeeds: [String]
    public var stallTimeout: Double
    /// Seconds for the first byte from a peer or web seed, or for a peer to connect.
    public var startupTimeout: Double
    public var pollInterval: Double
    /// nil: `.always` without trackers and peers, `.standard` with them.
    public var webSeedPolicy: WebSeedPolicy?
    /// This node's rank for `OriginGate` (nil: a random draw per run).
    var originRank: Double?

    public init(
        torrent: TorrentFile, peers: [PeerAddress] = [], webSeeds: [String] = [], stallTimeout: Double = 30, startupTimeout: Double = 3,
        pollInterval: Double = 0.2, webSeedPolicy: WebSeedPolicy? = nil
    ) {
        self.torrent = torrent
        self.peers = peers
        self.webSeeds = webSeeds
        self.stallTimeout = stallTimeout
        self.startupTimeout = startupTimeout
        self.pollInterval = pollInterval
        self.webSeedPolicy = webSeedPolicy
    }

    var policy: WebSeedPolicy {
        if let webSeedPolicy { return webSeedPolicy }
        return peers.isEmpty && torrent.trackers.isEmpty ? .always : .standard
    }

    /// The torrent's web seeds then the extra ones, each once.
    var allWebSeeds: [String] { torrent.webSeeds + webSeeds.filter { !torrent.webSeeds.contains($0) } }

    /// The file's URL for each web seed (BEP 19: a URL ending in `/` names a directory).
    var originURLs: [String] {
        allWebSeeds.filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") }.map { url in
            url.hasSuffix("/") ? url + (torrent.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? torrent.name) : url
        }
    }

    /// Longest wait for libtorrent to write a finished download (a hang catcher: it ends as soon as it is written).
    static let writeDeadline: Duration = .seconds(300)

    /// Returns once libtorrent has written every piece of the finished torrent to its file: a
    /// piece counts as had once verified, which can be before it is on disk, and the file is
    /// read (and verified again) as soon as the download returns.
    static func written(_ id: TorrentID, name: String, in session: TorrentSession) async throws {
        try await session.flush(id)
        let deadline = ContinuousClock.now + writeDeadline
        while try await !session.alerts(for: id).contains(where: { $0.kind == .cacheFlushed }) {
            guard ContinuousClock.now < deadline else {
                throw TorrentError.failed(name: name, reason: "libtorrent did not write the finished download to disk within \(writeDeadline)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    var pieceCount: Int { torrent.pieceLength > 0 ? Int((torrent.length + Int64(torrent.pieceLength) - 1) / Int64(torrent.pieceLength)) : 0 }

    /// Downloads into absolute `path`; `progress` gets (bytes, total, bytes per second).
    /// The torrent is removed from the session before returning (also on failure).
    public func run(
        in session: TorrentSession, to path: String,
        progress: @Sendable (Int64, Int64, Int) -> Void = { _, _, _ in }
    ) async throws -> SwarmReport {
        let policy = self.policy
        let native = policy == .always
        let id =
            native
            ? try await session.add(torrent, file: path, webSeeds: webSeeds.filter { !torrent.webSeeds.contains($0) })
            : try await session.add(try torrent.withoutWebSeeds(), file: path)
        do {
            for peer in peers { try await session.connect(id, host: peer.host, port: peer.port) }
            var run = SwarmRun(download: self, policy: policy, id: id, nativeSeedsOn: native)
            while true {
                try Task.checkCancellation()
                if let report = try await run.step(session, progress: progress) {
                    try await Self.written(id, name: torrent.name, in: session)
                    try? await session.remove(id)
                    return report
                }
                try await run.pause(session)
            }
        } catch {
            try? await session.remove(id)
            throw error
        }
    }
}
