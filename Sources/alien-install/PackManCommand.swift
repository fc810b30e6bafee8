import ArgumentParser
import AlienModel
import Foundation
import PackManAPI

/// `alien-install packman VERB`: PackMan's verbs, talking to a packmand (docs/api.md).
struct PackManCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "packman",
        abstract: "Talk to the site's packmand: list, listInstalled, install, installLog, dependencies, test, remove, synchronize, audit, notifications.test.",
        discussion: """
            The daemon is found by --packman (unix:/path/to/socket or http://host:port), else $ALIEN_PACKMAN, \
            else unix:/run/packmand/packmand.sock. Mutating verbs (install, test: role job; remove, synchronize, \
            notifications.test: role admin) need a token: --token-file FILE (its first line), else $ALIEN_PACKMAN_TOKEN_FILE.
            On a site with several VOs, a package id with an owner prefix (VO_PANDA@PandaRoot::v1) goes to that VO; \
            --vo VO gives unprefixed ids that owner and limits list, listInstalled, audit and synchronize (of every \
            package) to it; without it unprefixed ids go to the site's default VO.
            """,
        subcommands: [
            PMList.self, PMListInstalled.self, PMInstall.self, PMInstallLog.self, PMDependencies.self, PMTest.self, PMRemove.self,
            PMSynchronize.self, PMAudit.self, PMNotificationsTest.self
        ])
}

struct PMNotificationsTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications.test",
        abstract: "Send a test digest to every configured notification sink (webhook, mail) now; exit 1 if one failed.")
    @OptionGroup var options: PackManOptions

    func run() throws {
        let result = try options.client(timeout: 90).testNotifications()
        options.print(result) {
            "sent to: \(result.sinks.joined(separator: ", "))\n"
                + (result.failures.isEmpty ? "every sink took it\n" : result.failures.map { "failed: \($0)\n" }.joined())
        }
        if !result.failures.isEmpty { throw ExitCode(1) }
    }
}

struct PackManOptions: ParsableArguments {
    @Option(name: .long, help: "The daemon: unix:/path/to/socket or http://host:port.")
    var packman: String?

    @Option(name: .long, help: "A file whose first line is the bearer token.")
    var tokenFile: String?

    @Flag(name: .long, help: "Print the daemon's JSON answer.")
    var json = false

    @Option(name: .long, help: "The VO: owner of unprefixed package ids, and the one VO listed (default: the site's default VO).")
    var vo: String?

    /// `text` with `--vo`'s owner when it has none (ids that do not parse go as given: the daemon says why).
    func qualified(_ text: String) -> String {
        guard let vo, let id = try? PackageID(parsing: text), id.owner == nil else { return text }
        return "\(vo)@\(text.trimmingCharacters(in: .whitespaces))"
    }

    func client(timeout: Int = 30) throws -> PackManClient {
        let environment = ProcessInfo.processInfo.environment
        let endpoint = packman ?? environment["ALIEN_PACKMAN"] ?? "unix:/run/packmand/packmand.sock"
        let tokenPath = tokenFile ?? environment["ALIEN_PACKMAN_TOKEN_FILE"]
        return try PackManClient(
            endpoint: endpoint, token: try tokenPath.map { path throws(PackManClientError) in try PackManClient.readToken(file: path) },
            timeout: timeout)
    }

    func print(_ value: some Encodable, text: () -> String) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            Output.write(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self) + "\n")
        } else {
            Output.write(text())
        }
    }
}

struct PMList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Packages defined in the trusted repository (name: only those).")
    @OptionGroup var options: PackManOptions
    @Argument(help: "A package name.") var name: String?

    func run() throws {
        let packages = try options.client().list(name: name, vo: options.vo)
        options.print(packages) { packages.map { "\($0.id)\($0.installed ? "  (installed)" : "")\n" }.joined() }
    }
}

struct PMListInstalled: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "listInstalled", abstract: "Installed packages, with last use and leases.")
    @OptionGroup var options: PackManOptions

    func run() throws {
        let packages = try options.client().listInstalled(vo: options.vo)
        options.print(packages) {
            packages.map { "\($0.id)\($0.leasedBy.isEmpty ? "" : "  leased by \($0.leasedBy.joined(separator: ","))")\n" }.joined()
        }
    }
}

struct PMInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install", abstract: "Install packages (and their dependencies) through the daemon; waits for the job by default.")
    @OptionGroup var options: PackManOptions
    @Option(name: .long, help: "Lease the packages for this holder when installed.") var holder: String?
    @Option(name: .long, help: "With --holder: the lease's seconds.") var ttl: Int64 = 86400
    @Option(name: .long, help: "Seconds to wait for the job (0: print the job id and return).") var wait: Int = 3600
    @Argument(help: "Packages, e.g. VO_ALICE@ROOT::v6-32-06-1, AliPhysics::latest.") var packages: [String]

    func run() throws {
        let client = try options.client(timeout: wait + 30)
        let job = try client.install(packages.map(options.qualified), lease: holder.map { LeaseSpec(holder: $0, ttl: ttl) }, wait: wait)
        options.print(job) { Self.describe(job) }
        if job.state == .failed { throw ExitCode(1) }
    }

    static func describe(_ job: JobStatus) -> String {
        var text = "job \(job.id): \(job.state.rawValue)"
        if !job.installed.isEmpty { text += "; installed \(job.installed.joined(separator: " "))" }
        if !job.removed.isEmpty { text += "; removed \(job.removed.joined(separator: " "))" }
        if let error = job.error { text += "; \(error)" }
        return text + "\n"
    }
}

