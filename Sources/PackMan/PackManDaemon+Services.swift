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
                                        onServerRunning: { _ in
                                            // Anyone on the host may read; mutations need a token.
                                            chmod(path, 0o666)
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
        services.append(EngineService(engine: engine, grace: config.shutdownGrace))
        return services
    }
}

/// Runs until shutdown, then drains the job engine.
struct EngineService: Service {
    let engine: JobEngine
    let grace: Int

    func run() async throws {
        try? await gracefulShutdown()
        await engine.drain(grace: grace)
    }
}
