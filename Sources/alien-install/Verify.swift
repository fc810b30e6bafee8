import AlienModel
import ArgumentParser
import SoftwareArea

/// `alien-install verify [PKG] [--repair]`
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash installed packages against their install records.",
        discussion: """
            Reports every file that is missing, changed (size or sha256), or not in the record. \
            --repair installs a damaged package again from the repository, atomically replacing it. \
            Exit 1 when a damaged package remains.
            """)

    @Argument(help: "An installed package (default: all).")
    var package: String?
    @Flag(name: .long, help: "Reinstall damaged packages.")
    var repair = false
    @OptionGroup var area: AreaOptions

    func run() async throws {
        let request = try package.map { try area.packageIDs([$0]) }?.first
        let softwareArea = try area.open(mode: .existing)
        let results = try softwareArea.verify(request)
        for result in results {
            if area.json {
                area.emit(
                    .object([
                        "event": .string("verified"), "package": .string(result.package.description), "ok": .bool(result.ok),
                        "problems": .array(result.problems.map { .string($0) })
                    ]))
            } else if result.ok {
                Output.write("\(result.package): ok\n")
            } else {
                for problem in result.problems { Output.write("\(result.package): \(problem)\n") }
            }
        }
        var damaged = results.filter { !$0.ok }
        if repair, !damaged.isEmpty {
            _ = try await softwareArea.repair(damaged)
            let again = try damaged.flatMap { try softwareArea.verify($0.package.id) }
            damaged = again.filter { !$0.ok }
        }
        for result in damaged { Output.error("\(result.package): \(result.problems.count) problem(s)") }
        if !damaged.isEmpty { throw ExitCode(1) }
    }
}
