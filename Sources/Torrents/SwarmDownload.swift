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

    public init(torrent: TorrentFile, peers: [PeerAddress] = [], webSeeds: [String] = [], stallTimeout: Double = 30, pollInterval: Double = 0.2) {
        self.torrent = torrent
        self.peers = peers
        self.webSeeds = webSeeds
        self.stallTimeout = stallTimeout
        self.pollInterval = pollInterval
    }

    /// Downloads into absolute `path`; `progress` gets (bytes, total, bytes per second).
    /// The torrent is removed from the session before returning (also on failure).
    public func run(in session: TorrentSession, to path: String,
                    progress: @Sendable (Int64, Int64, Int) -> Void = { _, _, _ in }) async throws -> SwarmReport {
        let id = try await session.add(torrent, file: path, webSeeds: webSeeds)
        do {
            for peer in peers { try await session.connect(id, host: peer.host, port: peer.port) }
            var lastBytes: Int64 = -1
            var lastProgress = ContinuousClock.now
            var reconnect = ContinuousClock.now
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
