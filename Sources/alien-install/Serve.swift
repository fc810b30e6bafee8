import ArgumentParser
import Foundation
import Logging
import RepositoryServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a TUF repository directory read-only over HTTP.",
        discussion: """
            Serves DIR (a repository: metadata/ and targets/) with GET and HEAD only: byte \
            ranges, strong ETags (If-None-Match, If-Modified-Since, If-Range), no directory \
            listings, no symbolic links, no hidden files. Every file is sent with \
            'Cache-Control: public, max-age=31536000, immutable' except timestamp.json, which gets \
            'max-age=61' so that site caches (Squid) pick up a new publish within a minute. \
            installer/nginx/alien-repo.conf applies the same rules in nginx for production.

            Prints the URL it listens on (with --port 0 the port the system chose), then one \
            access-log line per request unless --quiet. Stops cleanly on SIGINT or SIGTERM.

            At most --max-connections connections are held: when full, a new connection closes             the one that has waited longest for a request (a half-sent header or an idle             keep-alive); when all are inside requests it is answered 503. A request head must             arrive within --header-timeout seconds, the next request of a kept-alive connection             within --idle-timeout seconds.
            """)

    @Argument(help: "The repository directory to serve.", completion: .directory)
    var directory: String

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The TCP port; 0 picks a free one.")
    var port = 8080

    @Flag(help: "Do not print a line per request.")
    var quiet = false

    @Option(help: "Connections held at once.")
    var maxConnections = 1024

    @Option(help: "Seconds a client has to send a complete request head.")
    var headerTimeout: Double = 10

    @Option(help: "Seconds a kept-alive connection may wait for its next request.")
    var idleTimeout: Double = 60

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
        guard (1...1_000_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 1...1000000, got \(maxConnections)") }
        for (name, value) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout)] where !(0.1...86400).contains(value) {
            throw ValidationError("\(name) must be 0.1...86400 seconds, got \(value)")
        }
    }

    func run() async throws {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        var logger = Logger(label: "alien-install.serve")
        logger.logLevel = .warning
        let quiet = self.quiet
        let server = RepositoryServer(
            configuration: .init(
                root: root, host: host, port: port, handleSignals: true,
                limits: ConnectionLimits(maxConnections: maxConnections, headerTimeout: headerTimeout, idleTimeout: idleTimeout)),
            logger: logger,
            accessLog: { entry in if !quiet { Output.write("\(entry)\n") } })
        let bound: Int
        do {
            bound = try await server.start()
        } catch {
            throw Output.fail(String(describing: error))
        }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        Output.write("Serving \(root) at http://\(shownHost):\(bound)/\n")
        do {
            try await server.waitUntilStopped()
        } catch {
            throw Output.fail(String(describing: error))
        }
    }
}
