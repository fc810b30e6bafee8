import Basics
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
import PackManAPI
import RepositoryServer
public import ServiceLifecycle
import SoftwareArea

extension PackManDaemon {
    /// The services of a running daemon: one HTTP server per listen address (each with the
    /// connection cap and timeouts of `listen`), then the job engine.
    /// ServiceGroup stops them in reverse order on SIGTERM/SIGINT: the engine first (no new
    /// jobs, running installs get `shutdown_grace` seconds to finish their packages, waiting
    /// requests are answered), then the servers (stop accepting, finish open requests).
    /// `onListening` gets each bound address (`unix:/path` or `http://127.0.0.1:PORT`).
    public func services(logger: Logger, onListening: @escaping @Sendable (String) -> Void = { _ in }) throws(DaemonError) -> [any Service] {
        var services: [any Service] = []
        if let path = config.listen.unix {
            unlink(path)
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let limits = config.listen.limits
            services.append(
                OnRequestThreads(
                    Application(
                        router: router(), server: .http1(configuration: limits.http1Configuration(registry: unixConnections)),
                        configuration: .init(address: .unixDomainSocket(path: path), serverName: "packmand"),
                        onServerRunning: { [endpointFile] _ in
                            // Anyone on the host may read; mutations need a token.
                            chmod(path, 0o666)
                            // `alien-install install --area` finds the daemon here.
                            let file = PackManEndpointFile(endpoint: "unix:\(path)")
                            _ = try? AtomicFile.write(file.jsonBytes, to: endpointFile, flush: nil, syncDirectory: false)
                            onListening("unix:\(path)")
                        }, logger: logger)))
        }
        if let tcp = config.listen.tcp {
            let server: HTTPServerBuilder
            let scheme: String
            let http1 = config.listen.limits.http1Configuration(registry: tcpConnections)
            if let tls = config.listen.tls {
                do { server = try .tls(.http1(configuration: http1), tlsConfiguration: try Self.tlsConfiguration(tls)) } catch {
                    throw .config(ConfigError(file: config.file, line: nil, key: "listen.tls", message: "\(error)"))
                }
                scheme = "https"
            } else {
                server = .http1(configuration: http1)
                scheme = "http"
            }
            services.append(
                OnRequestThreads(
                    Application(
                        router: router(), server: server,
                        configuration: .init(address: .hostname(tcp.host, port: tcp.port), serverName: "packmand"),
                        onServerRunning: { channel in
                            let port = channel.localAddress?.port ?? tcp.port
                            let host = tcp.host.contains(":") ? "[\(tcp.host)]" : tcp.host
                            onListening("\(scheme)://\(host):\(port)")
                        }, logger: logger)))
        }
        if let notifier = notifier() { services.append(NotificationService(daemon: self, notifier: notifier, interval: 60)) }
        if config.seeding.enabled || config.download.via != .http {
            // Seeds (when enabled) and, either way, shuts the shared BitTorrent session down.
            services.append(SeedingService(seeder: seeder, metrics: metrics, interval: config.seeding.rescan, logger: logger))
        }
        services.append(HistoryService(daemon: self, interval: 300))
        services.append(RevocationService(daemon: self, interval: config.revocationRefresh, logger: logger))
        services.append(EngineService(engines: sites.map(\.engine), grace: config.shutdownGrace, endpointFile: config.listen.unix == nil ? nil : endpointFile))
        return services
    }
}

extension PackManDaemon {
    /// The server side of `listen.tls`: certificate chain and key; with `client_ca`, clients must
    /// present a certificate signed by one of the CA certificates (a PEM file, or every `*.pem`,
    /// `*.crt`, `*.0` file of a directory such as /etc/grid-security/certificates).
    static func tlsConfiguration(_ tls: DaemonConfig.TLS) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        if let clientCA = tls.clientCA {
            var isDirectory: ObjCBool = false
            var files = [clientCA]
            if FileManager.default.fileExists(atPath: clientCA, isDirectory: &isDirectory), isDirectory.boolValue {
                files = ((try? FileManager.default.contentsOfDirectory(atPath: clientCA)) ?? []).sorted()
                    .filter { $0.hasSuffix(".pem") || $0.hasSuffix(".crt") || $0.hasSuffix(".0") }.map { "\(clientCA)/\($0)" }
            }
            var authorities: [NIOSSLCertificate] = []
            for file in files { authorities += (try? NIOSSLCertificate.fromPEMFile(file)) ?? [] }
            guard !authorities.isEmpty else {
                throw ConfigError(file: clientCA, line: nil, key: "listen.tls.client_ca", message: "no PEM CA certificate found")
            }
            configuration.trustRoots = .certificates(authorities)
            configuration.certificateVerification = .noHostnameVerification
        }
        return configuration
    }
}

/// Runs a listener with every connection's task on packmand's request threads
/// (`ThreadExecutor.requests`; child tasks inherit the preference) instead of Swift's
/// cooperative pool: the daemon answers even while something else in its process holds the
/// pool's threads (a test harness waiting for children, a blocking library call).
struct OnRequestThreads<Base: Service>: Service {
    let base: Base
    init(_ base: Base) { self.base = base }

    func run() async throws {
        try await withTaskExecutorPreference(ThreadExecutor.requests) { try await base.run() }
    }
}

/// Samples the disk use for the status page, imports the area's usage log and prunes old usage
/// records (`usage.retention_days`, `usage.max_rows`) every `interval` seconds until shutdown.
struct HistoryService: Service {
    let daemon: PackManDaemon
    let interval: Int

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await offload {
                    daemon.sampleDiskUse()
                    daemon.importAreaUsage()
                    daemon.pruneUsage()
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }
}

/// Runs until shutdown, then drains the job engines (one per VO, at once).
struct EngineService: Service {
    let engines: [JobEngine]
    let grace: Int
    let endpointFile: String?

    func run() async throws {
        try? await gracefulShutdown()
        if let endpointFile { unlink(endpointFile) }
        await withTaskGroup(of: Void.self) { group in
            for engine in engines { group.addTask { await engine.drain(grace: grace) } }
        }
    }
}

extension PackManDaemon {
    /// `<area>/.alien/packmand.json`: `{"endpoint": "unix:/path"}` while the daemon listens on a socket.
    public var endpointFile: String { PackManEndpointFile.path(area: area.layout.root) }
}
