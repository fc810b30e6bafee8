#!/usr/bin/env python3
"""The origin's egress and the time of a swarm under WebSeedPolicy.whenSwarmLacks, as a model.

Usage: scripts/swarm_model.py [NODES [PIECES [DEGREE [PEER_SPEED [RUNS [SHARE_PERCENT [FLOOR]]]]]]]
  (default: 1000 nodes, 128 pieces, 50 peers asked of the tracker, peers 4x the origin, 3 runs,
  fetchersPerMissingPiece 15 % as WebSeedPolicy.standard, at least min(missing, 3) fetchers)

Time runs in rounds of one piece time at the origin's per-connection rate (256 KiB at 1 MiB/s:
0.25 s). Every node starts at once, asks the tracker once and connects to DEGREE random nodes
among those that announced before it (opentracker's numwant 50; the connections are both
ways, so the mean degree is about twice that). In each round a node:
  - sees, for each piece, whether one of its connected peers has it (BitTorrent `have`s);
  - when it has no origin fetch running, lets OriginGate decide (the Swift code's formula: the
    node's rank in [0,1) below max(min(missing, 3), 0.15 x missing) / swarm size, doubling
    every second the missing set does not shrink) and fetches one random piece that no connected peer has; the
    piece arrives at the end of the round;
  - takes up to PEER_SPEED pieces its peers have (rarest first among its peers), and every
    node sends at most PEER_SPEED pieces a round.
Prints the origin's pieces over the package's and the rounds until the last node is done.
This is a model (no choking, no in-flight requests, no CPU limit), not a measurement.
"""
import random
import sys


def run(nodes, pieces, degree, speed, seed, share=0.15, floor=3):
    rng = random.Random(seed)
    full = (1 << pieces) - 1
    neighbours = [set() for _ in range(nodes)]
    for node in range(1, nodes):
        for other in rng.sample(range(node), min(degree, node)):
            neighbours[node].add(other)
            neighbours[other].add(node)
    have = [0] * nodes
    rank = [rng.random() for _ in range(nodes)]
    last_missing = [None] * nodes
    since = [0.0] * nodes
    fetched = 0
    rounds = 0
    while any(h != full for h in have) and rounds < 10000:
        now = rounds * 0.25
        seen = [0] * nodes
        for node in range(nodes):
            union = 0
            for other in neighbours[node]:
                union |= have[other]
            seen[node] = union
        arrivals = [0] * nodes
        for node in range(nodes):
            if have[node] == full:
                continue
            missing_bits = full & ~have[node] & ~seen[node]
            missing = bin(missing_bits).count("1")
            if missing == 0:
                last_missing[node] = 0
                continue
            if last_missing[node] is None or missing < last_missing[node] or last_missing[node] == 0:
                since[node] = now
            last_missing[node] = missing
            doublings = min(30, int((now - since[node]) // 1.0))
            wanted = max(float(min(missing, floor)), missing * share)
            node_share = min(1.0, wanted / nodes * 2 ** doublings) if nodes > 1 else 1.0
            if node_share >= 1 or rank[node] < node_share:
                choices = [i for i in range(pieces) if missing_bits >> i & 1]
                arrivals[node] |= 1 << rng.choice(choices)
                fetched += 1
        sent = [0] * nodes
        for node in rng.sample(range(nodes), nodes):
            wanted_bits = seen[node] & ~have[node] & ~arrivals[node]
            got = 0
            candidates = [i for i in range(pieces) if wanted_bits >> i & 1]
            rng.shuffle(candidates)
            for piece in candidates:
                if got >= speed:
                    break
                holders = [o for o in neighbours[node] if have[o] >> piece & 1 and sent[o] < speed]
                if holders:
                    sent[rng.choice(holders)] += 1
                    arrivals[node] |= 1 << piece
                    got += 1
        for node in range(nodes):
            have[node] |= arrivals[node]
        rounds += 1
    return fetched / pieces, rounds


def main():
    args = [int(a) for a in sys.argv[1:]]
    nodes, pieces, degree, speed, runs, percent, floor = (args + [1000, 128, 50, 4, 3, 15, 3][len(args):])[:7]
    results = [run(nodes, pieces, degree, speed, seed, percent / 100, floor) for seed in range(1, runs + 1)]
    copies = ", ".join("%.2f" % c for c, _ in results)
    times = ", ".join(str(r) for _, r in results)
    print("%d nodes, %d pieces, %d peers asked, peers %dx the origin, share %d %%, at least %d: origin %s x the package; %s rounds"
          % (nodes, pieces, degree, speed, percent, floor, copies, times))


if __name__ == "__main__":
    main()
