import AlienModel
import ArgumentParser
import SoftwareArea

/// `alien-install lease acquire|release`: what a running job holds is never removed.
struct LeaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lease",
        abstract: "Hold installed packages for a job so that remove and gc leave them alone.",
        discussion: "Leases live in <area>/.alien/leases/<holder>.json; expired leases are ignored and swept.",
        subcommands: [Acquire.self, Release.self])

    struct Acquire: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "acquire", abstract: "Lease packages for HOLDER for TTL seconds (extends an existing lease).")

        @Argument(help: "Installed packages.")
        var packages: [String]
        @Option(name: .long, help: "Who holds the lease (a job id; letters, digits, '.', '_', '-').")
        var holder: String
        @Option(name: .long, help: "Seconds until the lease expires.")
        var ttl: Int64
        @OptionGroup var area: AreaOptions

        func validate() throws {
            if packages.isEmpty { throw ValidationError("name at least one package") }
        }

        func run() throws {
            let requests = try area.packageIDs(packages)
            let softwareArea = try area.open(mode: .existing)
            let lease = try softwareArea.acquireLease(holder: holder, packages: requests, ttl: ttl)
            if area.json {
                area.emit(lease.json)
            } else {
                Output.write("\(lease.holder) holds \(lease.packages.joined(separator: " ")) until \(lease.expires)\n")
            }
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "release", abstract: "Release HOLDER's lease (only the named packages when given).")

        @Argument(help: "Packages to release (default: all of the holder's).")
        var packages: [String] = []
        @Option(name: .long, help: "The lease holder.")
        var holder: String
        @OptionGroup var area: AreaOptions

        func run() throws {
            let requests = try area.packageIDs(packages)
            let softwareArea = try area.open(mode: .existing)
            let lease = try softwareArea.releaseLease(holder: holder, packages: requests)
            if area.json {
                area.emit(lease?.json ?? .object(["holder": .string(holder), "released": .bool(true)]))
            } else if let lease {
                Output.write("\(lease.holder) still holds \(lease.packages.joined(separator: " "))\n")
            } else {
                Output.write("\(holder): lease released\n")
            }
        }
    }
}
