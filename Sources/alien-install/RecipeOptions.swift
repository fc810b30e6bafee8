import AlienModel
import ArgumentParser
import HostEnvironment

/// Options of every command that reads recipes.
struct RecipeOptions: ParsableArguments {
    @Option(name: .long, help: "Defaults to use: reads defaults-<name>.sh.")
    var defaults = "release"

    @Option(name: [.customShort("a"), .long], help: "Architecture, e.g. slc9_x86-64 (default: this machine's, or $ALIEN_ARCHITECTURE).")
    var arch: String?

    @Option(name: [.customShort("c"), .long], help: "Recipe directory (default: $ALIEN_RECIPES, ./recipes, or the source tree's recipes/).")
    var configDir: String?

    @Option(name: .long, help: "Comma-separated packages to leave out of the closure.")
    var disable: [String] = []

    @Option(name: .long, help: "Date for %(year)s-style version templates: YYYY-MM-DD[-HH] (default: now).")
    var date: String?

    @Option(name: .long, help: "alidist branch for %(branch_basename)s (default: asked of git).")
    var recipesBranch: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Branch tips as JSON {\"<source url>\": {\"<branch>\": \"<commit>\"}}: a tag listed here is a branch at that commit (default: no branches; tags are their own commits).",
            valueName: "file"))
    var gitRefs: String?

    func context(systemChecks: SystemCheckMode) throws -> RecipeContext {
        RecipeContext(
            configDir: configDir, defaults: defaults, architecture: try arch.map { try Architecture($0) },
            disable: disable.flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty },
            systemChecks: systemChecks, date: date, recipesBranch: recipesBranch, branchesFile: gitRefs)
    }
}

func packageNames(_ texts: [String]) throws -> [PackageName] {
    try texts.map { text in
        do { return try PackageName(text) } catch { throw ValidationError("\(error)") }
    }
}
