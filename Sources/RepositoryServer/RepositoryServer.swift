import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// Serves a TUF repository directory read-only over HTTP/1.1 (Hummingbird 2): GET and HEAD,
/// single byte ranges, strong ETags with If-None-Match / If-Modified-Since / If-Range, and the
/// Cache-Control rules of ``CachePolicy``. See ``FileResponder`` for the request handling and
/// ``RepositoryRoot`` for how paths are confined to the root.
///
/// Lifecycle: ``start()`` binds and returns the port once connections are accepted; ``stop()``
/// shuts down gracefully (in-flight responses finish) and returns when the server is gone;
/// ``waitUntilStopped()`` returns when it stops for any reason, including SIGINT/SIGTERM when
/// the server was made with `handleSignals: true`.
public actor RepositoryServer {
    public struct Configuration: Sendable {
        public var root: String
        public var host: String
        /// 0 picks a free port; ``start()`` returns the real one.
        public var port: Int
        /// Shut down gracefully on SIGINT and SIGTERM (for the CLI; tests leave it off).
        public var handleSignals: Bool
        /// Connection cap, request-head and idle timeouts of the listener.
        public var limits: ConnectionLimits

        public init(
            root: String, host: String = "127.0.0.1", port: Int = 8080, handleSignals: Bool = false,
            limits: ConnectionLimits = ConnectionLimits()
        ) {
            self.root = root
            self.host = host
            self.port = port
            self.handleSignals = handleSignals
            self.limits = limits
        }
    }

    private enum State {
        case idle
        case starting(CheckedContinuation<Int, any Error>)
        case running(port: Int)
        case stopped(Result<Void, any Error>)
    }

    public let configuration: Configuration
    private let logger: Logger
    private let accessLog: @Sendable (AccessLogEntry) -> Void
    private var state = State.idle
    private var group: ServiceGroup?
    private var task: Task<Void, Never>?
    private var stopWaiters: [CheckedContinuation<Void, any Error>] = []
    /// The listener's connections (count, evictions, refusals).
    public nonisolated let connections: ConnectionRegistry

    /// - Parameters:
    ///   - logger: Hummingbird's and the access log's logger (an `info` line per request).
    ///   - accessLog: also called once per request, after the response is built.
    public init(
        configuration: Configuration, logger: Logger = Logger(label: "alien-install.serve"),
        accessLog: @escaping @Sendable (AccessLogEntry) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.accessLog = accessLog
        self.connections = ConnectionRegistry(maxConnections: configuration.limits.maxConnections)
    }

    /// Opens the root and listens; returns the bound port once the server accepts connections.
    public func start() async throws -> Int {
        guard case .idle = state else { throw RepositoryServerError.alreadyStarted }
        let root = try RepositoryRoot(path: configuration.root)
        let address = "\(configuration.host):\(configuration.port)"
        let application = Application(
            responder: FileResponder(root: root, accessLog: accessLog),
            server: .http1(configuration: configuration.limits.http1Configuration(registry: connections)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [weak self] channel in
                await self?.didStart(port: channel.localAddress?.port ?? 0)
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [application],
                gracefulShutdownSignals: configuration.handleSignals ? [.sigterm, .sigint] : [],
                logger: logger))
        self.group = group
        return try await withCheckedThrowingContinuation { continuation in
            state = .starting(continuation)
            task = Task {
                let result: Result<Void, any Error>
                do {
                    try await group.run()
                    result = .success(())
                } catch {
                    result = .failure(RepositoryServerError.bindFailed(address: address, reason: String(describing: error)))
                }
                self.didStop(result)
            }
        }
    }

    /// Graceful shutdown; returns once the server has stopped. Idempotent.
    public func stop() async {
        guard let group else { return }
        await group.triggerGracefulShutdown()
        await task?.value
    }

    /// Returns when the server has stopped (after ``stop()`` or a signal); throws what made it fail.
    public func waitUntilStopped() async throws {
        switch state {
        case let .stopped(result): return try result.get()
        case .idle: return
        case .starting, .running:
            try await withCheckedThrowingContinuation { stopWaiters.append($0) }
        }
    }

    /// The bound port while running.
    public var port: Int? {
        if case let .running(port) = state { return port }
        return nil
    }

    private func didStart(port: Int) {
        guard case let .starting(continuation) = state else { return }
        state = .running(port: port)
        continuation.resume(returning: port)
    }

    private func didStop(_ result: Result<Void, any Error>) {
        if case let .starting(continuation) = state {
            switch result {
            case let .failure(error): continuation.resume(throwing: error)
            case .success:
                continuation.resume(
                    throwing: RepositoryServerError.bindFailed(
                        address: "\(configuration.host):\(configuration.port)", reason: "stopped before listening"))
            }
        }
        state = .stopped(result)
        for waiter in stopWaiters { waiter.resume(with: result) }
        stopWaiters = []
    }
}
