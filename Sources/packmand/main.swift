import ArgumentParser
import Basics
import Foundation
import Logging
import PackMan
import ServiceLifecycle
import Synchronization

/// packmand: the site's PackMan daemon (docs/packmand.md, docs/api.md).
@main
struct PackManD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "packmand",
        abstract: "The site's PackMan daemon: installs what jobs ask for over a JSON API (/v1), keeps the area healthy.",
        discussion: """
            Reads a YAML configuration (docs/packmand.md): the software area, architecture, repository and \
            mirrors, trusted root, listen addresses (a unix socket and/or loopback TCP), the tokens file, \
            the disk budget. On start it sweeps stage directories of killed installers and resumes jobs a \
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
        do { parsed = try DaemonConfig.load(file: config) } catch {
            FileHandle.standardError.write(Data("packmand: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if checkConfig {
            if let file = parsed.tokensFile {
                do { _ = try Tokens.load(file: file) } catch {
                    FileHandle.standardError.write(Data("packmand: \(error)\n".utf8))
                    throw ExitCode(2)
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
            FileHandle.standardError.write(Data("packmand: \(error)\n".utf8))
            throw ExitCode(1)
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
                logger.warning("descriptor limit \(limit.rlim_cur) is below \(wanted) (listen.max_connections per listener + 256): lower max_connections or raise LimitNOFILE")
            }
        }
        if !daemon.resumed.isEmpty { logger.notice("resumed \(daemon.resumed.count) interrupted job(s): \(daemon.resumed.joined(separator: " "))") }
        let expected = (parsed.listen.unix == nil ? 0 : 1) + (parsed.listen.tcp == nil ? 0 : 1)
        let ready = ReadyFile(path: readyFile, expected: expected)
        let services = try daemon.services(logger: logger) { address in
            logger.notice("listening on \(address)")
            ready.add(address)
        }
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
        logger.notice("stopped")
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
