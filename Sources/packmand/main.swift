import ArgumentParser
import Basics
import Foundation
import Logging
import PackMan
import RepositoryServer
import ServiceLifecycle
import Synchronization
import UnixSignals

/// packmand: the site's PackMan daemon (docs/packmand.md, docs/api.md).
@main
struct PackManD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "packmand",
        abstract: "The site's PackMan daemon: installs what jobs ask for over a JSON API (/v1), keeps the area healthy.",
        discussion: """
            Reads a YAML configuration (docs/packmand.md): the software area, architecture, repository and \
            mirrors, trusted root, listen addresses (a unix socket and/or loopback TCP), the tokens file, \
            the disk budget; with vos: further VOs, each with its own area, repository and trusted root \
            (package ids route by their owner prefix). On start it sweeps stage directories of killed installers and resumes jobs a \
            previous run left. SIGTERM/SIGINT: no new jobs, running installs finish their current package \
            (up to shutdown_grace seconds), open requests are answered, then it exits 0.
            """)

    @Option(name: .long, help: "The configuration file (YAML).")
    var config: String = "/etc/alien/packmand.yaml"

    @Flag(name: .long, help: "Check the configuration and the tokens file, then exit.")
    var checkConfig = false

    @Option(name: .long, help: "Write each bound address (unix:/path, http://host:port), one a line, to this file once listening.")
    var readyFile: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        // A parent may have started us with signals blocked (threads of Swift programs block
        // nearly all): SIGTERM/SIGINT must arrive for the graceful stop.
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        let parsed: DaemonConfig
        do { parsed = try DaemonConfig.load(file: config) } catch { throw StartFailure.configuration(error) }
        if checkConfig {
            if let file = parsed.tokensFile {
                do { try Tokens.load(file: file).check(vos: parsed.allVOs.map(\.name), file: file) } catch {
                    throw StartFailure.configuration(error)
                }
            }
            print("\(config): ok")
            return
        }
        var configured = Logger(label: "packmand")
        configured.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let logger = configured
        let daemon: PackManDaemon
        do { daemon = try await PackManDaemon.open(config: parsed) } catch {
            // The tokens file (its vos= against the configured VOs) is configuration: status 2.
            if case let .config(failure) = error { throw StartFailure.configuration(failure) }
            throw error
        }
        // Held connections need descriptors: the soft limit goes up to the hard one.
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            if limit.rlim_cur < limit.rlim_max {
                limit.rlim_cur = limit.rlim_max
                _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
                _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            }
            let listeners = (parsed.listen.unix == nil ? 0 : 1) + (parsed.listen.tcp == nil ? 0 : 1)
            let wanted = UInt64(listeners * parsed.listen.limits.maxConnections + 256)
            if UInt64(limit.rlim_cur) < wanted {
                logger.warning(
                    "descriptor limit \(limit.rlim_cur) is below \(wanted) (listen.max_connections per listener + 256): lower max_connections or raise LimitNOFILE"
                )
            }
        }
        if !daemon.resumed.isEmpty { logger.notice("resumed \(daemon.resumed.count) interrupted job(s): \(daemon.resumed.joined(separator: " "))") }
        let expected = (parsed.listen.unix == nil ? 0 : 1) + (parsed.listen.tcp == nil ? 0 : 1)
        let ready = ReadyFile(path: readyFile, expected: expected)
        let services = try daemon.services(logger: logger) { address in
            logger.notice("listening on \(address)")
            ready.add(address)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.notice("stopped")
    }
}

extension PackManD {
    /// The one place where a failure becomes output and an exit status: ArgumentParser's own
    /// errors (`ExitCode`, `CleanExit`, `ValidationError`, parser errors) go back to it; any
    /// other error is printed once as `packmand: …`, exit 2 for a configuration (or tokens
    /// file) that does not load, 1 for anything else (the area, the state database, a listener).
    static func main() async {
        let command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch {
            exit(withError: exitError(for: error))
        }
    }

    static func exitError(for error: any Error) -> any Error {
        switch error {
        case is ExitCode, is CleanExit, is ValidationError: return error
        case _ where String(reflecting: type(of: error)).hasPrefix("ArgumentParser."): return error
        default:
            FileHandle.standardError.write(Data("packmand: \(error)\n".utf8))
            return ExitCode((error as? StartFailure)?.status ?? 1)
        }
    }
}

/// A configuration or tokens file that does not load: exit status 2.
enum StartFailure: Error, CustomStringConvertible {
    case configuration(ConfigError)

    var status: Int32 { 2 }

    var description: String {
        switch self {
        case let .configuration(error): error.description
        }
    }
}

/// Collects the bound addresses and writes them once all listeners are up.
final class ReadyFile: Sendable {
    let path: String?
    let expected: Int
    private let addresses = Mutex<[String]>([])

    init(path: String?, expected: Int) {
        self.path = path
        self.expected = expected
    }

    func add(_ address: String) {
        addresses.withLock { addresses in
            addresses.append(address)
            guard let path, addresses.count == expected else { return }
            let text = addresses.sorted().joined(separator: "\n") + "\n"
            // Readers (scripts waiting for the daemon) see no file or a complete one.
            _ = try? AtomicFile.write(Array(text.utf8), to: path, flush: nil, syncDirectory: false)
        }
    }
}
