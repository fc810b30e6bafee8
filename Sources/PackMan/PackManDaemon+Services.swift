import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

extension PackManDaemon {
    /// The services of a running daemon: one HTTP server per listen address, then the job engine.
    /// ServiceGroup stops them in reverse order on SIGTERM/SIGINT: the engine first (no new
    /// jobs, running installs get `shutdown_grace` seconds to finish their packages, waiting
    /// requests are answered), then the servers (stop accepting, finish open requests).
    /// `onListening` gets each bound address (`unix:/path` or `http://127.0.0.1:PORT`).
    public func services(logger: Logger, onListening: @escaping @Sendable (String) -> Void = { _ in }) -> [any Service] {
        var services: [any Service] = []
        if let path = config.listen.unix {
            unlink(path)
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            services.append(Application(router: router(), configuration: .init(address: .unixDomainSocket(path: path), serverName: "packmand"),
                                        onServerRunning: { [endpointFile] _ in
                                            // Anyone on the host may read; mutations need a token.
                                            chmod(path, 0o666)
                                            // `alien-install install --area` finds the daemon here.
                                            let text = "{\"endpoint\":\"unix:\(path)\"}\n"
                                            if FileManager.default.createFile(atPath: endpointFile + ".tmp", contents: Data(text.utf8)) {
                                                rename(endpointFile + ".tmp", endpointFile)
                                            }
                                            onListening("unix:\(path)")
                                        }, logger: logger))
        }
        if let tcp = config.listen.tcp {
            services.append(Application(router: router(), configuration: .init(address: .hostname(tcp.host, port: tcp.port), serverName: "packmand"),
                                        onServerRunning: { channel in
                                            let port = channel.localAddress?.port ?? tcp.port
                                            let host = tcp.host.contains(":") ? "[\(tcp.host)]" : tcp.host
                                            onListening("http://\(host):\(port)")
                                        }, logger: logger))
        }
        if let notifier = notifier() { services.append(NotificationService(daemon: self, notifier: notifier, interval: 60)) }
        services.append(EngineService(engine: engine, grace: config.shutdownGrace, endpointFile: config.listen.unix == nil ? nil : endpointFile))
        return services
    }
}

/// Runs until shutdown, then drains the job engine.
struct EngineService: Service {
    let engine: JobEngine
    let grace: Int
    let endpointFile: String?

    func run() async throws {
        try? await gracefulShutdown()
        if let endpointFile { unlink(endpointFile) }
        await engine.drain(grace: grace)
    }
}

extension PackManDaemon {
    /// `<area>/.alien/packmand.json`: `{"endpoint": "unix:/path"}` while the daemon listens on a socket.
    public var endpointFile: String { "\(area.layout.state)/packmand.json" }
}
