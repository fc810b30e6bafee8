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
}

/// When a swarm download uses its web seeds (the origin).
public enum WebSeedPolicy: Hashable, Sendable {
    /// From the start, all the time (no peers or trackers to ask).
    case always
    /// Only while peers are slow or absent: off at first; on when fewer than `minimumRate`
    /// bytes/s arrived over the last `window` seconds; after `onPeriod` seconds on, off again
    /// to probe whether the peers now suffice. Keeps the origin's egress near one copy per
    /// swarm when site peers have the pieces.
    case whenPeersSlow(minimumRate: Int, window: Double, onPeriod: Double)

    public static let standard = WebSeedPolicy.whenPeersSlow(minimumRate: 4 << 20, window: 1, onPeriod: 2)
}

/// One swarm download: from the torrent's peers (trackers, given peers) and web seeds into a
/// file, ending when every piece is verified, failing with `.stalled` when no byte arrives for
/// `stallTimeout` seconds (the caller falls back to plain HTTP).
public struct SwarmDownload: Sendable {
    public var torrent: TorrentFile
    public var peers: [PeerAddress]
    /// URLs of the file besides the torrent's own web seeds (e.g. the site's repository mirrors).
    public var webSeeds: [String]
    public var stallTimeout: Double
    public var pollInterval: Double
    /// nil: `.always` without trackers and peers, `.standard` with them.
    public var webSeedPolicy: WebSeedPolicy?

    public init(torrent: TorrentFile, peers: [PeerAddress] = [], webSeeds: [String] = [], stallTimeout: Double = 30, pollInterval: Double = 0.2,
                webSeedPolicy: WebSeedPolicy? = nil) {
        self.torrent = torrent
        self.peers = peers
        self.webSeeds = webSeeds
        self.stallTimeout = stallTimeout
        self.pollInterval = pollInterval
        self.webSeedPolicy = webSeedPolicy
    }

    var policy: WebSeedPolicy {
        if let webSeedPolicy { return webSeedPolicy }
        return peers.isEmpty && torrent.trackers.isEmpty ? .always : .standard
    }

    /// Downloads into absolute `path`; `progress` gets (bytes, total, bytes per second).
    /// The torrent is removed from the session before returning (also on failure).
    public func run(in session: TorrentSession, to path: String,
                    progress: @Sendable (Int64, Int64, Int) -> Void = { _, _, _ in }) async throws -> SwarmReport {
        let allSeeds = torrent.webSeeds + webSeeds.filter { !torrent.webSeeds.contains($0) }
        let policy = self.policy
        var seedsOn = policy == .always
        let id = seedsOn ? try await session.add(torrent, file: path, webSeeds: webSeeds)
            : try await session.add(try torrent.withoutWebSeeds(), file: path)
        do {
            for peer in peers { try await session.connect(id, host: peer.host, port: peer.port) }
            let start = ContinuousClock.now
            var lastBytes: Int64 = -1
            var lastProgress = start
            var reconnect = start
            var switched = start
            var samples: [(time: ContinuousClock.Instant, bytes: Int64)] = []
            var hashFailures = 0, banned = 0
            while true {
                try Task.checkCancellation()
                for alert in try await session.alerts() where alert.torrent == id || alert.torrent == nil {
                    switch alert.kind {
                    case .error: throw TorrentError.failed(name: torrent.name, reason: alert.message)
                    case .hashFailed: hashFailures += 1
                    case .peerBanned: banned += 1
                    default: break
                    }
                }
                let status = try await session.status(id)
                if let error = status.error { throw TorrentError.failed(name: torrent.name, reason: error) }
                if status.isFinished || status.state == .seeding || status.state == .finished,
                   status.bytesDone >= torrent.length {
                    progress(status.bytesDone, torrent.length, status.downloadRate)
                    try? await session.remove(id)
                    return SwarmReport(status: status, hashFailures: hashFailures, bannedPeers: banned)
                }
                let now = ContinuousClock.now
                if status.bytesDone > lastBytes {
                    lastBytes = status.bytesDone
                    lastProgress = now
                    progress(status.bytesDone, torrent.length, status.downloadRate)
                } else if status.state != .checking, now - lastProgress > .milliseconds(Int64(stallTimeout * 1000)) {
                    throw TorrentError.stalled(name: torrent.name, seconds: stallTimeout, bytes: status.bytesDone, total: torrent.length)
                }
                if case let .whenPeersSlow(minimumRate, window, onPeriod) = policy, !allSeeds.isEmpty {
                    samples.append((now, status.bytesDone))
                    let horizon = now - .milliseconds(Int64(window * 1000))
                    while samples.count > 1, samples[0].time < horizon { samples.removeFirst() }
                    if seedsOn, now - switched >= .milliseconds(Int64(onPeriod * 1000)) {
                        try await session.setWebSeeds(allSeeds, enabled: false, for: id)
                        seedsOn = false
                        switched = now
                        samples = [(now, status.bytesDone)]
                    } else if !seedsOn, now - switched >= .milliseconds(Int64(window * 1000)), let first = samples.first {
                        let elapsed = (now - first.time).components
                        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                        let rate = seconds > 0 ? Double(status.bytesDone - first.bytes) / seconds : 0
                        if rate < Double(minimumRate) {
                            try await session.setWebSeeds(allSeeds, enabled: true, for: id)
                            seedsOn = true
                            switched = now
                        }
                    }
                }
                // Given peers that dropped (a seeder restarting) are asked again every few seconds.
                if !peers.isEmpty, status.peers == 0, now - reconnect > .seconds(3) {
                    reconnect = now
                    for peer in peers { try? await session.connect(id, host: peer.host, port: peer.port) }
                }
                try await Task.sleep(for: .milliseconds(Int64(pollInterval * 1000)))
            }
        } catch {
            try? await session.remove(id)
            throw error
        }
    }
}
