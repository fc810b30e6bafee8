import Foundation

/// When a swarm download takes bytes from its web seeds (the origin).
public enum WebSeedPolicy: Hashable, Sendable {
    /// libtorrent's web seeds from the start, all the time (no peers or trackers to ask).
    case always
    /// libtorrent's web seeds only while peers are slow or absent: off at first; on when fewer
    /// than `minimumRate` bytes/s arrived over the last `window` seconds; after `onPeriod` seconds
    /// on, off again to probe the peers. The policy before `whenSwarmLacks`: every node of a
    /// swarm that starts at once finds its peers slow at the start, and a libtorrent web seed
    /// takes at least 1 MiB plus its request queue at each switch, so the origin served 1.2× the
    /// package at 8 nodes and 3.6× at 48 (BENCHMARKS.md).
    case whenPeersSlow(minimumRate: Int, window: Double, onPeriod: Double)
    /// Origin pieces only for what no connected peer has, one piece at a time, fetched by a share
    /// of the swarm's nodes that each node works out alone (`OriginGate`): about
    /// `fetchersPerMissingPiece` × (pieces no peer has) nodes fetch at once, at least three (one a
    /// piece when fewer), each a random one of those pieces; everything else comes from peers. A
    /// node alone for good (its trackers failed, no peer) takes the origin in runs of 4 MiB. The origin then serves
    /// about one copy whatever the number of nodes (BENCHMARKS.md has the model).
    case whenSwarmLacks(fetchersPerMissingPiece: Double)

    /// 0.15: measured at 48 nodes, 0.25 served 1.14–1.59× the package (a fetched piece is unseen
    /// by the others until it is verified and announced, so picks collide with fetches under way
    /// about as often as the share), 0.15 served 1.08–1.13× in the same time.
    public static let standard = WebSeedPolicy.whenSwarmLacks(fetchersPerMissingPiece: 0.15)
}

/// One node's decision, each time it could start an origin fetch, whether to take a piece that
/// no connected peer has from the origin. Every node decides alone from what it sees: with `m`
/// such pieces and `n` nodes in the swarm, a node fetches when its `rank` (a draw in [0, 1) made
/// once per download) is below max(min(m, 3), m × fetchersPerMissingPiece) / n, so about that
/// many nodes fetch at once and, each picking a random missing piece, rarely the same one
/// (expected duplicates per round ≈ fetchers² / 2m, i.e. a share fetchersPerMissingPiece / 2 of
/// the round). The floor of 3 keeps the last pieces from waiting on a single node that may not
/// exist (with one expected fetcher, nobody fetches 37 % of the time); it costs a few pieces at
/// most. When the missing set has not shrunk for `escalation` seconds (the nodes that should
/// fetch did not, or are gone), the share doubles, and again every `escalation` seconds.
struct OriginGate: Sendable, Hashable {
    var fetchersPerMissingPiece: Double
    var rank: Double
    var escalation: Double
    private var lastMissing = Int.max
    private var since = 0.0

    init(fetchersPerMissingPiece: Double, rank: Double, escalation: Double) {
        self.fetchersPerMissingPiece = max(0, fetchersPerMissingPiece)
        self.rank = min(max(rank, 0), 1)
        self.escalation = max(escalation, 0.001)
    }

    /// At least this many nodes (or one per missing piece when fewer) fetch at once.
    static let minimumFetchers = 3

    /// Seconds before the share doubles for pieces of `pieceLength` bytes: the time such a piece
    /// takes at 512 KiB/s, at least 1 s (a fetch under way must not look like no fetch).
    static func escalation(pieceLength: Int) -> Double { max(1, Double(pieceLength) / Double(512 << 10)) }

    /// The share of the swarm's nodes that should be fetching now.
    mutating func share(missing: Int, swarmSize: Int, now: Double) -> Double {
        guard missing > 0 else {
            lastMissing = 0
            return 0
        }
        if missing < lastMissing || lastMissing == 0 { since = now }
        lastMissing = missing
        guard swarmSize > 1 else { return 1 }
        let wanted = max(Double(min(missing, Self.minimumFetchers)), Double(missing) * fetchersPerMissingPiece)
        let doublings = min(30, max(0, ((now - since) / escalation).rounded(.down)))
        return min(1, wanted / Double(swarmSize) * pow(2, doublings))
    }

    /// Whether this node fetches a missing piece now (`now`: seconds on any steady clock).
    mutating func shouldFetch(missing: Int, swarmSize: Int, now: Double) -> Bool {
        let share = share(missing: missing, swarmSize: swarmSize, now: now)
        return share > 0 && (share >= 1 || rank < share)
    }
}
