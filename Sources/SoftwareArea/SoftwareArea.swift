public import AlienModel
import Foundation
public import Torrents
public import Transport
public import Trust

/// A site's software area (DESIGN.md "Software area"): packages at
/// `<root>/<arch>/<Name>/<Version>-<Rev>/`, each present only when complete; state under
/// `<root>/.alien/` (trust, config, locks, stage, trash, leases, used stamps).
///
/// Every mutation is crash-safe: installs build in a locked stage directory on the same
/// filesystem and `rename` the finished package (with its install record) into place; removals
/// `rename` into trash first. Cross-process exclusion is `flock` (released by the kernel when a
/// process dies). The value is cheap to copy; the TUF client is created per operation.
public struct SoftwareArea: Sendable {
    /// `<root>/.alien/config.json`: what later runs need not be told again.
    public struct Configuration: Sendable, Hashable {
        /// The repository's base URL (`…/metadata` and `…/targets` under it).
        public var repository: String?
        public var arch: String?
        /// Further repository base URLs with the same targets (`…/targets` under each), tried in
        /// turn when a streamed download from `repository` fails (config key `mirrors`).
        public var mirrors: [String]
        /// Site peers (`host:port`) a swarm download asks for pieces (config key `peers`;
        /// with them `install --via auto` uses the swarm).
        public var peers: [String]
        /// CAs trusted for an https repository besides the system's (config keys `ca_path`, a
        /// hashed directory, and `ca_file`, a PEM file); unset fields fall back to `$X509_CERT_DIR`.
        public var authorities: CertificateAuthorities
        /// Install packages whose init.sh the strict parser refuses, without an environment
        /// (config key `allow_unparsed_init`; the admin's explicit opt-in, never run).
        public var allowUnparsedInit: Bool
        /// Where the syslog copy of each usage record goes (config key `syslog`: `/dev/log`, a
        /// socket path or `udp://HOST:PORT`; unset or `off`: none) — for sites without packmand.
        public var syslog: String?
        /// What a refresh does with installed packages the repository revoked (config key
        /// `revocation_policy`; default `quarantine`).
        public var revocationPolicy: RevocationPolicy
        /// The VO whose packages the area holds (config key `vo`; packmand writes it for each of
        /// its VOs): the owner usage records name its packages with. Unset: `PackageID.defaultOwner`.
        public var vo: String?

        public init(
            repository: String? = nil, arch: String? = nil, mirrors: [String] = [], peers: [String] = [],
            authorities: CertificateAuthorities = CertificateAuthorities(), allowUnparsedInit: Bool = false, syslog: String? = nil,
            revocationPolicy: RevocationPolicy = .quarantine, vo: String? = nil
        ) {
            self.repository = repository
            self.arch = arch
            self.mirrors = mirrors
            self.peers = peers
            self.authorities = authorities
            self.allowUnparsedInit = allowUnparsedInit
            self.syslog = syslog
            self.revocationPolicy = revocationPolicy
            self.vo = vo
        }

        /// The owner of the area's packages: its VO, else `PackageID.defaultOwner`.
        public var owner: String { vo ?? PackageID.defaultOwner }
    }

    public let layout: AreaLayout
    public let configuration: Configuration
    public var fetcher: any RemoteFetcher
    public var reporter: any AreaReporter
    public var hooks: AreaHooks
    public var disk: any DiskSpaceProbe
    /// Streamed (piece-verified) downloads; progress is reported at most every `progressInterval`.
    public var transfers = Transfers(policy: TransferPolicy(progressInterval: 0.2))
    /// The source asked before HTTP (a BitTorrent swarm, `SwarmSource`); nil: HTTP only.
    public var swarm: (any PackageSource)?
    /// Keep verified tarballs that have a torrent, with it, in `<root>/.alien/cache/` for
    /// `alien-install seed` and packmand's seeding.
    public var keepTarballs = false
    /// Seconds since 1970; injected for lease and gc tests.
    public var clock: @Sendable () -> Int64

