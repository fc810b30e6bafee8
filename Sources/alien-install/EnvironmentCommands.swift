import AreaEnvironment
import ArgumentParser
import Forensics
import Foundation
import SoftwareArea

struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Print the environment of installed packages as shell statements.",
        discussion: """
            The environment is what sourcing aliBuild's etc/profile.d/init.sh of the packages (and \
            through them of their dependencies) with WORK_DIR=<area> and ALIBUILD_ARCH_PREFIX=<arch> \
            would set, computed from each package's environment manifest (.alien-environment.json, \
            or its init.sh read by a strict parser): no package code runs. The difference to the \
            current environment is printed. \
            Packages: Pkg (the newest installed), Pkg/Version-Rev, Pkg::Version, VO_ALICE@Pkg::Version, \
            or comma-separated lists. Use: eval "$(alien-install env ROOT)" (sh, bash, zsh), \
            eval `alien-install env --shell csh ROOT` (csh, tcsh), alien-install env --shell fish ROOT | source.

            alien-env, installed next to alien-install, is this command as a small binary of its own \
            (alien-env [--area DIR] [--arch ARCH] [--shell SHELL] PACKAGE...): the same options, output \
            and exit statuses, started in about a millisecond instead of loading this program's \
            network, TUF and archive libraries. Use it in login scripts and job wrappers.
            """)

    @OptionGroup var areaOptions: EnvironmentAreaOptions

    @Option(help: "Syntax: \(EnvironmentShell.allCases.map(\.rawValue).joined(separator: ", ")) (default: from $SHELL).")
    var shell: String?

    @Argument(help: "Packages, e.g. GridDemo, ROOT/v6-32-06-1, VO_ALICE@AliPhysics::v5-09-45a-01-1.")
    var packages: [String]

    /// `EnvironmentCommandLine`'s steps, as alien-env runs them (the same checks in the same
    /// order, bytes and messages), through `environment(for:)`, which also records the use.
    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let area = try areaOptions.resolve()
        let syntax = try shellSyntax(shell)
        let selected = try EnvironmentCommandLine.packages(packages, in: area)
        let computed: PackageEnvironment
        do throws(EnvironmentError) {
            computed = try area.environment(of: selected, base: environment, recording: EnvironmentUse(.environment))
        } catch {
            throw EnvironmentCommandLine.Failure(error.description)
        }
        Output.write(bytes: syntax.renderBytes(computed.changes))
    }
}

func shellSyntax(_ text: String?) throws -> EnvironmentShell {
    try EnvironmentCommandLine.shell(text, environment: ProcessInfo.processInfo.environment)
}

struct EnterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enter",
        abstract: "Start a shell ($SHELL, or bash) in the environment of installed packages.",
        discussion: """
            The shell gets ALIEN_INSTALL_ENTERED (the packages) and ALIENVLVL=1; enter refuses to \
            run inside such a shell (also one from aliBuild's alienv enter). Leave it with exit.
            """)

    @OptionGroup var areaOptions: EnvironmentAreaOptions

    @Argument(help: "Packages, as for env.")
    var packages: [String]

    func run() throws {
        try enterShell(packages: packages, areaOptions: areaOptions)
    }
}