struct PMInstallLog: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "installLog", abstract: "The install log of a package.")
    @OptionGroup var options: PackManOptions
    @Argument(help: "A package.") var package: String

    func run() throws {
        let log = try options.client().installLog(options.qualified(package))
        options.print(log) { log.lines.map { "\(Date(timeIntervalSince1970: TimeInterval($0.time))) \($0.job ?? "-") \($0.text)\n" }.joined() }
    }
}

struct PMDependencies: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dependencies", abstract: "The runtime dependencies of a package (closure).")
    @OptionGroup var options: PackManOptions
    @Argument(help: "A package.") var package: String

    func run() throws {
        let list = try options.client().dependencies(options.qualified(package))
        options.print(list) { list.dependencies.map { "\($0)\n" }.joined() }
    }
}

struct PMTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Check that a package's environment loads and its programs could run here (none is run).")
    @OptionGroup var options: PackManOptions
    @Argument(help: "A package.") var package: String

    func run() throws {
        let result = try options.client(timeout: 300).test(options.qualified(package))
        options.print(result) { result.checks.map { "ok: \($0)\n" }.joined() + (result.error.map { "failed: \($0)\n" } ?? "") }
        if !result.ok { throw ExitCode(1) }
    }
}

struct PMRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an installed package (not while leased or needed).")
    @OptionGroup var options: PackManOptions
    @Argument(help: "A package.") var package: String

    func run() throws {
        let result = try options.client().remove(options.qualified(package))
        options.print(result) { "\(result.removed): removed\n" }
    }
}

struct PMSynchronize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synchronize",
        abstract: "Install defined-but-missing packages (the given ones, else the newest of each), remove no-longer-defined ones (not leased).")
    @OptionGroup var options: PackManOptions
    @Flag(name: .long, help: "Keep installed packages that are no longer defined.") var keepUndefined = false
    @Option(name: .long, help: "A release: the top-level package (e.g. VO_ALICE@AliPhysics::v5-09-45a-01-1) whose closure the site must have.")
    var release: String?
    @Option(name: .long, help: "Seconds to wait for the job.") var wait: Int = 3600
    @Argument(help: "Packages wanted (default: the newest of every defined package).") var packages: [String] = []

    func run() throws {
        let client = try options.client(timeout: wait + 30)
        let job = try client.synchronize(
            SynchronizeRequest(
                packages: packages.isEmpty ? nil : packages.map(options.qualified), release: release.map(options.qualified),
                removeUndefined: !keepUndefined), wait: wait, vo: options.vo)
        options.print(job) { PMInstall.describe(job) }
        if job.state == .failed { throw ExitCode(1) }
    }
}

struct PMAudit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Who installed, removed, leased or ran what here (newest last).")
    @OptionGroup var options: PackManOptions
    @Option(name: .long, help: "How many entries.") var limit: Int = 100

    func run() throws {
        let entries = try options.client().audit(limit: limit, vo: options.vo)
        options.print(entries) {
            entries.map {
                "\(Date(timeIntervalSince1970: TimeInterval($0.time))) \($0.vo.map { "\($0) " } ?? "")\($0.identity) \($0.action) \($0.subject): "
                    + "\($0.result)\($0.job.map { " [\($0)]" } ?? "")\n"
            }.joined()
        }
    }
}

/// The packmand serving `area` (its `.alien/packmand.json`), or `endpoint` / `$ALIEN_PACKMAN`,
/// when a token is at hand (`tokenFile` / `$ALIEN_PACKMAN_TOKEN_FILE`) and it answers; nil
/// otherwise (a daemon that does not answer is reported and passed over).
func configuredPackMan(area: String?, endpoint given: String?, tokenFile: String?) throws -> PackManClient? {
    let environment = ProcessInfo.processInfo.environment
    var endpoint = given ?? environment["ALIEN_PACKMAN"]
    var endpointFile: String?
    if endpoint == nil, let area, let file = try PackManEndpointFile.read(area: area) {
        endpoint = file.endpoint
        endpointFile = PackManEndpointFile.path(area: area)
    }
    guard let endpoint, let tokenPath = tokenFile ?? environment["ALIEN_PACKMAN_TOKEN_FILE"] else { return nil }
    let client = try PackManClient(endpoint: endpoint, token: try PackManClient.readToken(file: tokenPath), timeout: 3630)
    do { _ = try client.health() } catch {
        let stale = endpointFile.map { " (\($0) is stale: packmand is not running?)" } ?? ""
        Output.warn("\(error)\(stale); working on the area directly")
        return nil
    }
    return client
}
