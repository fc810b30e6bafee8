import AlienModel
import ArgumentParser
import SoftwareArea

/// `alien-install gc --budget SIZE`
struct GC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove least recently used packages until the area fits a size budget.",
        discussion: """
            Never removes a package a live lease holds or an installed package needs. Last use is \
            recorded by install, env and run. SIZE: bytes or with a suffix (512M, 20G, 1T).
            """)

    @Option(name: .long, help: "Size the installed packages may take in all (default 0: remove whatever may go).")
    var budget: String = "0"
    @Flag(name: .long, help: "Only say what would be removed.")
    var dryRun = false
    @OptionGroup var area: AreaOptions

    func run() throws {
        let softwareArea = try area.open(mode: .existing)
        let report = try softwareArea.collectGarbage(budget: try SoftwareArea.parseSize(budget), dryRun: dryRun)
        if area.json {
            area.emit(
                .object([
                    "event": .string("gc"), "dry_run": .bool(dryRun), "removed": .array(report.removed.map { .string($0.description) }),
                    "freed": .integer(Int64(report.freedBytes)), "size_before": .integer(Int64(report.sizeBefore)),
                    "size_after": .integer(Int64(report.sizeAfter)), "budget": .integer(Int64(report.budget))
                ]))
        } else {
            if dryRun { for key in report.removed { Output.write("would remove \(key)\n") } }
            Output.write(
                "\(report.removed.count) package(s)\(dryRun ? " would be" : "") removed, \(report.freedBytes) bytes; "
                    + "area \(report.sizeAfter) bytes (budget \(report.budget))\n")
            if report.sizeAfter > report.budget {
                Output.warn("the area is still over budget: the rest is leased or needed")
            }
        }
    }
}
