import CTorrent

/// The swarm around one torrent as this session sees it: what the origin policy decides on.
public struct SwarmView: Hashable, Sendable {
    public var pieceCount: Int
    public var pieceLength: Int
    public var piecesHave: Int
    /// Connected BitTorrent peers past the handshake (web seeds not counted).
    public var peers: Int
    /// Peers known from trackers, given addresses and incoming connections, connected or not.
    public var knownPeers: Int
    /// Known peers worth (re)trying.
    public var connectCandidates: Int
    /// Seeds plus downloaders a tracker reported; nil before any tracker answered with counts.
    public var trackerSwarm: Int?
    public var trackers: Int
    public var trackersAnswered: Int
    /// Trackers whose announces failed and that never answered.
    public var trackersFailed: Int
    /// The last tracker failure ("URL: reason").
    public var trackerError: String?
    /// Per piece: -1 when we have it, else how many connected peers have it.
    public var availability: [Int]

    public init(
        pieceCount: Int, pieceLength: Int, piecesHave: Int = 0, peers: Int = 0, knownPeers: Int = 0, connectCandidates: Int = 0,
        trackerSwarm: Int? = nil, trackers: Int = 0, trackersAnswered: Int = 0, trackersFailed: Int = 0, trackerError: String? = nil,
        availability: [Int]
    ) {
        self.pieceCount = pieceCount
        self.pieceLength = pieceLength
        self.piecesHave = piecesHave
        self.peers = peers
        self.knownPeers = knownPeers
        self.connectCandidates = connectCandidates
        self.trackerSwarm = trackerSwarm
        self.trackers = trackers
        self.trackersAnswered = trackersAnswered
        self.trackersFailed = trackersFailed
        self.trackerError = trackerError
        self.availability = availability
    }

    /// Every tracker answered or failed (true without trackers).
    public var trackersSettled: Bool { trackersAnswered + trackersFailed >= trackers }

    /// The nodes in the swarm, this one included, as far as this node can tell: what a tracker
    /// counted, or the connected peers and this node. Not `knownPeers`: libtorrent lists a peer
    /// that connected to us once by its outgoing port and once by its listen port, and an
    /// inflated size makes the origin gate wait for fetchers that are not there.
    public var swarmSize: Int { max(trackerSwarm ?? 0, peers + 1) }
}

/// Where a torrent's piece fetches from the origin are (`TorrentSession.fetchPieces`).
public struct OriginFetchStatus: Hashable, Sendable {
    public var active: Bool
    /// The first piece of the running or last fetch.
    public var piece: Int?
    /// Bytes received from origins for the torrent, all fetches together.
    public var bytes: Int64
    /// Pieces handed to libtorrent.
    public var completed: Int
    /// Fetches that failed.
    public var failed: Int
    /// The last failure ("URL: reason").
    public var error: String?
}

extension TorrentSession {
    /// The swarm around `torrent`: peers, trackers and per-piece availability.
    public func swarm(_ torrent: TorrentID, pieceCount: Int) throws(TorrentError) -> SwarmView {
        let pointer = try session()
        var error = at_error()
        var raw = at_swarm()
        var availability = [Int32](repeating: 0, count: max(0, pieceCount))
        let code = availability.withUnsafeMutableBufferPointer {
            at_session_swarm(pointer, torrent.rawValue, &raw, $0.baseAddress, Int32(clamping: $0.count), &error)
        }
        guard code == 0 else { throw .library(operation: "swarm of \(torrent)", code: code, message: message(of: error)) }
        let trackerError = text(raw.tracker_error)
        return SwarmView(
            pieceCount: Int(raw.num_pieces), pieceLength: Int(raw.piece_length), piecesHave: Int(raw.pieces_have),
            peers: Int(raw.peers), knownPeers: Int(raw.list_peers), connectCandidates: Int(raw.connect_candidates),
            trackerSwarm: raw.tracker_swarm >= 0 ? Int(raw.tracker_swarm) : nil, trackers: Int(raw.trackers),
            trackersAnswered: Int(raw.trackers_answered), trackersFailed: Int(raw.trackers_failed),
            trackerError: trackerError.isEmpty ? nil : trackerError,
            availability: availability.prefix(Int(raw.num_pieces)).map(Int.init))
    }

    /// Starts fetching `pieces` of `torrent` from `url` (the whole file's URL; one Range request
    /// on a background thread, each piece handed to libtorrent and hash-checked like a peer's).
    /// False when a fetch of this torrent is still running.
    public func fetchPieces(_ pieces: Range<Int>, from url: String, stallSeconds: Int, for torrent: TorrentID) throws(TorrentError) -> Bool {
        let pointer = try session()
        var error = at_error()
        let code = at_session_fetch_pieces(
            pointer, torrent.rawValue, Int32(clamping: pieces.lowerBound), Int32(clamping: pieces.count), url,
            Int32(clamping: stallSeconds), &error)
        if code == Int32(AT_ERR_BUSY) { return false }
        guard code == 0 else {
            throw .library(operation: "fetch pieces \(pieces) of \(torrent) from \(url)", code: code, message: message(of: error))
        }
        return true
    }

    public func fetchStatus(_ torrent: TorrentID) throws(TorrentError) -> OriginFetchStatus {
        let pointer = try session()
        var error = at_error()
        var raw = at_fetch_status()
        let code = at_session_fetch_status(pointer, torrent.rawValue, &raw, &error)
        guard code == 0 else { throw .library(operation: "fetch status of \(torrent)", code: code, message: message(of: error)) }
        let failure = text(raw.error)
        return OriginFetchStatus(
            active: raw.active != 0, piece: raw.piece >= 0 ? Int(raw.piece) : nil, bytes: raw.bytes,
            completed: Int(raw.completed), failed: Int(raw.failed), error: failure.isEmpty ? nil : failure)
    }
}
