import AlienModel
import ArgumentParser
import SoftwareArea
import Trust

/// `alien-install list --installed | --available`
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the packages installed in an area, or those its repository offers.",
        discussion: """
            --available refreshes the signed metadata first. With --repo/--mirror/--root it also \
            sets an area up (trust bootstrapped, repository remembered) without installing anything. \
            Builds the repository revoked are marked (revoked: REASON); --installed marks those the \
            last refresh found revoked.
            """)

    enum Which: String, EnumerableFlag {
        case installed, available
    }

    @Flag(help: "What to list.")
    var which: Which = .installed
    @OptionGroup var area: AreaOptions
    @OptionGroup var repository: RepositoryOptions

    func run() async throws {
        let readOnly = which == .installed && repository.repo == nil && repository.root == nil && repository.mirrors.isEmpty
        let softwareArea = try area.open(
            repo: repository.repo, mirrors: repository.givenMirrors, root: repository.root,
            authorities: repository.tls.given,
            mode: readOnly ? .existing : .create)
        switch which {
        case .installed:
            let leased = Set(softwareArea.liveLeases().flatMap(\.packages))
            let revoked = Dictionary(softwareArea.knownRevocations().map { ($0.target, $0.reason) }, uniquingKeysWith: { first, _ in first })
            for package in softwareArea.installed() {
                let reason = revoked[package.record.target]
                if area.json {
                    var fields: [String: JSONValue] = [
                        "package": .string(package.key.description), "path": .string(package.path),
                        "size": .integer(Int64(package.record.size)), "last_used": .integer(package.lastUsed),
                        "leased": .bool(leased.contains(package.key.description)), "target": .string(package.record.target)
                    ]
                    if let reason { fields["revoked"] = .string(reason) }
                    area.emit(.object(fields))
                } else {
                    Output.write(
                        "\(package.key.qualified())  \(package.record.size) bytes\(leased.contains(package.key.description) ? "  (leased)" : "")"
                            + (reason.map { "  (revoked: \($0))" } ?? "") + "\n")
                }
            }
        case .available:
            let catalog = try softwareArea.catalog()
            let packages = try await catalog.available()
            let revoked = Dictionary(try await catalog.revocations().map { ($0.target, $0.reason) }, uniquingKeysWith: { first, _ in first })
            let installed = Set(softwareArea.installed().map(\.key))
            for package in packages {
                let reason = revoked[package.info.path]
                if area.json {
                    var fields: [String: JSONValue] = [
                        "package": .string(package.build.description), "target": .string(package.info.path),
                        "length": .integer(package.info.file.length), "installed": .bool(installed.contains(package.build))
                    ]
                    if let reason { fields["revoked"] = .string(reason) }
                    area.emit(.object(fields))
                } else {
                    Output.write(
                        "\(package.build.qualified())  \(package.info.file.length) bytes\(installed.contains(package.build) ? "  (installed)" : "")"
                            + (reason.map { "  (revoked: \($0))" } ?? "") + "\n")
                }
            }
        }
    }
}
