import AlienModel
import ArgumentParser
import Builder
import Foundation
import HostEnvironment
import Resolver

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build packages into relocatable tarballs in an aliBuild-compatible store.",
        discussion: """
            Resolves the packages (as `resolve` does), then runs each recipe in dependency order, \
            independent packages in parallel, and packs every result into \
            WORK_DIR/TARS/<arch>/store/<h2>/<hash>/<pkg>-<ver>-<rev>.<arch>.tar.gz, linked from \
            TARS/<arch>/<pkg>/. Packages are installed into WORK_DIR/<arch>/<pkg>/<ver>-<rev>. A \
            package whose tarball is already in the store is unpacked instead of built. Logs: \
            WORK_DIR/BUILD/<hash>/log. System requirements are checked with bash; prefer_system \
            checks are not run (everything is built here, as for a release).
            """)

    @OptionGroup var recipes: RecipeOptions

    @Option(name: [.customShort("w"), .long], help: "Work directory (default: $ALIEN_WORK_DIR or ./sw).")
    var workDir: String?

    @Option(name: [.customShort("j"), .long], help: "CPUs to use in total, split between concurrent builds.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        name: .long,
        help: "A read-only aliBuild store (http[s]://…, with JSON directory listings) to take prebuilt tarballs from. Unsigned: needs --trust-unsigned-store.")
    var remoteStore: String?

    @Flag(name: .long, help: "Accept the tarballs of an unsigned --remote-store as they are (nothing proves who made them).")
    var trustUnsignedStore = false

    @Flag(name: .long, help: "Resolve and print what would be built, without building.")
    var dryRun = false

    @Flag(name: .long, help: "One JSON event per line instead of the live view.")
    var json = false

    @Argument(help: "Packages to build, e.g. GridDemo.")
    var packages: [String]

    func validate() throws {
        if packages.isEmpty { throw ValidationError("name at least one package") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let remoteStore, !trustUnsignedStore {
            throw ValidationError(
                "\(remoteStore) is a plain aliBuild store: nothing signs its tarballs. Add --trust-unsigned-store to use it anyway, or install from a signed repository (alien-install install --repo URL)"
            )
        }
    }

    func run() throws {
        let context = try recipes.context(systemChecks: .noSystem)
        let plan = try context.resolve(targets: try packageNames(packages))
        for warning in plan.warnings { Output.warn(warning) }
        let directory = URL(fileURLWithPath: workDir ?? ProcessInfo.processInfo.environment["ALIEN_WORK_DIR"] ?? "sw").standardizedFileURL
        if let remoteStore {
            Output.warn("\(remoteStore) is an unsigned aliBuild store: its tarballs are trusted as they are")
        }
        let configDir = URL(fileURLWithPath: try context.resolvedConfigDir()).standardizedFileURL.path
        let builder = Builder(
            plan: plan,
            options: .init(
                workDir: directory, configDir: configDir, jobs: jobs,
                remoteStore: remoteStore.map { RemoteStore(baseURL: $0) }),
            archiver: LibarchiveArchiver())
        if dryRun {
            let identities = builder.identities()
            for package in plan.orderedPackages {
                let id = identities[package.name]!
                Output.write("\(id.build.name) \(id.build.version) \(id.hash)\n")
            }
            return
        }
        let reporter = BuildReporter(json: json || isatty(STDOUT_FILENO) == 0)
        let summary = try builder.run(events: reporter.handle)
        reporter.finish(summary, workDir: directory)
        if !summary.succeeded { throw ExitCode(1) }
    }
}
