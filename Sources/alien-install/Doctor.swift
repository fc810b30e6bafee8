import ArgumentParser
import HostEnvironment

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that this machine can build packages (aliDoctor).",
        discussion: """
            Runs the recipes' prefer_system and system_requirement checks and reports what is \
            taken from the system, what is built here, and which system requirements are \
            missing, with the recipes' hints. Exit status: 0 all well, 1 missing requirements \
            or recipes, 2 the defaults are not valid for these packages, 3 no defaults are.
            """)

    @OptionGroup var recipes: RecipeOptions

    @Flag(name: .long, help: "Build everything here (aliBuild's --no-system): only system requirements are checked.")
    var noSystem = false

    @Argument(help: "Packages to check, e.g. AliRoot.")
    var packages: [String]

    func run() throws {
        let report = try Output.run {
            try recipes.context(systemChecks: noSystem ? .noSystem : .check).diagnose(targets: try packageNames(packages))
        }
        Output.write(report.text)
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
