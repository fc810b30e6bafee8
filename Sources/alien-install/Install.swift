import ArgumentParser
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
            Downloads resume with Range after a broken connection and fall over to the --mirror \
            URLs (metadata and tarballs; everything stays checked against the signed metadata). \
            On a terminal a live line shows the download (bytes, rate, ETA, entries extracted); --json prints \
            "progress" events. Exit 0 when everything is installed (or already was), 1 with the reason otherwise.
            """)

    @Argument(help: "Packages to install.")
    var packages: [String]
    @OptionGroup var repository: RepositoryOptions
    @Flag(name: .long, help: "Install only the named packages, not their dependencies.")
    var noDeps = false
    @Flag(name: .long, help: "When space is short, remove least recently used packages (never leased or needed ones).")
    var evict = false
    @OptionGroup var area: AreaOptions

    func validate() throws {
        if packages.isEmpty { throw ValidationError("name at least one package") }
    }

    func run() async throws {
        let requests = try area.packageIDs(packages)
        let softwareArea = try area.open(repo: repository.repo, mirrors: repository.givenMirrors, root: repository.root)
        let outcomes = try await Output.runAsync {
            try await softwareArea.install(requests, options: .init(noDependencies: noDeps, evict: evict))
        }
        if area.json {
            area.emit(.object(["event": .string("done"), "packages": .array(outcomes.map {
                .object(["package": .string($0.package.description), "status": .string($0.status.rawValue), "path": .string($0.path)])
            })]))
        }
    }
}