func enterShell(packages: [String], areaOptions: EnvironmentAreaOptions) throws {
    let environment = ProcessInfo.processInfo.environment
    try Alienv.checkNotNested(environment)
    let area = try areaOptions.resolve()
    let computed = try area.environment(
        for: try EnvironmentRequest.parse(packages), base: environment, composition: .enter,
        recording: EnvironmentUse(.enter))
    let shell = environment["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/bash"
    FileHandle.standardError.write(
        Data("alien-install: entering the environment of \(computed.packages.map(\.moduleName).joined(separator: " ")); type exit to leave it\n".utf8))
    try execute([shell, "-i"], environment: computed.changes.applied(to: environment))
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command in the environment of installed packages.",
        discussion: """
            alien-install run GridDemo -- hello-grid world: the command replaces this process \
            (exec), so its exit status is the command's. The command is looked up in the \
            environment's PATH.

            alien-install run --jdl job.jdl [ARGS...] [--job-id ID] [-- CMD...]: the JDL's Packages \
            ($1..$n from ARGS) are installed through the area when it trusts a repository (closure \
            included; otherwise, or when it cannot be reached, the installed ones are used), leased for holder ID (default: generated; \
            TTL: the JDL's TTL + 1 h, else a day), then CMD — or the JDL's Executable with its \
            Arguments — runs as a child in their environment (ALIEN_JOB_ID set); the lease is \
            released when it ends, also on failure or SIGINT/SIGTERM/SIGHUP (forwarded to the \
            child). Exit status: the command's (128 + N when killed by signal N). When a packmand \
            serves the area (<area>/.alien/packmand.json) and $ALIEN_PACKMAN_TOKEN_FILE holds a job \
            token, the daemon installs the packages and holds the lease instead.
            """)

    @OptionGroup var areaOptions: EnvironmentAreaOptions

    @Option(name: .long, help: "Run the job a JDL describes (its packages, leased; its Executable unless -- CMD is given).")
    var jdl: String?

    @Option(name: .long, help: "With --jdl: the lease holder (letters, digits, '.', '_', '-'; default: generated).")
    var jobId: String?

    @Option(name: .long, help: "With --jdl: the VO of packages written without an owner prefix (default: the packmand's default VO).")
    var vo: String?

    @Argument(parsing: .captureForPassthrough, help: "Packages, then --, then the command and its arguments.")
    var words: [String] = []

    func run() async throws {
        let terminator = words.firstIndex(of: "--")
        if words[..<(terminator ?? words.endIndex)].contains(where: { $0 == "--help" || $0 == "-h" }) { throw CleanExit.helpRequest(self) }
        guard terminator != nil || jdl != nil || words.contains("--jdl") else {
            throw ValidationError("no command: alien-install run PKG... -- CMD ARGS")
        }
        var options = areaOptions
        var jdlFile = jdl
        var jobID = jobId
        var vo = self.vo
        var packages: [String] = []
        var index = 0
        let before = Array(words[..<(terminator ?? words.endIndex)])
        // Options given after the first package arrive here unparsed.
        while index < before.count {
            let word = before[index]
            let value = index + 1 < before.count ? before[index + 1] : nil
            switch word {
            case "--area", "-w", "--work-dir":
                guard let value else { throw ValidationError("\(word) needs a value") }
                options.area = value
                index += 2
            case "--arch", "-a", "--architecture":
                guard let value else { throw ValidationError("\(word) needs a value") }
                options.arch = value
                index += 2
            case "--jdl", "--job-id", "--vo":
                guard let value else { throw ValidationError("\(word) needs a value") }
                if word == "--jdl" { jdlFile = value } else if word == "--vo" { vo = value } else { jobID = value }
                index += 2
            default:
                if word.hasPrefix("-") { throw ValidationError("unknown option \(word)") }
                packages.append(word)
                index += 1
            }
        }
        let command = terminator.map { Array(words[($0 + 1)...]) } ?? []
        if let jdlFile {
            let job = JDLJob(file: jdlFile, arguments: packages, jobID: jobID, command: command, areaOptions: options, vo: vo)
            let status = try await job.run()
            if status != 0 { throw ExitCode(status) }
            return
        }
        if jobID != nil { throw ValidationError("--job-id goes with --jdl") }
        if vo != nil { throw ValidationError("--vo goes with --jdl") }
        guard terminator != nil else { throw ValidationError("no command: alien-install run PKG... -- CMD ARGS") }
        guard !packages.isEmpty else { throw ValidationError("no package: alien-install run PKG... -- CMD ARGS") }
        guard !command.isEmpty else { throw ValidationError("no command after --: alien-install run PKG... -- CMD ARGS") }
        try runInEnvironment(packages: packages, command: command, areaOptions: options)
    }
}

func runInEnvironment(packages: [String], command: [String], areaOptions: EnvironmentAreaOptions) throws {
    let environment = ProcessInfo.processInfo.environment
    let area = try areaOptions.resolve()
    let computed = try area.environment(for: try EnvironmentRequest.parse(packages), base: environment, recording: EnvironmentUse(.run))
    try execute(command, environment: computed.changes.applied(to: environment))
}
