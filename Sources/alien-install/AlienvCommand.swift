import AreaEnvironment
import ArgumentParser
import Forensics
import Foundation
import SoftwareArea

struct AlienvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alienv",
        abstract: "aliBuild's alienv verbs over a software area.",
        discussion: """
            Packages may be given as ALICE users type them: VO_ALICE@Pkg::Version, Pkg/Version-Rev, \
            Pkg, or comma-separated lists. Environment Modules is not needed: load and unload print \
            shell statements for eval and keep the loaded set in ALIENV_LOADED (modules separated \
            by ':') and the values variables had before the first load in ALIENV_SAVED; unload \
            restores those values and loads the remaining modules again (changes made by hand \
            to those variables in between are lost). Use them as eval "$(alien-install alienv load ROOT)". \
            Modulefiles for Environment Modules and Lmod are in <area>/<arch>/Modules/modulefiles \
            (alienv refresh writes them).
            """,
        subcommands: [
            AlienvEnter.self, AlienvPrintenv.self, AlienvLoad.self, AlienvUnload.self, AlienvSetenv.self,
            AlienvQuery.self, AlienvList.self, AlienvAvail.self, AlienvCheckenv.self, AlienvRefresh.self
        ])
}

struct AlienvEnter: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enter", abstract: "A subshell in the packages' environment (refuses to nest).")
    @OptionGroup var areaOptions: EnvironmentAreaOptions
    @Argument(help: "Packages.") var packages: [String]
    func run() throws { try enterShell(packages: packages, areaOptions: areaOptions) }
}

struct AlienvPrintenv: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "printenv", abstract: "Print the statements that load the packages (as load).")
    @OptionGroup var areaOptions: EnvironmentAreaOptions
    @Option(help: "Syntax: sh, bash, zsh, csh, tcsh, fish, json (default: from $SHELL).") var shell: String?
    @Argument(help: "Packages.") var packages: [String]
    func run() throws { try printLoad(packages: packages, shell: shell, areaOptions: areaOptions) }
}

struct AlienvLoad: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Print the statements that load the packages; eval them.")
    @OptionGroup var areaOptions: EnvironmentAreaOptions
    @Option(help: "Syntax: sh, bash, zsh, csh, tcsh, fish, json (default: from $SHELL).") var shell: String?
    @Argument(help: "Packages.") var packages: [String]
    func run() throws { try printLoad(packages: packages, shell: shell, areaOptions: areaOptions) }
}

func printLoad(packages: [String], shell: String?, areaOptions: EnvironmentAreaOptions) throws {
    let syntax = try shellSyntax(shell)
    let area = try areaOptions.resolve()
    let computed = try area.environment(
        for: try EnvironmentRequest.parse(packages), base: ProcessInfo.processInfo.environment,
        composition: .load, recording: EnvironmentUse(.environment))
    Output.write(syntax.render(computed.changes))
}

struct AlienvUnload: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unload", abstract: "Print the statements that unload loaded packages; eval them.")
    @OptionGroup var areaOptions: EnvironmentAreaOptions
    @Option(help: "Syntax: sh, bash, zsh, csh, tcsh, fish, json (default: from $SHELL).") var shell: String?
    @Argument(help: "Loaded packages.") var packages: [String]
    func run() throws {
        let syntax = try shellSyntax(shell)
        let area = try areaOptions.resolve()
        let changes = try Alienv.unload(area: area, requests: try EnvironmentRequest.parse(packages), environment: ProcessInfo.processInfo.environment)
        Output.write(syntax.render(changes))
    }
}

struct AlienvSetenv: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "setenv", abstract: "Run a command in the packages' environment: setenv PKG -c CMD ARGS.")
    @OptionGroup var areaOptions: EnvironmentAreaOptions
    @Argument(help: "Packages.") var packages: [String]
    @Option(name: .customShort("c"), parsing: .remaining, help: "The command and its arguments (everything after -c).")
    var command: [String] = []
    func run() throws {
        guard !command.isEmpty else { throw ValidationError("no command specified with -c") }
        try runInEnvironment(packages: packages, command: command, areaOptions: areaOptions)
    }
}

struct AlienvQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "q", abstract: "List installed packages as VO_ALICE@Pkg::Version-Rev.", aliases: ["query"])
    @OptionGroup var areaOptions: EnvironmentAreaOptions
    @Argument(help: "A case-insensitive regular expression to filter with.") var pattern: String?
    func run() throws {
        let area = try areaOptions.resolve()
        let lines = try Alienv.query(area: area, pattern: pattern)
        Output.write(lines.map { $0 + "\n" }.joined())
        if lines.isEmpty, pattern != nil { throw ExitCode(1) }
    }
}

struct AlienvList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the loaded packages (ALIENV_LOADED).")
    func run() throws {
        let loaded = Alienv.loaded(in: ProcessInfo.processInfo.environment)
        if loaded.isEmpty {
            Output.write("No modules loaded\n")
            return
        }
        Output.write("Currently Loaded Modulefiles:\n" + loaded.enumerated().map { " \($0.offset + 1)) \($0.element)\n" }.joined())
    }
}

struct AlienvAvail: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "avail", abstract: "List the modules of the area (Name/Version-Rev).")
    @OptionGroup var areaOptions: EnvironmentAreaOptions
    func run() throws {
        let area = try areaOptions.resolve()
        let packages = try area.installed()
        Output.write("--- \(area.modulePath.path) ---\n" + packages.map { $0.moduleName + "\n" }.joined())
    }
}

struct AlienvCheckenv: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkenv", abstract: "Load each package on its own and report failures (exit 1 if any).")
    @OptionGroup var areaOptions: EnvironmentAreaOptions
    @Argument(help: "Packages (default: every installed package).") var packages: [String] = []
    func run() throws {
        let area = try areaOptions.resolve()
        let selected = packages.isEmpty ? try area.installed() : try installedPackages(packages, in: area)
        let checks = Alienv.checkenv(area: area, packages: selected, environment: ProcessInfo.processInfo.environment)
        for check in checks {
            Output.write("\(check.package): \(check.failure.map { "FAILED: \($0)" } ?? "OK")\n")
        }
        if checks.contains(where: { $0.failure != nil }) { throw ExitCode(1) }
    }
}

struct AlienvRefresh: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Write the modulefiles of every installed package, remove those of removed ones.")
    @OptionGroup var areaOptions: EnvironmentAreaOptions
    @Flag(help: "Use the packages' own etc/modulefiles/<Name> where present (else derived from the environment manifests).")
    var packageModulefiles = false
    func run() throws {
        let area = try areaOptions.resolve()
        let report = try Modulefiles.regenerateAll(area: area, source: packageModulefiles ? .packageFirst : .initScript)
        Output.write("modulefiles in \(area.modulePath.path): \(report.written.count) written, \(report.removed.count) removed\n")
        for (module, reason) in report.failed.sorted(by: { $0.key < $1.key }) { Output.error("\(module): \(reason)") }
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}
