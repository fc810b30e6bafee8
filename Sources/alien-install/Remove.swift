import ArgumentParser
import SoftwareArea

/// `alien-install remove PKG...`
struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove installed packages from a software area.",
        discussion: """
            Refused while a live lease holds the package or another installed package needs it, \
            unless --force. The package directory is renamed into <area>/.alien/trash first, so a \
            crash never leaves a half-deleted package visible.
            """)

    @Argument(help: "Installed packages (Name, Name::Version, Name::Version-Rev).")
    var packages: [String]
    @Flag(name: .long, help: "Remove even when leased or needed by other installed packages.")
    var force = false
    @OptionGroup var area: AreaOptions

    func validate() throws {
        if packages.isEmpty { throw ValidationError("name at least one package") }
    }

    func run() throws {
        let requests = try area.packageIDs(packages)
        let softwareArea = try area.open(mode: .existing)
        for request in requests {
            _ = try softwareArea.remove(request, force: force)
        }
    }
}
