import AlienModel
import ArgumentParser
import Foundation
import PackManAPI
import SoftwareArea
import Torrents
import Trust

/// `alien-install install PKG...`: verified, atomic installs into a software area.
struct Install: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install packages and their runtime dependencies into a software area.",
        discussion: """
            PKG is VO_ALICE@Name::Version-Rev, Name::Version (newest revision), Name::latest or Name \
            (newest), also comma-separated. Packages are resolved through the repository's signed \
            TUF metadata, refreshed once per install (--root ROOT_JSON the first time an area meets a \
            repository; --repo is remembered in <area>/.alien/config.json). The closure's packages are \
            installed in parallel (--jobs at once, default twice the cores, 2 to 8), each under its own \
            lock (a second installer waits, saying for which package and which pid, then finds it \
            installed): a verified download with secure extraction into a private stage directory \
            (with a signed piece-hash list each piece is checked before it reaches the extractor, which \
            works while later bytes arrive; without one the whole file is checked before extraction), \
            relocation confined to the package, the install record, the data written to disk, then one \
            rename into <area>/<arch>/<Name>/<Version>-<Rev> once the package's dependencies are in \
            place. Nothing from the package runs. Group and other write permission are dropped. A \
            failure or a kill leaves only complete packages. Downloads resume with Range after a broken \
            connection and fall over to the --mirror URLs (metadata and tarballs; everything stays \
            checked against the signed metadata). On a terminal a live line shows the progress (bytes, \
            rate, ETA, entries extracted; for a closure, packages in place); --json prints "progress" \
            and "closure-progress" events. Exit 0 when everything is installed (or already was), 1 with \
            the reason otherwise. A build the repository revoked (alien-install revoke) is never \
            installed: Name and Name::latest get the newest build not revoked, and a package whose \
            closure holds a revoked build is refused; each install also refreshes the area's \
            revocations and applies its revocation_policy (see alien-install revocations).

            --via torrent: when a tarball has a signed torrent (publish --torrents), the torrent \
            target is fetched through TUF (refused before contacting any peer when it does not \
            match signed metadata) and the tarball comes from the swarm: the torrent's trackers, \
            its web seed, the repository and mirrors as web seeds (none with --no-web-seed), and --peer \
            addresses; each piece is then checked against the signed piece-hash list (or the whole file \
            against its signed sha256) on its way to the extractor. With no progress for \
            --stall-timeout seconds the install falls back to HTTP, and does not ask the swarm again \
            for the rest of the closure. With trackers or peers the web seeds are used only while the \
            peers are slow or absent, so the repository serves about one copy per site. --via auto \
            (default): the swarm when the torrent names trackers, peers are given (--peer, or "peers": \
            ["host:port", ...] in <area>/.alien/config.json) or --lsd is on, else HTTP; when the first \
            package finds the swarm empty (every tracker failed, no peer given), the rest of the \
            closure comes over HTTP at once. \
            --keep-for-seeding keeps each verified tarball that has a torrent, with the torrent, in \
            <area>/.alien/cache/ for `alien-install seed`.

            When a packmand serves the area (it writes <area>/.alien/packmand.json while it listens on a \
            unix socket), or --packman / $ALIEN_PACKMAN names one, and a token is at hand (--token-file or \
            $ALIEN_PACKMAN_TOKEN_FILE), the install goes through the daemon (one download for every job \
            asking at once; audited); --direct installs here instead.

            An https repository is checked against the system's CAs plus --ca-path (a hashed \
            directory, grid style: /etc/grid-security/certificates) or --ca-file (a PEM file), \
            remembered in the area's config.json as ca_path/ca_file; without them $X509_CERT_DIR. \
            https_proxy is honoured (CONNECT).
            """)

    @Argument(help: "Packages to install.")
    var packages: [String]
    @OptionGroup var repository: RepositoryOptions
    @Flag(name: .long, help: "Install only the named packages, not their dependencies.")
    var noDeps = false
    @Flag(name: .long, help: "When space is short, remove least recently used packages (never leased or needed ones).")
    var evict = false
    @Option(name: .long, help: "How tarballs arrive: torrent, http or auto.")
    var via: String = "auto"
    @Option(name: .long, help: "A peer (host:port) to ask for torrent pieces; repeatable.")
    var peer: [String] = []
    @Option(name: .long, help: "Seconds without swarm progress before falling back to HTTP.")
    var stallTimeout: Double = 30
    @Option(name: .long, help: "Where the torrent session listens (libtorrent syntax).")
    var listen: String = "0.0.0.0:0"
    @Flag(name: .long, help: "Peers only: no web seeds (neither the torrent's nor the repository's) until the HTTP fallback.")
    var noWebSeed = false
    @Flag(name: .long, help: "Local peer discovery: find site peers by multicast on the LAN (works without a tracker).")
    var lsd = false
    @Flag(name: .long, help: "Keep verified tarballs that have a torrent, with it, in <area>/.alien/cache/ for `seed`.")
    var keepForSeeding = false
    @OptionGroup var area: AreaOptions
    @Option(name: .long, help: "Install through this packmand (unix:/path or http://host:port).")
    var packman: String?
    @Option(name: .long, help: "The packmand token file (default: $ALIEN_PACKMAN_TOKEN_FILE).")
    var tokenFile: String?
    @Flag(name: .long, help: "Install here even when a packmand serves the area.")
    var direct = false
    @Option(name: [.short, .long], help: "Packages downloaded and extracted at once (default: twice the cores, 2 to 8).")
    var jobs: Int?

    func validate() throws {
        if packages.isEmpty { throw ValidationError("name at least one package") }
        if DownloadVia(rawValue: via) == nil { throw ValidationError("--via: expected torrent, http or auto, got \(via)") }
        for text in peer {
            do { _ = try PeerAddress(parsing: text) } catch { throw ValidationError("--peer: \(error)") }
        }
        if !(stallTimeout > 0) { throw ValidationError("--stall-timeout: expected a positive number of seconds") }
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs: expected 1 to 64, got \(jobs)") }
    }

    func run() async throws {
        let requests = try area.packageIDs(packages)
        if let client = try daemonClient() {
            let job = try client.install(requests.map(\.description), wait: 3600)
            if area.json {
                area.emit(
                    .object([
                        "event": .string("done"), "job": .string(job.id), "state": .string(job.state.rawValue),
                        "installed": .array(job.installed.map { .string($0) })
                    ]))
            } else {
                Output.write("through packmand (\(client.endpoint)): " + PMInstall.describe(job))
            }
            if job.state != .succeeded { throw ExitCode(1) }
            return
        }
        var softwareArea = try area.open(repo: repository.repo, mirrors: repository.givenMirrors, root: repository.root, authorities: repository.tls.given)
        let policy = try softwareArea.downloadPolicy(
            DownloadPolicy.Overrides(
                via: DownloadVia(rawValue: via), peers: peer, stallTimeout: stallTimeout, webSeeds: !noWebSeed, localPeerDiscovery: lsd,
                listen: listen, keepForSeeding: keepForSeeding))
        let session = LazyTorrentSession(settings: policy.sessionSettings)
        softwareArea.apply(policy, session: session)
        let chosen = softwareArea
        let outcomes: [SoftwareArea.InstallOutcome]
        do {
            outcomes = try await chosen.install(requests, options: .init(noDependencies: noDeps, evict: evict, parallelism: jobs))
        } catch {
            await session.shutdown(timeout: 5)
            throw error
        }
        await session.shutdown(timeout: 5)
        if area.json {
            area.emit(
                .object([
                    "event": .string("done"),
                    "packages": .array(
                        outcomes.map {
                            .object(["package": .string($0.package.description), "status": .string($0.status.rawValue), "path": .string($0.path)])
                        })
                ]))
        }
    }

    /// The daemon to install through, if one is configured and a token is at hand.
    func daemonClient() throws -> PackManClient? {
        guard !direct, repository.repo == nil, repository.root == nil, repository.mirrors.isEmpty, !noDeps, !evict else { return nil }
        return try configuredPackMan(area: area.area ?? ProcessInfo.processInfo.environment["ALIEN_AREA"], endpoint: packman, tokenFile: tokenFile)
    }
}
