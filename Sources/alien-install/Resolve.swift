import AlienModel
public import ArgumentParser
import Foundation
import HostEnvironment
import Resolver

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve packages into a build plan with aliBuild-compatible versions and hashes.",
        discussion: """
            Offline by default: no git, no network; a tag that is a branch is taken as its own \
            commit. As aliBuild build's default (noSystem="*"), everything is built here; system \
            requirements are assumed present; track_env commands and the prefer check of \
            recipes with allow_system_package_upload (gpu-system) run, as aliBuild runs them \
            then. --check-system runs all the recipes' checks with bash.

            Formats: table (build order), json (the whole plan, readable by --diff), dot \
            (Graphviz), hashes ("name version hash" sorted by name, without defaults-release).
            """)

    @OptionGroup var recipes: RecipeOptions

    @Flag(name: .long, help: "Build everything here (aliBuild's --no-system); system requirements are still checked.")
    var noSystem = false

    @Flag(name: .long, help: "Run prefer_system and system_requirement checks with bash.")
    var checkSystem = false

    @Option(name: .long, help: "Output: table, json, dot or hashes.")
    var format: PlanRenderer.Format = .table

    @Option(name: .long, help: "Print every input of this package's hash.")
    var explain: String?

    @Option(name: .long, help: "Compare with an earlier `--format json` plan and say what changed each hash.")
    var diff: String?

    @Argument(help: "Packages to resolve, e.g. AliRoot.")
    var packages: [String]

    func validate() throws {
        if noSystem && checkSystem { throw ValidationError("--no-system and --check-system exclude each other") }
        if packages.isEmpty { throw ValidationError("name at least one package") }
    }

    func run() throws {
        let mode: SystemCheckMode = noSystem ? .noSystem : checkSystem ? .check : .assume
        let plan = try recipes.context(systemChecks: mode).resolve(targets: try packageNames(packages))
        for warning in plan.warnings { Output.warn(warning) }
        if let explain {
            let name = try packageNames([explain])[0]
            guard let text = PlanExplanation.explain(name, in: plan) else {
                throw Output.fail("\(explain) is not in the plan of \(packages.joined(separator: " "))")
            }
            Output.write(text)
        } else if let diff {
            let old = try JSONDecoder().decode(PlanDocument.self, from: Data(contentsOf: URL(fileURLWithPath: diff)))
            Output.write(PlanExplanation.diff(old: old, new: plan))
        } else {
            Output.write(try PlanRenderer.render(plan, as: format))
        }
    }
}

extension PlanRenderer.Format: ExpressibleByArgument {}
