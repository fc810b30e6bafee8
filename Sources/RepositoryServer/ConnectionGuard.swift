import Hummingbird
public import HummingbirdCore
public import NIOCore
import NIOHTTPTypes
import Synchronization

/// What one listener tolerates from its clients: how many connections it holds at once, how
/// long a client may take to send a complete request head, and how long a kept-alive connection
/// may sit between requests. Used by `alien-install serve` and by packmand (one set per listener).
public struct ConnectionLimits: Sendable, Hashable {
    /// Connections held at once. When full, a new connection closes the connection that has
    /// waited longest for a request head (a half-sent header, or an idle keep-alive); when every
    /// connection is inside a request, the new one is answered 503 and closed.
    public var maxConnections: Int
    /// Seconds from accepting a connection to its complete request head.
    public var headerTimeout: Double
    /// Seconds a connection may wait for its next request, or between two parts of a request body.
    public var idleTimeout: Double

    public init(maxConnections: Int = 1024, headerTimeout: Double = 10, idleTimeout: Double = 60) {
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
    }

    /// Hummingbird's HTTP/1 channel with these limits: the connection guard after the HTTP
    /// decoder, Hummingbird's own idle timeout for stalled bodies.
    public func http1Configuration(registry: ConnectionRegistry) -> HTTP1Channel.Configuration {
        let limits = self
        return HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuardHandler(registry: registry, limits: limits)],
            idleTimeout: Self.timeAmount(idleTimeout))
    }

    static func timeAmount(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(max(seconds, 0.001) * 1e9)) }
}

/// The connections of one listener, shared by the handlers of its connections (which run on
/// several event loops): admits a new connection, picks the one to evict when full.
public final class ConnectionRegistry: Sendable {
    /// What `admit` decided.
    public enum Admission: Sendable {
        /// Admitted with this id; close these (the longest-waiting connections) to make room.
        case admitted(id: UInt64, evict: [any Channel])
        /// Full of connections inside requests.
        case refused
    }

    struct Entry {
        var channel: any Channel
        /// Waiting for a request head (evictable), and since which wait (queue generation).
        var waiting: Bool
        var generation: UInt64
    }

    struct State {
        var entries: [UInt64: Entry] = [:]
        /// (id, generation) in the order connections started waiting; stale pairs are skipped.
        var queue: [(id: UInt64, generation: UInt64)] = []
        var queueStart = 0
        var nextID: UInt64 = 1
        var nextGeneration: UInt64 = 1
        var evicted = 0
        var refused = 0
    }

    public let maxConnections: Int
    private let state = Mutex(State())

    public init(maxConnections: Int) {
        self.maxConnections = max(1, maxConnections)
    }

    /// Connections held now, and how many of them wait for a request head.
    public var count: Int { state.withLock { $0.entries.count } }
    public var waitingCount: Int { state.withLock { $0.entries.values.filter(\.waiting).count } }
    /// Connections closed to make room, and connections refused, since the start.
    public var evictions: Int { state.withLock { $0.evicted } }
    public var refusals: Int { state.withLock { $0.refused } }

    /// A new connection (waiting for its first request head).
    public func admit(_ channel: any Channel) -> Admission {
        state.withLock { state in
            var evict: [any Channel] = []
            while state.entries.count >= maxConnections {
                guard let victim = Self.oldestWaiting(&state) else {
                    state.refused += 1
                    return .refused
                }
                evict.append(victim.channel)
                state.entries[victim.id] = nil
                state.evicted += 1
            }
            let id = state.nextID
            state.nextID += 1
            state.entries[id] = Entry(channel: channel, waiting: false, generation: 0)
            Self.setWaiting(&state, id)
            return .admitted(id: id, evict: evict)
        }
    }

    /// The connection read a request head: it is no longer evictable.
    public func requestStarted(_ id: UInt64) {
        state.withLock { state in state.entries[id]?.waiting = false }
    }

    /// The connection answered its requests and waits for the next one.
    public func requestFinished(_ id: UInt64) {
        state.withLock { state in
            guard state.entries[id] != nil else { return }
            Self.setWaiting(&state, id)
        }
    }

    public func closed(_ id: UInt64) {
        state.withLock { state in
            state.entries[id] = nil
            if state.entries.isEmpty {
                state.queue.removeAll()
                state.queueStart = 0
            }
        }
    }

    private static func setWaiting(_ state: inout State, _ id: UInt64) {
        let generation = state.nextGeneration
        state.nextGeneration += 1
        state.entries[id]?.waiting = true
        state.entries[id]?.generation = generation
        state.queue.append((id, generation))
        // Drop consumed and stale pairs now and then (the queue stays O(connections)).
        if state.queue.count > 64, state.queue.count > 4 * max(state.entries.count, 1) {
            state.queue = state.queue[state.queueStart...].filter { pair in
                guard let entry = state.entries[pair.id] else { return false }
                return entry.waiting && entry.generation == pair.generation
            }
            state.queueStart = 0
        }
    }

    private static func oldestWaiting(_ state: inout State) -> (id: UInt64, channel: any Channel)? {
        while state.queueStart < state.queue.count {
            let pair = state.queue[state.queueStart]
            state.queueStart += 1
            if let entry = state.entries[pair.id], entry.waiting, entry.generation == pair.generation {
                return (pair.id, entry.channel)
            }
        }
        return nil
    }
}

/// One connection's guard, after the HTTP decoder: registers the connection (closing the
/// longest-waiting ones when the listener is full, or answering 503 when nothing can go), closes
/// it when its request head does not arrive within `headerTimeout` of the accept, or its next
/// request within `idleTimeout` of the last answer.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let registry: ConnectionRegistry
    let limits: ConnectionLimits
    private var id: UInt64?
    private var refused = false
    private var timer: Scheduled<Void>?
    /// Request heads read and not answered yet (more than one when a client pipelines).
    private var inFlight = 0

    init(registry: ConnectionRegistry, limits: ConnectionLimits) {
        self.registry = registry
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }
        if case .head = unwrapInboundIn(data) {
            inFlight += 1
            timer?.cancel()
            timer = nil
            if let id { registry.requestStarted(id) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), let id, !refused {
            inFlight = max(0, inFlight - 1)
            if inFlight == 0 {
                registry.requestFinished(id)
                arm(context, seconds: limits.idleTimeout)
            }
        }
        context.write(data, promise: promise)
    }

    private func register(_ context: ChannelHandlerContext) {
        guard id == nil, !refused else { return }
        switch registry.admit(context.channel) {
        case let .admitted(id, evict):
            self.id = id
            for channel in evict { channel.close(promise: nil) }
            arm(context, seconds: limits.headerTimeout)
        case .refused:
            refused = true
            let body = ByteBuffer(string: "{\"error\":\"too many connections; try again later\"}\n")
            let head = HTTPResponse(
                status: .serviceUnavailable,
                headerFields: [
                    .contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close"
                ])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    private func arm(_ context: ChannelHandlerContext, seconds: Double) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: ConnectionLimits.timeAmount(seconds)) { [weak self] in
            self?.timer = nil
            context.close(promise: nil)
        }
    }

    private func release() {
        timer?.cancel()
        timer = nil
        if let id { registry.closed(id) }
        id = nil
    }
}

@available(*, unavailable)
extension ConnectionGuardHandler: Sendable {}
