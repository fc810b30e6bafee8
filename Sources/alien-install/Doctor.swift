import AlienModel
import ArgumentParser
import Foundation
import HostEnvironment
import Resolver
import SiteDoctor
import SoftwareArea
import Transport

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check that this machine can build packages (aliDoctor), or with --site that it can run a site.",
        discussion: """
            Without --site: runs the recipes' prefer_system and system_requirement checks and \
            reports what is taken from the system, what is built here, and which system \
            requirements are missing, with the recipes' hints. Exit status: 0 all well, 1 missing \
            requirements or recipes, 2 the defaults are not valid for these packages, 3 no defaults are.

            With --site: a checklist with ✓/✗ and a hint for each failure — the software area \
            (exists, writable, free space and inodes against --budget), the architecture, the \
            trusted root (present, not expiring within 30 days), the repository directly and \
            through the site proxy (--proxy, or https_proxy/http_proxy), an https repository's \
            certificate chain (trusted by the system's CAs plus --ca-path/--ca-file, else the \
            area's ca_path/ca_file, else $X509_CERT_DIR; not expiring within 30 days), the clock against the repository's \
            Date header, fresh signed metadata with packages for the architecture, revoked packages \
            still installed (warn when quarantined, fail when still usable), packmand's \
            health and socket permissions (--packman), the torrent port and tracker. When \
            PACKAGES are given, the recipes' system requirements are checked too. --json prints \
            {"ok": …, "checks": [{"id", "status", "detail", "hint"}]} for monitoring. Exit 1 when any check fails.
            """)

    @OptionGroup var recipes: RecipeOptions

    @Flag(name: .long, help: "Build everything here (aliBuild's --no-system): only system requirements are checked.")
    var noSystem = false

    @Flag(name: .long, help: "Check this machine as a site (software area, trust, repository, services).")
    var site = false
    @Option(name: .long, help: "The software area (default: $ALIEN_AREA).")
    var area: String?
    @Option(name: .long, help: "Repository URL (default: the area's).")
    var repo: String?
    @Option(name: .long, help: "The site proxy, e.g. http://squid.example:3128 (default: $https_proxy for an https repository, else $http_proxy).")
    var proxy: String?
    @OptionGroup var tls: TLSOptions
    @Option(name: .long, help: "packmand to check: unix:/path/to/socket or http://host:port.")
    var packman: String?
    @Option(name: .long, help: "The BitTorrent listen port that must be free.")
    var torrentPort: Int?
    @Option(name: .long, help: "The tracker URL that must answer.")
    var tracker: String?
    @Option(name: .long, help: "The area's disk budget (e.g. 200G): the filesystem must be able to hold it.")
    var budget: String?
    @Flag(name: .long, help: "With --site: print the checklist as JSON.")
    var json = false

    @Argument(help: "Packages to check, e.g. AliRoot (required without --site).")
    var packages: [String] = []

    func validate() throws {
        if !site && packages.isEmpty { throw ValidationError("name the packages to check, or give --site") }
    }

    func run() async throws {
        if site { return try await runSite() }
        let report = try recipes.context(systemChecks: noSystem ? .noSystem : .check).diagnose(targets: try packageNames(packages))
        Output.write(report.text)
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    func runSite() async throws {
        guard let path = area ?? ProcessInfo.processInfo.environment["ALIEN_AREA"], !path.isEmpty else {
            throw ValidationError("give the software area with --area DIR (or set ALIEN_AREA)")
        }
        var options = SiteDoctor.Options(area: path)
        options.arch = recipes.arch
        options.hostArch = (try? HostArchitecture.current())?.rawValue
        options.repository = repo
        options.proxy = proxy
        options.authorities = tls.given ?? CertificateAuthorities()
        options.packman = packman
        options.torrentPort = torrentPort
        options.tracker = tracker
        if let budget { options.budget = try SoftwareArea.parseSize(budget) }
        var report = await SiteDoctor(options: options).run()
        if !packages.isEmpty {
            let system = try recipes.context(systemChecks: noSystem ? .noSystem : .check).diagnose(targets: try packageNames(packages))
            report.checks.append(
                SiteCheck(
                    "system-requirements", system.exitCode == 0 ? .pass : .fail,
                    system.exitCode == 0
                        ? "recipes' system requirements met for \(packages.joined(separator: ", "))"
                        : system.text.trimmingCharacters(in: .whitespacesAndNewlines),
                    hint: "install the missing system packages named above"))
        }
        if json {
            Output.write(String(decoding: report.json.compactJSONBytes, as: UTF8.self) + "\n")
        } else {
            Output.write(report.text)
        }
        if report.failed { throw ExitCode(1) }
    }
}
