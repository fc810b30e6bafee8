import Foundation

/// One `SwarmDownload.run` between polls: watches progress and the swarm, decides on the web
/// seeds (the origin), and ends in a report or an error.
struct SwarmRun {
    typealias Instant = ContinuousClock.Instant

    let download: SwarmDownload
    let policy: WebSeedPolicy
    let id: TorrentID
    /// The file's URLs at the origin (piece fetches of `whenSwarmLacks`).
    let origins: [String]
    /// Before this long, a node without peers waits for its trackers' first answer.
    let discoveryWait = 1.0
    /// A fetch that failed this many times in a row retires its URL.
    let maxOriginFailures = 3
    var start: Instant

    var lastBytes: Int64 = -1
    var lastProgress: Instant
    /// Peer payload plus origin bytes, and when it last grew.
    var delivered: Int64 = 0
    var lastDelivery: Instant
    var hashFailures = 0
    var banned = 0
    var lastTrackerAlert: String?
    var lastWebSeedError: String?
    var reconnect: Instant

    // whenPeersSlow: libtorrent's web seeds switched on and off.
    var nativeSeedsOn: Bool
    var switched: Instant
    var samples: [(time: Instant, bytes: Int64)] = []

    // whenSwarmLacks: piece fetches.
    var gate: OriginGate
    var fetch = OriginFetchStatus(active: false, piece: nil, bytes: 0, completed: 0, failed: 0, error: nil)
    var originFailures: [Int]
    var originIndex = 0
    var seenCompleted = 0
    var seenFailed = 0
    /// No byte from anyone yet (this poll).
    var nothingYet = true
    /// Pieces handed to libtorrent and not yet had (written and hash-checked asynchronously).
    var pending: [Int: Instant] = [:]
    /// A peer was connected at some poll.
    var sawPeers = false
    /// At the last poll nobody could turn up (`peerless`).
    var alone = false

