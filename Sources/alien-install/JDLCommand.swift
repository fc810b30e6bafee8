import AlienModel
import AreaEnvironment
import ArgumentParser
import Forensics
import Foundation
import HostEnvironment
import JDL
import SoftwareArea
import Transport

struct JDLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jdl",
        abstract: "Check job descriptions (JDL) before they are submitted; print their environment.",
        subcommands: [Check.self, Env.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Parse a JDL, substitute $1..$n, check its Packages against a signed repository and print the composed Requirements.",
            discussion: """
                The JDL is parsed, $1..$n are replaced by ARGS, the Packages are checked for form, \
                duplicates and two versions of one package, the TTL for range (1 s to 366 days), \
                then each package is looked up in the \
                trusted (TUF-verified) metadata for the architecture: through a software area that \
                trusts a repository (--area DIR), or directly (--repo URL --root ROOT_JSON; the \
                metadata is kept in a temporary directory, removed afterwards). ::latest is resolved \
                and printed; an unknown package or version gets close names or versions as \
                suggestions; a package defined only for another architecture says so. The \
                Requirements AliEn would compose are printed with the resolved packages. \
                --syntax-only skips the repository. Several VOs: each package is looked up in its \
                VO's repository — its owner prefix, else --vo — through --vo-area VO=DIR (the VO's \
                software area; repeat per VO), the others through --area/--repo. \
                Errors show the line with a caret. \
                Exit status: 0 all well, 1 a problem in the JDL or a package not defined.
                """)

        @Argument(help: "The JDL file.")
        var file: String

        @Argument(help: "Values for $1, $2, ...")
        var arguments: [String] = []

        @Flag(name: .long, help: "Check the JDL without a repository.")
        var syntaxOnly = false

        @Option(name: .long, help: "A software area whose trusted repository to check against (default: $ALIEN_AREA).")
        var area: String?

        @Option(name: .long, help: "Repository base URL (…/metadata under it), checked directly (with --root).")
        var repo: String?

        @Option(name: .long, help: "Root metadata to trust for --repo (e.g. the repository's 1.root.json).")
        var root: String?

        @Option(name: .long, help: "Architecture (default: the area's, else this host's).")
        var arch: String?

        @Option(name: .long, help: "Owner for packages written without one.")
        var defaultOwner = "VO_ALICE"

        @Option(name: .long, help: "The VO of packages written without an owner prefix (the same as --default-owner).")
        var vo: String?

        @Option(name: .long, help: "VO=DIR: check that VO's packages against its software area DIR (repeat per VO).")
        var voArea: [String] = []

        @Flag(name: .long, help: "Print the parsed JDL, packages (resolved) and requirements as JSON.")
        var json = false

        var owner: String { vo ?? defaultOwner }

        /// `--vo-area` as VO → area directory.
        func voAreas() throws -> [String: String] {
            var result: [String: String] = [:]
            for text in voArea {
                guard let equals = text.firstIndex(of: "="), equals != text.startIndex, text.index(after: equals) != text.endIndex else {
                    throw ValidationError("--vo-area: expected VO=DIR, got '\(text)'")
                }
                let name = String(text[..<equals]), directory = String(text[text.index(after: equals)...])
                guard result[name] == nil else { throw ValidationError("--vo-area: \(name) given twice") }
                result[name] = directory
            }
            return result
        }

        func validate() throws {
            _ = try voAreas()
            if syntaxOnly || !voArea.isEmpty { return }
            if repo != nil, root == nil, area == nil { throw ValidationError("--repo needs --root ROOT_JSON (or an --area that trusts it)") }
            let environmentArea = ProcessInfo.processInfo.environment["ALIEN_AREA"] ?? ""
            if area == nil, environmentArea.isEmpty, repo == nil {
                throw ValidationError("check against a repository with --area DIR or --repo URL --root ROOT_JSON, or use --syntax-only")
            }
        }

        func run() async throws {
            let check = try loadJDL(file: file, arguments: arguments, defaultOwner: owner)
            let defaultOwner = owner
            var repositoryCheck: JDLRepositoryCheck?
            if !syntaxOnly { repositoryCheck = try await checkInEachVO(check) }
            if json {
                Output.write(check.json(repository: repositoryCheck) + "\n")
            } else {
                for warning in check.warnings { Output.warn("\(file): \(warning)") }
                for problem in check.problems { Output.write("✗ \(file): \(problem)\n") }
                if let repositoryCheck {
                    for result in repositoryCheck.results {
                        Output.write(result.isDefined ? "✓ \(result)\n" : "✗ \(file): \(result)\n")
                    }
                    Output.write("Packages: \(repositoryCheck.resolvedQualified(defaultOwner: defaultOwner).joined(separator: ", "))\n")
                    Output.write("Requirements = \(check.requirements(resolvedBy: repositoryCheck));\n")
                } else {
                    Output.write("Packages: \(check.packages.uniqueQualified.joined(separator: ", "))\n")
                    Output.write("Requirements = \(check.requirements);\n")
                }
                if check.succeeded, repositoryCheck?.succeeded ?? true {
                    Output.write(
                        repositoryCheck.map { "✓ \(file): all \(check.packages.uniqueQualified.count) package(s) defined for \($0.arch)\n" }
                            ?? "✓ \(file): syntax and packages are well formed\n")
                }
            }
            if !check.succeeded || !(repositoryCheck?.succeeded ?? true) { throw ExitCode(1) }
        }

        /// Each package checked in its VO's repository: `--vo-area`'s area for its VO, else
        /// `--area`/`--repo` (one check per repository, combined in the JDL's order).
        private func checkInEachVO(_ check: JDLCheck) async throws -> JDLRepositoryCheck {
            let areas = try voAreas()
            let owners = check.packages.entries.map { $0.id.owner ?? owner }
            guard owners.contains(where: { areas[$0] != nil }) else { return try await checkAgainstRepository(check) }
            var checks: [String: JDLRepositoryCheck] = [:]
            for vo in Set(owners) {
                if let directory = areas[vo] {
                    guard FileManager.default.fileExists(atPath: directory) else { throw Output.fail("\(vo)'s software area \(directory) does not exist") }
                    let catalog = try SoftwareArea.open(
                        root: directory, arch: arch, fetcher: HTTPClient(), defaultArch: (try? HostArchitecture.current())?.rawValue
                    ).catalog()
                    checks[vo] = JDLRepositoryCheck(
                        packages: check.packages, available: try await catalog.availableEverywhere().map(\.metadata), arch: catalog.arch)
                } else {
                    guard repo != nil || area != nil || !(ProcessInfo.processInfo.environment["ALIEN_AREA"] ?? "").isEmpty else {
                        throw ValidationError("\(vo)'s packages: give its area with --vo-area \(vo)=DIR (or --area DIR / --repo URL --root ROOT_JSON)")
                    }
                    checks[vo] = try await checkAgainstRepository(check)
                }
            }
            let results = owners.indices.map { checks[owners[$0]]!.results[$0] }
            return JDLRepositoryCheck(arch: checks[owners.first ?? owner]?.arch ?? arch ?? "", results: results)
        }

        private func checkAgainstRepository(_ check: JDLCheck) async throws -> JDLRepositoryCheck {
            let areaPath = area ?? ProcessInfo.processInfo.environment["ALIEN_AREA"].flatMap { $0.isEmpty ? nil : $0 }
            let hostArch = (try? HostArchitecture.current())?.rawValue
            var temporary: String?
            defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
            let catalog: PackageCatalog
            if let areaPath, repo == nil || area != nil {
                guard FileManager.default.fileExists(atPath: areaPath) else { throw Output.fail("software area \(areaPath) does not exist") }
                catalog = try SoftwareArea.open(root: areaPath, arch: arch, repository: repo, rootFile: root, fetcher: HTTPClient(), defaultArch: hostArch)
                    .catalog()
            } else if let repo, let root {
                guard let chosen = arch ?? hostArch else { throw ValidationError("give the architecture with --arch") }
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-install-jdl-\(UUID().uuidString)").path
                temporary = directory
                catalog = try PackageCatalog.direct(repository: repo, rootFile: root, metadataDirectory: directory, arch: chosen, fetcher: HTTPClient())
            } else {
                throw ValidationError("check against a repository with --area DIR or --repo URL --root ROOT_JSON, or use --syntax-only")
            }
            let targets = try await catalog.availableEverywhere()
            return JDLRepositoryCheck(packages: check.packages, available: targets.map(\.metadata), arch: catalog.arch)
        }
    }

    struct Env: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "env",
            abstract: "Print the environment of a JDL's packages (installed ones) as shell statements.",
            discussion: """
                As alien-install env for the JDL's Packages ($1..$n from ARGS; ::latest is the newest \
                installed). A package that is not installed is an error naming it.
                """)

        @Argument(help: "The JDL file.")
        var file: String
        @Argument(help: "Values for $1, $2, ...")
        var arguments: [String] = []
        @OptionGroup var areaOptions: EnvironmentAreaOptions
        @Option(help: "Syntax: \(EnvironmentShell.allCases.map(\.rawValue).joined(separator: ", ")) (default: from $SHELL).")
        var shell: String?
        @Option(name: .long, help: "Owner for packages written without one.")
        var defaultOwner = "VO_ALICE"
        @Option(name: .long, help: "The VO of packages written without an owner prefix (the same as --default-owner).")
        var vo: String?

        func run() throws {
            let check = try loadJDL(file: file, arguments: arguments, defaultOwner: vo ?? defaultOwner)
            let area = try areaOptions.resolve()
            let syntax = try shellSyntax(shell)
            let computed = try area.environment(
                for: check.packages.entries.map(\.id), base: ProcessInfo.processInfo.environment,
                recording: EnvironmentUse(.environment))
            Output.write(syntax.render(computed.changes))
        }
    }
}

/// Reads and parses a JDL file (`$1..$n` from `arguments`); errors name the file.
func loadJDL(file: String, arguments: [String], defaultOwner: String) throws -> JDLCheck {
    guard let data = FileManager.default.contents(atPath: file) else {
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: file])
    }
    do throws(JDLError) { return try JDLCheck(bytes: data, arguments: arguments, defaultOwner: defaultOwner) } catch {
        throw JDLFileError(file: file, error: error)
    }
}

/// A JDL error with the file it is in.
struct JDLFileError: Error, CustomStringConvertible {
    let file: String
    let error: JDLError
    var description: String { "\(file):\(error)" }
}