    /// How `open` treats an area that does not exist yet.
    public enum OpenMode: Sendable {
        /// Create it (install, `list --available` setting an area up).
        case create
        /// Only an existing area: a missing one is `noArea`, and nothing is written (read-only
        /// commands: a mistyped path must not become an empty, "healthy" area).
        case existing
    }

    /// Opens (creating if needed, unless `mode` is `.existing`) the area at `root`. `rootFile`
    /// bootstraps trust the first time; `repository`, `mirrors`, `arch` and `authorities` are
    /// remembered in the config (given values replace remembered ones; an empty `mirrors`
    /// forgets them; `revocationPolicy` and `vo` likewise). The area's CAs (else `$X509_CERT_DIR`) go to its transfers and, when it is
    /// an `HTTPClient`, to `fetcher`.
    public static func open(
        root: String, arch: String?, repository: String? = nil, mirrors: [String]? = nil, rootFile: String? = nil,
        fetcher: any RemoteFetcher, reporter: any AreaReporter = SilentReporter(), mode: OpenMode = .create,
        defaultArch: @autoclosure () -> String? = nil,
        authorities: CertificateAuthorities? = nil,
        revocationPolicy: RevocationPolicy? = nil, vo: String? = nil
    ) throws(SoftwareAreaError) -> SoftwareArea {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        let probe = AreaLayout(root: absolute, arch: "")
        if mode == .existing, !FileSystem.isDirectory(probe.state) {
            throw .noArea(path: absolute, reason: FileSystem.isDirectory(absolute) ? "no .alien/ folder in it" : "no such directory")
        }
        var configuration = try Configuration.read(from: probe.config)
        // Packages of two VOs never mix: an area stays the VO's it was first opened for.
        if let vo, let held = configuration.vo, vo != held {
            throw .badFile(path: probe.config, reason: "vo: the area holds \(held)'s packages, not \(vo)'s; each VO needs its own area")
        }
        let given = Configuration(
            repository: repository ?? configuration.repository, arch: arch ?? configuration.arch ?? defaultArch(),
            mirrors: mirrors ?? configuration.mirrors, peers: configuration.peers,
            authorities: authorities.map { $0.or(configuration.authorities) } ?? configuration.authorities,
            allowUnparsedInit: configuration.allowUnparsedInit, syslog: configuration.syslog,
            revocationPolicy: revocationPolicy ?? configuration.revocationPolicy, vo: vo ?? configuration.vo)
        guard let chosenArch = given.arch, !chosenArch.isEmpty, !chosenArch.contains("/") else {
            throw .invalidArgument(name: "arch", expected: "an architecture such as slc9_x86-64", got: given.arch ?? "")
        }
        let layout = AreaLayout(root: absolute, arch: chosenArch)
        if mode == .existing {
            var area = SoftwareArea(
                layout: layout, configuration: configuration, fetcher: fetcher, reporter: reporter, hooks: .modulefiles,
                disk: StatvfsProbe(), clock: { Int64(Date().timeIntervalSince1970) })
            area.trust(given.authorities)
            return area
        }
        for directory in [layout.state, layout.leases, layout.used] {
            try FileSystem.makeDirectories(directory)
        }
        // Locks and work in progress are the owner's alone: no other user can hold a lock
        // (and stall installs) or touch a staged tree before it is renamed into place.
        for directory in [layout.locks, layout.stage, layout.trash] {
            try FileSystem.makePrivateDirectories(directory)
        }
        if let rootFile {
            guard let bytes = FileSystem.readBytes(rootFile) else { throw .badFile(path: rootFile, reason: "cannot read the root file") }
            if !FileSystem.exists("\(layout.trust)/root.json") {
                do { try Updater.initialize(rootBytes: bytes, metadataDirectory: layout.trust) } catch {
                    throw .badRoot(path: rootFile, error)
                }
            }
        }
        if given != configuration {
            configuration = given
            try configuration.write(to: layout.config)
        }
        var area = SoftwareArea(
            layout: layout, configuration: configuration, fetcher: fetcher, reporter: reporter, hooks: .modulefiles,
            disk: StatvfsProbe(), clock: { Int64(Date().timeIntervalSince1970) })
        area.trust(configuration.authorities)
        return area
    }