    init(download: SwarmDownload, policy: WebSeedPolicy, id: TorrentID, nativeSeedsOn: Bool) {
        self.download = download
        self.policy = policy
        self.id = id
        self.nativeSeedsOn = nativeSeedsOn
        origins = download.originURLs
        originFailures = Array(repeating: 0, count: origins.count)
        let now = ContinuousClock.now
        start = now
        lastProgress = now
        lastDelivery = now
        reconnect = now
        switched = now
        var perPiece = 0.0
        if case let .whenSwarmLacks(share) = policy { perPiece = share }
        gate = OriginGate(
            fetchersPerMissingPiece: perPiece, rank: download.originRank ?? Double.random(in: 0..<1),
            escalation: OriginGate.escalation(pieceLength: download.torrent.pieceLength))
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// One poll: the report when the file is complete, nil to poll again after `pause`.
    mutating func step(_ session: TorrentSession, progress: @Sendable (Int64, Int64, Int) -> Void) async throws -> SwarmReport? {
        let name = download.torrent.name
        for alert in try await session.alerts(for: id) {
            switch alert.kind {
            case .error: throw TorrentError.failed(name: name, reason: alert.message)
            case .hashFailed: hashFailures += 1
            case .peerBanned: banned += 1
            case .trackerError: lastTrackerAlert = alert.message
            case .webSeedError: lastWebSeedError = alert.message
            default: break
            }
        }
        let status = try await session.status(id)
        if let error = status.error { throw TorrentError.failed(name: name, reason: error) }
        if case .whenSwarmLacks = policy { fetch = try await session.fetchStatus(id) }
        if status.isFinished || status.state == .seeding || status.state == .finished, status.bytesDone >= download.torrent.length {
            progress(status.bytesDone, download.torrent.length, status.downloadRate)
            return SwarmReport(
                status: status, hashFailures: hashFailures, bannedPeers: banned, originBytes: fetch.bytes, originPieces: fetch.completed,
                alone: alone && !sawPeers && status.peers == 0)
        }
        let now = ContinuousClock.now
        if status.state == .checking {
            // Checking an existing file is not waiting for a source.
            start = now
            lastProgress = now
        }
        if status.bytesDone > lastBytes {
            lastBytes = status.bytesDone
            lastProgress = now
            progress(status.bytesDone, download.torrent.length, status.downloadRate)
        } else if status.state != .checking, now - lastProgress > .milliseconds(Int64(download.stallTimeout * 1000)) {
            throw TorrentError.stalled(name: name, seconds: download.stallTimeout, bytes: status.bytesDone, total: download.torrent.length)
        }
        let view = try await session.swarm(id, pieceCount: download.pieceCount)
        if view.peers > 0 || status.peers > 0 { sawPeers = true }
        alone = peerless(view, session: session)
        if case .whenSwarmLacks = policy { accountFetches() }
        let got = status.bytesDownloaded + fetch.bytes
        if got > delivered {
            delivered = got
            lastDelivery = now
        }
        // Not latched: the bytes of a running piece fetch count, those of a failed one not.
        nothingYet = status.bytesDownloaded == 0 && fetch.bytes == 0 && status.bytesDone == 0
        if nothingYet, status.state != .checking {
            let elapsed = Self.seconds(now - start)
            // Connected peers that send nothing yet (choked in a big swarm) are a source still:
            // the stall limit is theirs, and the starved node takes a piece from the origin.
            if (elapsed >= download.startupTimeout && view.peers == 0) || (peerless(view, session: session) && originless) {
                throw TorrentError.noSource(name: name, seconds: (elapsed * 10).rounded() / 10, reason: describe(view))
            }
        }
        switch policy {
        case .always: break
        case let .whenPeersSlow(minimumRate, window, onPeriod):
            try await switchNativeSeeds(
                session, view: view, bytes: status.bytesDone, now: now,
                minimumRate: minimumRate, window: window, onPeriod: onPeriod)
        case .whenSwarmLacks:
            // libtorrent drops pieces handed to it while it checks the file.
            if status.state != .checking { try await fetchFromOrigin(session, view: view, now: now) }
        }
        // Given peers that dropped (a seeder restarting) are asked again every few seconds.
        if !download.peers.isEmpty, view.peers == 0, status.peers == 0, now - reconnect > .seconds(3) {
            reconnect = now
            for peer in download.peers { try? await session.connect(id, host: peer.host, port: peer.port) }
        }
        return nil
    }

    /// No peer can turn up: none given, no discovery, nobody connected or known, every tracker failed.
    func peerless(_ view: SwarmView, session: TorrentSession) -> Bool {
        download.peers.isEmpty && !session.settings.localPeerDiscovery && !session.settings.dht && view.peers == 0 && view.knownPeers == 0
            && (view.trackers == 0 || view.trackersFailed >= view.trackers)
    }

    /// No web seed can deliver: none allowed, or (piece fetches) every URL failed repeatedly.
    var originless: Bool {
        switch policy {
        case .always, .whenPeersSlow: download.allWebSeeds.isEmpty
        case .whenSwarmLacks: origins.isEmpty || originFailures.allSatisfy { $0 >= maxOriginFailures }
        }
    }

    /// What was tried, for `.noSource`.
    func describe(_ view: SwarmView) -> String {
        var parts: [String] = []
        if view.trackers == 0 {
            parts.append("no tracker")
        } else if view.trackersFailed >= view.trackers {
            parts.append("tracker failed: \(view.trackerError ?? lastTrackerAlert ?? "no answer")")
        } else {
            parts.append("\(view.trackersAnswered) of \(view.trackers) tracker(s) answered")
        }
        parts.append("\(view.peers) peer(s) connected, \(view.knownPeers) known")
        switch policy {
        case .always, .whenPeersSlow:
            parts.append(download.allWebSeeds.isEmpty ? "no web seed" : "web seeds: \(lastWebSeedError ?? "nothing received")")
        case .whenSwarmLacks:
            if origins.isEmpty { parts.append("no web seed") } else { parts.append("web seeds: \(fetch.error ?? "nothing received")") }
        }
        return parts.joined(separator: "; ")
    }

    /// `whenPeersSlow`: libtorrent's web seeds on when the peers are slow, off again after `onPeriod`.
    mutating func switchNativeSeeds(
        _ session: TorrentSession, view: SwarmView, bytes: Int64, now: Instant,
        minimumRate: Int, window: Double, onPeriod: Double
    ) async throws {
        let seeds = download.allWebSeeds
        guard !seeds.isEmpty else { return }
        samples.append((now, bytes))
        let horizon = now - .milliseconds(Int64(window * 1000))
        while samples.count > 1, samples[0].time < horizon { samples.removeFirst() }
        if nativeSeedsOn {
            // Without any peer to come, the web seeds stay on.
            guard now - switched >= .milliseconds(Int64(onPeriod * 1000)), !(view.peers == 0 && view.trackersSettled) else { return }
            try await session.setWebSeeds(seeds, enabled: false, for: id)
            nativeSeedsOn = false
            switched = now
            samples = [(now, bytes)]
        } else if view.peers == 0 && view.trackersSettled && download.peers.isEmpty {
            // Nobody to ask (e.g. the tracker is down): the web seeds at once, not after a window.
            try await session.setWebSeeds(seeds, enabled: true, for: id)
            nativeSeedsOn = true
            switched = now
        } else if now - switched >= .milliseconds(Int64(window * 1000)), let first = samples.first {
            let seconds = Self.seconds(now - first.time)
            let rate = seconds > 0 ? Double(bytes - first.bytes) / seconds : 0
            if rate < Double(minimumRate) {
                try await session.setWebSeeds(seeds, enabled: true, for: id)
                nativeSeedsOn = true
                switched = now
            }
        }
    }

    /// Counts finished piece fetches against the URL they used.
    mutating func accountFetches() {
        guard !origins.isEmpty, !fetch.active else { return }
        if fetch.completed > seenCompleted {
            originFailures[originIndex] = 0
            seenCompleted = fetch.completed
        }
        if fetch.failed > seenFailed {
            originFailures[originIndex] += fetch.failed - seenFailed
            seenFailed = fetch.failed
            if let piece = fetch.piece { pending[piece] = nil }
            originIndex = (originIndex + 1) % origins.count
        }
    }

    /// The URL for the next fetch: the current one unless it failed too often, nil when all did.
    mutating func nextOrigin() -> String? {
        for step in 0..<origins.count {
            let index = (originIndex + step) % origins.count
            if originFailures[index] < maxOriginFailures {
                originIndex = index
                return origins[index]
            }
        }
        return nil
    }

    /// `whenSwarmLacks`: when no fetch runs and the gate says so, one piece that no connected peer
    /// has from the origin (or, when peers have every missing piece but sent nothing for a while,
    /// one of the rarest).
    mutating func fetchFromOrigin(_ session: TorrentSession, view: SwarmView, now: Instant) async throws {
        if fetch.active { return }
        pending = pending.filter { piece, since in
            piece < view.availability.count && view.availability[piece] >= 0 && now - since < .seconds(3)
        }
        guard let origin = nextOrigin() else { return }
        let elapsed = Self.seconds(now - start)
        let waitingForPeers = view.peers == 0 && (!view.trackersSettled || !download.peers.isEmpty)
        if waitingForPeers, elapsed < min(discoveryWait, download.startupTimeout / 2) { return }
        var candidates = view.availability.indices.filter { view.availability[$0] == 0 && pending[$0] == nil }
        let starvation = 3 * gate.escalation
        if candidates.isEmpty, Self.seconds(now - lastDelivery) > starvation {
            let missing = view.availability.indices.filter { view.availability[$0] > 0 && pending[$0] == nil }
            let rarest = missing.map { view.availability[$0] }.min()
            candidates = missing.filter { view.availability[$0] == rarest }
        }
        // Half the startup time gone, no peer connected and nothing received: this node takes a
        // piece whatever the gate says (peers it cannot reach do not count; the deadline is near).
        // Alone for good (`alone`, set by this poll: the trackers failed, nobody given or
        // discoverable): nothing to wait for.
        let urgent = nothingYet && view.peers == 0 && elapsed >= download.startupTimeout / 2
        guard gate.shouldFetch(missing: candidates.count, swarmSize: view.swarmSize, now: elapsed) || ((urgent || alone) && !candidates.isEmpty),
            var first = candidates.randomElement()
        else { return }
        var count = 1
        if alone {
            // Alone for good (the trackers failed, nobody else): the origin is the only source,
            // taken in runs of up to 4 MiB, in order.
            first = candidates[0]
            let most = max(1, (4 << 20) / max(1, download.torrent.pieceLength))
            while count < most, first + count < view.availability.count, view.availability[first + count] == 0,
                pending[first + count] == nil
            { count += 1 }
        }
        let stall = max(1, Int(min(download.stallTimeout, 10)))
        if try await session.fetchPieces(first..<first + count, from: origin, stallSeconds: stall, for: id) {
            for piece in first..<first + count { pending[piece] = now }
            fetch.active = true
        }
    }

    /// Waits `pollInterval`, or less when a running piece fetch ends before (the next starts at once).
    func pause(_ session: TorrentSession) async throws {
        let interval = Duration.milliseconds(Int64(download.pollInterval * 1000))
        guard fetch.active else {
            try await Task.sleep(for: interval)
            return
        }
        let deadline = ContinuousClock.now + interval
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            if try await !session.fetchStatus(id).active { return }
        }
    }
}
