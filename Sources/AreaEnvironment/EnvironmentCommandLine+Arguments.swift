extension EnvironmentCommandLine {
    /// `alien-env`'s arguments, parsed by hand as ArgumentParser parses `alien-install env`'s:
    /// options before, between or after the packages, `--opt VALUE` or `--opt=VALUE`, the last
    /// of a repeated option wins, `--` ends the options.
    public struct Arguments: Equatable, Sendable {
        public var packages: [String] = []
        public var area: String?
        public var arch: String?
        public var shell: String?
        public var help = false

        public init(packages: [String] = [], area: String? = nil, arch: String? = nil, shell: String? = nil, help: Bool = false) {
            self.packages = packages
            self.area = area
            self.arch = arch
            self.shell = shell
            self.help = help
        }

        /// At most this many arguments (a command line longer than any shell passes is a mistake).
        public static let maximumCount = 100_000

        /// Sets the field of an option that takes a value (every spelling); false for other words.
        mutating func set(_ option: String, _ value: String) -> Bool {
            switch option {
            case "--area", "-w", "--work-dir": area = value
            case "--arch", "-a", "--architecture": arch = value
            case "--shell": shell = value
            default: return false
            }
            return true
        }

        static func takesValue(_ option: String) -> Bool {
            var probe = Arguments()
            return probe.set(option, "")
        }

        public static func parse(_ words: [String]) throws(Failure) -> Arguments {
            guard words.count <= maximumCount else { throw Failure("more than \(maximumCount) arguments", status: usageStatus) }
            var result = Arguments()
            var index = 0
            var optionsEnded = false
            while index < words.count {
                let word = words[index]
                index += 1
                if optionsEnded || word == "-" || !word.hasPrefix("-") {
                    result.packages.append(word)
                    continue
                }
                if word == "--" { optionsEnded = true; continue }
                if word == "--help" || word == "-h" { result.help = true; continue }
                var name = word, value: String?
                if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                    name = String(word[..<equals])
                    value = String(word[word.index(after: equals)...])
                }
                guard Self.takesValue(name) else { throw Failure("unknown option '\(name)'", status: usageStatus) }
                if value == nil {
                    guard index < words.count, !words[index].hasPrefix("-") || words[index] == "-" else {
                        throw Failure("missing value for '\(name)'", status: usageStatus)
                    }
                    value = words[index]
                    index += 1
                }
                _ = result.set(name, value ?? "")
            }
            if !result.help, result.packages.isEmpty {
                throw Failure("missing expected argument '<packages> ...' (at least one package)", status: usageStatus)
            }
            return result
        }
    }

    public static let usage = "alien-env [--area DIR] [--arch ARCH] [--shell SHELL] PACKAGE..."

    public static let help = """
        OVERVIEW: Print the environment of installed packages as shell statements.

        alien-env is `alien-install env` as a small binary of its own: the same options, the same
        output and exit statuses, started in about a millisecond (no network, TUF or archive
        libraries loaded). The environment is what sourcing aliBuild's etc/profile.d/init.sh of
        the packages (and through them of their dependencies) with WORK_DIR=<area> and
        ALIBUILD_ARCH_PREFIX=<arch> would set, computed from each package's environment manifest
        (.alien-environment.json, or its init.sh read by a strict parser): no package code runs.
        The difference to the current environment is printed.

        USAGE: \(usage)

        ARGUMENTS:
          PACKAGE                 Pkg (the newest installed), Pkg/Version-Rev, Pkg::Version,
                                  VO_ALICE@Pkg::Version, or comma-separated lists of these.

        OPTIONS:
          -w, --area, --work-dir DIR
                                  The software area (default: $ALIEN_AREA, $ALIBUILD_WORK_DIR, ./sw).
          -a, --arch, --architecture ARCH
                                  The architecture (default: the area's only one, else this host's).
          --shell SHELL           Syntax: \(EnvironmentShell.allCases.map(\.rawValue).joined(separator: ", ")) (default: from $SHELL).
          -h, --help              Show this help.

        USE:
          eval "$(alien-env ROOT)"                  sh, bash, zsh
          eval `alien-env --shell csh ROOT`         csh, tcsh
          alien-env --shell fish ROOT | source      fish

        EXIT STATUS: 0 printed; 1 the environment cannot be computed (the message says why);
        64 a usage error.

        """

    /// What a run prints and returns.
    public struct Outcome: Equatable, Sendable {
        /// What goes to standard output, as UTF-8.
        public var output: [UInt8]
        public var stderr: String
        public var status: Int32

        /// `output` as text.
        public var stdout: String { String(decoding: output, as: UTF8.self) }
    }

    /// `alien-env ARGUMENTS` in `environment`, `program` naming it in messages. With
    /// `exiting`, the caller exits after printing the outcome: memory that the exit returns is
    /// not freed first.
    public static func main(_ words: [String], environment: [String: String], program: String = "alien-env", exiting: Bool = false) -> Outcome {
        do throws(Failure) {
            let arguments = try Arguments.parse(words)
            if arguments.help { return Outcome(output: Array(help.utf8), stderr: "", status: 0) }
            let output = try env(
                packages: arguments.packages, area: arguments.area, arch: arguments.arch, shell: arguments.shell,
                environment: environment, freeingMemory: !exiting)
            return Outcome(output: output, stderr: "", status: 0)
        } catch {
            var message = "\(program): error: \(error.message)\n"
            if error.isUsage { message += "Usage: \(usage)\n  See '\(program) --help' for more information.\n" }
            return Outcome(output: [], stderr: message, status: error.status)
        }
    }
}
