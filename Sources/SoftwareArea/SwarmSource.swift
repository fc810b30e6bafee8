import AlienModel
import Foundation
public import Torrents
import Trust

/// How `install` gets tarballs: plain HTTP (streamed, piece-verified), a swarm, or the swarm
/// when the package's torrent names trackers or peers are configured, else HTTP.
public enum DownloadVia: String, Sendable, CaseIterable {
    case http, torrent, auto
}

/// `PackageSource` over BitTorrent: the plan's torrent (fetched through TUF and matched to the
/// tarball's signed length and info-hash before any peer is contacted), joined with its
/// trackers and web seeds, the repository and mirrors as web seeds, and given peers. The swarm
/// downloads into a file in the stage (libtorrent checks each piece's SHA-1), which is then
/// replayed through the sink (each piece's signed sha256, then the extraction). No byte within
/// the start-up time, or none for `stallTimeout` seconds later: the source declines and the
/// install gives the swarm up for its remaining packages.
public struct SwarmSource: PackageSource {
    public var session: LazyTorrentSession
    public var via: DownloadVia
    public var peers: [PeerAddress]
    public var stallTimeout: Double
    /// Use web seeds: the torrent's and the tarball's URLs at the repository and mirrors.
    /// false: peers only (the origin is not asked until the HTTP fallback).
    public var webSeeds: Bool
    /// nil: web seeds from the start without trackers or peers, else only while peers are slow.
    public var webSeedPolicy: WebSeedPolicy?

    public init(
        session: LazyTorrentSession, via: DownloadVia = .torrent, peers: [PeerAddress] = [], stallTimeout: Double = 30,
        webSeeds: Bool = true, webSeedPolicy: WebSeedPolicy? = nil
    ) {
        self.session = session
        self.via = via
        self.peers = peers
        self.stallTimeout = stallTimeout
        self.webSeeds = webSeeds
        self.webSeedPolicy = webSeedPolicy
    }

    public var name: String { "swarm" }
    public var wantsTorrent: Bool { via != .http }

    public func deliver(_ plan: DownloadPlan, into sink: TarballSink, context: SourceContext) async throws(SoftwareAreaError) -> SourceOutcome {
        guard via != .http else { return .declined(reason: nil) }
        guard let trusted = plan.torrent else {
            return .declined(reason: via == .torrent ? "no torrent is published for \(plan.package.info.path)" : nil)
        }
        if via == .auto, trusted.file.trackers.isEmpty, peers.isEmpty { return .declined(reason: nil) }
        // The first package tries the swarm; the others of the install wait for its outcome.
        guard await context.run.admit(name) else { return .declined(reason: nil) }
        var worked = false
        defer { context.run.record(name, worked: worked) }
        var torrent = trusted.file
        if !webSeeds {
            do { torrent = try trusted.file.withoutWebSeeds() } catch {
                throw .trust(package: context.key.description, .torrent(path: trusted.target, error))
            }
        }
        context.reporter.report(.swarm(context.key, infoHash: torrent.infoHash))
        let seeds = webSeeds ? plan.urls.filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") } : []
        let swarm = SwarmDownload(
            torrent: torrent, peers: peers, webSeeds: seeds.filter { !torrent.webSeeds.contains($0) },
            stallTimeout: stallTimeout, webSeedPolicy: webSeedPolicy)
        let target = "\(context.directory)/\(torrent.name)"
        let report: SwarmReport
        do {
            report = try await swarm.run(in: try await session.session(), to: target) { bytes, total, rate in
                context.progress(bytes, total, Double(rate))
            }
            if report.hashFailures > 0 || report.bannedPeers > 0 {
                context.reporter.report(
                    .warning(
                        context.key,
                        "\(report.hashFailures) piece(s) from peers failed their hash check and were fetched again; "
                            + "\(report.bannedPeers) peer(s) banned"))
            }
        } catch {
            unlink(target)
            return .declined(reason: "torrent: \(error); falling back to HTTP (and for the rest of this install)")
        }
        // The swarm chosen by default had nobody in it (its trackers failed, no peer given): this
        // file came from the origin anyway, the rest of the install comes over HTTP at once.
        if via == .auto, report.alone {
            context.reporter.report(
                .warning(
                    context.key,
                    "the swarm had no peer (every tracker failed, none given); "
                        + "the rest of this install comes over HTTP"))
        } else {
            worked = true
        }
        do {
            try await sink.deliver(file: target, asWholeFile: true) { _, _ in }
        } catch {
            throw HTTPSource.mapped(error, key: context.key.description, path: plan.package.info.path)
        }
        return .delivered
    }
}
