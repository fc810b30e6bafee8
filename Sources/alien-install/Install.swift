import ArgumentParser
import Foundation
import PackManAPI
import SoftwareArea
import Trust

/// `alien-install install PKG...`: verified, atomic installs into a software area.
struct Install: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install packages and their runtime dependencies into a software area.",
        discussion: """
            PKG is VO_ALICE@Name::Version-Rev, Name::Version (newest revision), Name::latest or Name \
            (newest), also comma-separated. Packages are resolved through the repository's signed \
            TUF metadata (--root ROOT_JSON the first time an area meets a repository; --repo is \
            remembered in <area>/.alien/config.json). Per package: a lock (a second installer waits, \
            then finds it installed), a free-space check, a verified download with secure extraction \
            into a stage directory (streamed when the repository has a signed piece-hash list for \
            the tarball: each piece is checked before it reaches the extractor, which works while \
            later bytes arrive; the whole file's sha256 is checked before anything is used), relocation, the install record, then one rename into \
            <area>/<arch>/<Name>/<Version>-<Rev>. A failure or a kill leaves the area as before. \
            On a terminal a live line shows the download (bytes, rate, ETA); --json prints \
            "progress" events. Exit 0 when everything is installed (or already was), 1 with the reason otherwise.

            When a packmand serves the area (it writes <area>/.alien/packmand.json while it listens on a \
            unix socket), or --packman / $ALIEN_PACKMAN names one, and a token is at hand (--token-file or \
            $ALIEN_PACKMAN_TOKEN_FILE), the install goes through the daemon (one download for every job \
            asking at once; audited); --direct installs here instead.
            """)

    @Argument(help: "Packages to install.")
    var packages: [String]
    @Option(name: .long, help: "Repository base URL (…/metadata and …/targets under it); remembered.")
    var repo: String?
    @Option(name: .long, help: "Root metadata to trust the first time (e.g. the repository's 1.root.json).")
    var root: String?
    @Flag(name: .long, help: "Install only the named packages, not their dependencies.")
    var noDeps = false
    @Flag(name: .long, help: "When space is short, remove least recently used packages (never leased or needed ones).")
    var evict = false
    @OptionGroup var area: AreaOptions
    @Option(name: .long, help: "Install through this packmand (unix:/path or http://host:port).")
    var packman: String?
    @Option(name: .long, help: "The packmand token file (default: $ALIEN_PACKMAN_TOKEN_FILE).")
    var tokenFile: String?
    @Flag(name: .long, help: "Install here even when a packmand serves the area.")
    var direct = false

    func validate() throws {
        if packages.isEmpty { throw ValidationError("name at least one package") }
    }

    func run() async throws {
        let requests = try area.packageIDs(packages)
        if let client = try daemonClient() {
            let job = try Output.run { try client.install(requests.map(\.description), wait: 3600) }
            if area.json {
                area.emit(.object(["event": .string("done"), "job": .string(job.id), "state": .string(job.state.rawValue),
                                   "installed": .array(job.installed.map { .string($0) })]))
            } else {
                Output.write("through packmand (\(client.endpoint)): " + PMInstall.describe(job))
            }
            if job.state != .succeeded { throw ExitCode(1) }
            return
        }
        let softwareArea = try area.open(repo: repo, root: root)
        let outcomes = try await Output.runAsync {
            try await softwareArea.install(requests, options: .init(noDependencies: noDeps, evict: evict))
        }
        if area.json {
            area.emit(.object(["event": .string("done"), "packages": .array(outcomes.map {
                .object(["package": .string($0.package.description), "status": .string($0.status.rawValue), "path": .string($0.path)])
            })]))
        }
    }

    /// The daemon to install through, if one is configured and a token is at hand.
    func daemonClient() throws -> PackManClient? {
        guard !direct, repo == nil, root == nil, !noDeps, !evict else { return nil }
        return try configuredPackMan(area: area.area ?? ProcessInfo.processInfo.environment["ALIEN_AREA"], endpoint: packman, tokenFile: tokenFile)
    }
}
