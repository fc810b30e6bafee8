import Testing
@testable import Torrents
import TestSupport

/// The origin gate: which nodes of a swarm take a piece nobody around has from the origin.
@Suite struct WebSeedPolicyTests {
    func gate(rank: Double, share: Double = 0.25, escalation: Double = 1) -> OriginGate {
        OriginGate(fetchersPerMissingPiece: share, rank: rank, escalation: escalation)
    }

    @Test func aNodeAloneFetchesAndNobodyFetchesWhatPeersHave() {
        var alone = gate(rank: 0.999)
        let fetches = alone.shouldFetch(missing: 3, swarmSize: 1, now: 0)
        #expect(fetches)
        var crowded = gate(rank: 0)
        let nothingAlone = crowded.shouldFetch(missing: 0, swarmSize: 1, now: 0)
        let nothingInASwarm = crowded.shouldFetch(missing: 0, swarmSize: 50, now: 10)
        #expect(!nothingAlone && !nothingInASwarm)
    }

    @Test func aboutAQuarterOfTheMissingPiecesAreFetchedAtOnce() {
        // 1 000 nodes with evenly spread ranks: the number that fetch is the wanted number.
        func fetchers(missing: Int, nodes: Int) -> Int {
            (0..<nodes).filter { index in
                var node = gate(rank: (Double(index) + 0.5) / Double(nodes))
                return node.shouldFetch(missing: missing, swarmSize: nodes, now: 0)
            }.count
        }
        #expect(fetchers(missing: 400, nodes: 1000) == 100)
        #expect(fetchers(missing: 128, nodes: 48) == 32)
        #expect(fetchers(missing: 4000, nodes: 48) == 48)
        // Few pieces missing: three nodes (one a piece when fewer), not a quarter of one.
        #expect(fetchers(missing: 1, nodes: 1000) == 1)
        #expect(fetchers(missing: 2, nodes: 48) == 2)
        #expect(fetchers(missing: 5, nodes: 48) == 3)
        #expect(fetchers(missing: 12, nodes: 48) == 3)
        #expect(fetchers(missing: 20, nodes: 48) == 5)
    }

    @Test func aMissingSetThatDoesNotShrinkDoublesTheShareEachPeriod() {
        var node = gate(rank: 0.5, escalation: 1)
        // (missing, now) in order, and what the node answers: 2 missing in a swarm of 96 is 2
        // of 96 nodes wanted, and rank 0.5 needs a share of 0.5, i.e. 2^5 = 32 > 24 times that.
        var fetches: [Bool] = []
        var shares: [Double] = []
        fetches.append(node.shouldFetch(missing: 2, swarmSize: 96, now: 0))
        shares.append(node.share(missing: 2, swarmSize: 96, now: 0.9))
        shares.append(node.share(missing: 2, swarmSize: 96, now: 1.0))
        fetches.append(node.shouldFetch(missing: 2, swarmSize: 96, now: 4.9))
        fetches.append(node.shouldFetch(missing: 2, swarmSize: 96, now: 5.0))
        // Progress (the set shrank) starts over.
        fetches.append(node.shouldFetch(missing: 1, swarmSize: 96, now: 5.5))
        shares.append(node.share(missing: 1, swarmSize: 96, now: 6.4))
        // A set that was empty and is not any more (a peer left) starts over too.
        shares.append(node.share(missing: 0, swarmSize: 96, now: 20))
        shares.append(node.share(missing: 1, swarmSize: 96, now: 30))
        #expect(fetches == [false, false, true, false])
        let one: Double = 1.0 / 48
        let expected: [Double] = [one, 2 * one, one / 2, 0, one / 2]
        #expect(shares == expected)
    }

    @Test func escalationWaitsForAPieceAtHalfAMebibytePerSecond() {
        #expect(OriginGate.escalation(pieceLength: 16 << 10) == 1)
        #expect(OriginGate.escalation(pieceLength: 256 << 10) == 1)
        #expect(OriginGate.escalation(pieceLength: 1 << 20) == 2)
        #expect(OriginGate.escalation(pieceLength: 4 << 20) == 8)
    }

    /// Rounds of one piece time: every node that the gate lets fetch takes a random piece of
    /// those nobody has; what was fetched is everybody's (a full mesh) at the end of the round.
    /// Returns the origin's pieces per piece of the package and the rounds it took.
    static func simulate(nodes: Int, pieces: Int, share: Double, seed: UInt64) -> (copies: Double, rounds: Int) {
        var random = SeededGenerator(seed: seed)
        var gates = (0..<nodes).map { _ in
            OriginGate(fetchersPerMissingPiece: share, rank: Double.random(in: 0..<1, using: &random), escalation: 1)
        }
        var missing = Set(0..<pieces)
        var fetches = 0
        var rounds = 0
        while !missing.isEmpty, rounds < 10_000 {
            let now = Double(rounds) * 0.25
            let candidates = Array(missing)
            var fetched = Set<Int>()
            for index in gates.indices where gates[index].shouldFetch(missing: candidates.count, swarmSize: nodes, now: now) {
                fetches += 1
                fetched.insert(candidates.randomElement(using: &random)!)
            }
            missing.subtract(fetched)
            rounds += 1
        }
        return (Double(fetches) / Double(pieces), rounds)
    }

    @Test func aSimulatedSwarmTakesAboutOneCopyFromTheOriginAtAnySize() {
        for (nodes, pieces) in [(8, 128), (48, 128), (48, 1024), (1000, 128), (1000, 4096)] {
            for seed in UInt64(1)...3 {
                guard case let .whenSwarmLacks(share) = WebSeedPolicy.standard else { Issue.record("standard is not whenSwarmLacks"); return }
                let (copies, rounds) = Self.simulate(nodes: nodes, pieces: pieces, share: share, seed: seed)
                #expect(copies < 1.3, "\(nodes) nodes, \(pieces) pieces: \(copies) copies")
                // Each round a share of what is missing, then three pieces at a time: a bounded tail.
                #expect(rounds < 80, "\(nodes) nodes, \(pieces) pieces: \(rounds) rounds")
            }
        }
        // Everybody fetching everything nobody has yet (share 1 per missing piece) is what the
        // gate avoids: many more copies.
        #expect(Self.simulate(nodes: 48, pieces: 128, share: 1000, seed: 1).copies > 1.5)
    }
}