    /// https for the repository and mirrors trusts `authorities` (each unset field: what the
    /// transfers and the fetcher had, i.e. `$X509_CERT_DIR`).
    public mutating func trust(_ authorities: CertificateAuthorities) {
        transfers.policy.authorities = authorities.or(transfers.policy.authorities)
        if var client = fetcher as? HTTPClient {
            client.authorities = authorities.or(client.authorities)
            fetcher = client
        }
    }

    init(
        layout: AreaLayout, configuration: Configuration, fetcher: any RemoteFetcher, reporter: any AreaReporter, hooks: AreaHooks,
        disk: any DiskSpaceProbe, clock: @escaping @Sendable () -> Int64
    ) {
        self.layout = layout
        self.configuration = configuration
        self.fetcher = fetcher
        self.reporter = reporter
        self.hooks = hooks
        self.disk = disk
        self.clock = clock
    }

    /// The TUF client over the area's trusted metadata and remembered repository; metadata and
    /// targets that fail there are fetched from the mirrors in turn.
    public func catalog() throws(SoftwareAreaError) -> PackageCatalog {
        guard FileSystem.exists("\(layout.trust)/root.json") else { throw .notInitialized(area: layout.root) }
        guard let repository = configuration.repository else { throw .noRepository(area: layout.root) }
        let base = repository.hasSuffix("/") ? String(repository.dropLast()) : repository
        let fetcher = configuration.mirrors.isEmpty ? self.fetcher : MirroredFetcher(self.fetcher, base: base, mirrors: configuration.mirrors)
        let updater = Updater(
            metadataDirectory: layout.trust, metadataBaseURL: base + "/metadata", targetBaseURL: base + "/targets",
            fetcher: fetcher)
        return PackageCatalog(updater: updater, arch: layout.arch)
    }

    /// Sets how tarballs arrive: `policy`'s swarm (on `session`) before HTTP, and whether they
    /// are kept for seeding.
    public mutating func apply(_ policy: DownloadPolicy, session: LazyTorrentSession) {
        swarm = policy.swarm(session: session)
        keepTarballs = policy.keepForSeeding
    }

    // MARK: installed packages

    /// An installed package with its record, size and last use.
    public struct Installed: Sendable, Hashable {
        public var record: InstallRecord
        public var path: String
        /// Seconds since 1970 (the used stamp, else the install time).
        public var lastUsed: Int64
        public var key: PackageBuild { record.package }
    }

    /// Every package of the area's architecture with a readable install record, sorted.
    public func installed() -> [Installed] {
        let archDirectory = "\(layout.root)/\(layout.arch)"
        var found: [Installed] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: archDirectory)) ?? [] where name != "Modules" {
            for version in (try? FileManager.default.contentsOfDirectory(atPath: "\(archDirectory)/\(name)")) ?? [] {
                let path = "\(archDirectory)/\(name)/\(version)"
                guard let record = try? InstallRecord(path: "\(path)/\(InstallRecord.fileName)") else { continue }
                let used = FileSystem.modificationTime(layout.usedStamp(record.package)) ?? record.installedAt
                found.append(Installed(record: record, path: path, lastUsed: used))
            }
        }
        return found.sorted { $0.key < $1.key }
    }

    /// The installed packages a request names (the newest first when several match).
    public func installed(matching request: PackageID) -> [Installed] {
        installed().filter { $0.key.name == request.name && request.version.matches($0.key.version) }
            .sorted { PackageCatalog.newer($0.key, than: $1.key) }
    }

    /// Marks a package as used now (for gc's least-recently-used order); installs call this,
    /// environments through `environment(for:)`.
    public func touch(_ key: PackageBuild) {
        layout.stampUsed(key, at: clock())
    }

    /// Removes stage directories of dead installers and leftover trash.
    public func sweep() {
        for path in StageDirectory.sweep(layout.stage) { reporter.report(.swept(path: path)) }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.trash)) ?? [] {
            FileSystem.removeTree("\(layout.trash)/\(name)")
            reporter.report(.swept(path: "\(layout.trash)/\(name)"))
        }
    }
}
