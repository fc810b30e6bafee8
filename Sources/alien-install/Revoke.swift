import AlienModel
import ArgumentParser
import Forensics
import Publisher
import SoftwareArea
import Trust

/// `alien-install revoke`: a release manager's signed revocation of a published build.
struct Revoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a published package version: sites refuse new use of it.",
        discussion: """
            NAME::VERSION revokes every revision of VERSION, NAME::VERSION-REVISION one. Each becomes a \
            target revocations/<arch>/<Name>/<Version>-<Revision>.json signed by the targets role (new \
            targets, snapshot, timestamp), holding the package, the revoked tarball's target path and \
            sha256, the reason and the signing time, so a site cannot be fed a forged revocation nor \
            have one rolled back. After their next refresh, sites refuse new installs and leases of it \
            (packmand answers 409 with the reason), alert their admins, and apply their policy \
            (revocation_policy in <area>/.alien/config.json: alert, quarantine or remove). The tarball \
            stays defined. Revoking a revoked build keeps the first revocation. To withdraw a version \
            without saying it is bad, use undefine.
            """)

    @Option(name: .long, help: "Repository directory or http(s):// URL.")
    var repo: String
    @OptionGroup var tls: TLSOptions
    @Option(name: .long, help: "Only this architecture.")
    var arch: String?
    @Option(name: .long, help: "Why (shown by sites when they refuse the package).")
    var reason: String
    @OptionGroup var signing: SigningKeyOptions
    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false
    @Argument(help: "NAME::VERSION[-REVISION]")
    var package: String

    func run() throws {
        let report = try Repository(store: tls.store(repo))
            .revoke(try PackageID(parsing: package), reason: reason, arch: arch, signers: try signing.signers())
        if json {
            Output.json(
                .object([
                    "revoked": .array(report.revoked.map(\.json)), "already_revoked": .array(report.alreadyRevoked.map(\.json)),
                    "targets_version": report.targetsVersion.map { JSONValue.integer($0) } ?? JSONValue.null,
                    "timestamp_version": report.timestampVersion.map { JSONValue.integer($0) } ?? JSONValue.null
                ]))
            return
        }
        for revocation in report.revoked { Output.write("revoked   \(revocation.spelling) (\(revocation.arch)) at \(revocation.time): \(revocation.reason)\n") }
        for revocation in report.alreadyRevoked {
            Output.write("unchanged \(revocation.spelling) (\(revocation.arch)): revoked already at \(revocation.time): \(revocation.reason)\n")
        }
        if let version = report.targetsVersion {
            Output.write("targets v\(version), timestamp v\(report.timestampVersion!)\n")
        }
    }
}

/// `alien-install revocations`: a site without packmand refreshes the repository's revocations
/// and applies its policy (packmand does this at every refresh).
struct RevocationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revocations",
        abstract: "Refresh the repository's revocations and apply the site's policy to installed packages.",
        discussion: """
            Prints every revocation of the area's architecture with the uses the area's log records \
            of it (who ran it, where, when) and, for each revoked package still installed, what the \
            policy (revocation_policy in <area>/.alien/config.json: alert, quarantine — the default \
            — or remove) did and which leases (running jobs) hold it. install refreshes them too. \
            Exit 0; 1 when the repository cannot be refreshed.
            """)

    @OptionGroup var area: AreaOptions

    func run() async throws {
        let softwareArea = try area.open(mode: .existing)
        let report = try await softwareArea.refreshRevocations()
        let uses = report.revocations.map { softwareArea.uses(of: $0) }
        if area.json {
            area.emit(
                .object([
                    "event": .string("revocations"), "policy": .string(report.policy.rawValue),
                    "revocations": .array(report.revocations.map(\.json)), "new": .array(report.new.map { .string($0.spelling) }),
                    "uses": .array(
                        zip(report.revocations, uses).map { revocation, uses in
                            .object([
                                "package": .string(revocation.spelling),
                                "records": .array(uses.compactMap { try? JSONValue(parsing: Array($0.jsonLine.dropLast())) })
                            ])
                        }),
                    "present": .array(
                        report.present.map { entry in
                            .object([
                                "package": .string(entry.package.description), "action": .string(entry.action.rawValue),
                                "reason": .string(entry.revocation.reason), "leases": .array(entry.holders.map { .string($0) }),
                                "required_by": .array(entry.requiredBy.map { .string($0) })
                            ])
                        })
                ]))
            return
        }
        if report.revocations.isEmpty { Output.write("no revocations\n") }
        for (revocation, uses) in zip(report.revocations, uses) {
            Output.write("revoked \(revocation.spelling) at \(revocation.time): \(revocation.reason)\(report.new.contains(revocation) ? " (new)" : "")\n")
            Output.write("  \(UsageRecord.summary(of: uses))\n")
        }
        for entry in report.present {
            var line = "\(entry.package): \(entry.action.rawValue) (policy \(report.policy.rawValue))"
            if !entry.holders.isEmpty { line += "; leased by \(entry.holders.joined(separator: ", "))" }
            if !entry.requiredBy.isEmpty { line += "; required by \(entry.requiredBy.joined(separator: ", "))" }
            Output.write(line + "\n")
        }
    }
}
