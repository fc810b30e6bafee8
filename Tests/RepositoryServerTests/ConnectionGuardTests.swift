import Foundation
import NIOEmbedded
import Testing
import TestSupport
@testable import RepositoryServer

/// The listener's connection cap and timeouts, with real sockets: a flood of half-sent headers
/// cannot keep a request out, slow heads and idle keep-alives are closed, and a listener whose
/// connections are all inside requests answers 503. Waits are for signals (the server closing a
/// connection, the registry's counters), with hang catchers only.
@Suite struct ConnectionGuardTests {
    static func start(_ root: URL, _ limits: ConnectionLimits) async throws -> (RepositoryServer, Int) {
        let server = RepositoryServer(configuration: .init(root: root.path, port: 0, limits: limits))
        return (server, try await server.start())
    }

    /// Polls `condition` (a counter the server moves) until it holds; the bound only catches a hang.
    static func waitFor(_ what: String, _ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<12_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("gave up waiting for \(what)")
    }

    static let halfHeader = "GET /metadata/timestamp.json HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"
    static let wholeRequest = "GET /metadata/timestamp.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    @Test func aFloodOfHalfHeadersCannotKeepARequestOut() async throws {
        let fixture = try RepositoryFixture(tarballSize: 100)
        defer { fixture.remove() }
        // Timeouts far away: only the cap can make room.
        let (server, port) = try await Self.start(fixture.root, ConnectionLimits(maxConnections: 40, headerTimeout: 3600, idleTimeout: 3600))
        defer { Task { await server.stop() } }
        let flood = try ConnectionFlood(target: "tcp:\(port)", count: 40 + 300, expectClosed: 300)
        defer { flood.stop() }
        let opened = try await RawConnection.offThread { flood.waitUntilOpened() }
        try #require(opened, "\(flood.output)")
        let registry = server.connections
        try await Self.waitFor("every flood connection admitted") { registry.count + registry.evictions == 340 }
        #expect(registry.count == 40)
        #expect(registry.evictions == 300)
        #expect(registry.refusals == 0)

        let answer = try await RawConnection.offThread {
            let connection = try RawConnection.tcp(port: port)
            try connection.send(Self.wholeRequest)
            return try connection.readResponse()
        }
        #expect(answer.status == 200)
        #expect(answer.body.contains("\"timestamp\""))
        // The evicted half-sent requests were closed by the server (the flood saw them end).
        let closed = try await RawConnection.offThread { flood.waitUntilClosed() }
        #expect((300...301).contains(closed ?? 0), "300 evicted by the flood, one by the request: \(flood.output)")
        #expect(registry.count <= 40)
    }

    @Test func slowRequestHeadsAreClosedAfterTheHeaderTimeout() async throws {
        let fixture = try RepositoryFixture(tarballSize: 100)
        defer { fixture.remove() }
        let (server, port) = try await Self.start(fixture.root, ConnectionLimits(maxConnections: 10, headerTimeout: 0.3, idleTimeout: 3600))
        defer { Task { await server.stop() } }
        // One says nothing, one sends half a head, one trickles a head that never ends.
        let received = try await RawConnection.offThread { () throws -> [Data] in
            let silent = try RawConnection.tcp(port: port)
            let half = try RawConnection.tcp(port: port)
            // The header timeout may pass before a send on a busy machine: the close is what counts.
            try half.sendUnlessClosed(Self.halfHeader)
            let trickle = try RawConnection.tcp(port: port)
            try trickle.sendUnlessClosed("GET / HTTP/1.1\r\n")
            try trickle.sendUnlessClosed("X-A: 1\r\n")
            return try [silent, half, trickle].map { try $0.readUntilClosed() }
        }
        #expect(received.allSatisfy { $0.isEmpty }, "closed without an answer: \(received.map(\.count))")
        let registry = server.connections
        try await Self.waitFor("the closed connections released") { registry.count == 0 }
        #expect(registry.evictions == 0)
    }

    @Test func idleKeepAlivesAreClosedAfterTheIdleTimeout() async throws {
        let fixture = try RepositoryFixture(tarballSize: 100)
        defer { fixture.remove() }
        let (server, port) = try await Self.start(fixture.root, ConnectionLimits(maxConnections: 10, headerTimeout: 3600, idleTimeout: 0.3))
        defer { Task { await server.stop() } }
        let (first, second, rest) = try await RawConnection.offThread { () throws -> (Int, Int, Data) in
            let connection = try RawConnection.tcp(port: port)
            // Kept alive: three requests on the same connection, pipelined in one write (a
            // second write after the first answer could come later than the idle timeout on a
            // busy machine, and find the connection rightly closed).
            try connection.send(Self.wholeRequest + Self.wholeRequest + Self.wholeRequest)
            let first = try connection.readResponse().status
            let second = try connection.readResponse().status
            let third = try connection.readResponse().status
            return (first, second == third ? second : -1, try connection.readUntilClosed())
        }
        #expect(first == 200 && second == 200)
        #expect(rest.isEmpty, "closed after the idle timeout without more bytes")
    }

    @Test func aListenerFullOfRequestsAnswers503() async throws {
        let fixture = try RepositoryFixture(tarballSize: 100)
        defer { fixture.remove() }
        // A big sparse file whose unread responses keep two requests in progress.
        let path = "targets/slc9_x86-64/Big/00ff.Big-1-1.slc9_x86-64.tar.gz"
        let file = fixture.root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        #expect(truncate(file.path, 1 << 30) == 0)
        let (server, port) = try await Self.start(fixture.root, ConnectionLimits(maxConnections: 2, headerTimeout: 3600, idleTimeout: 3600))
        defer { Task { await server.stop() } }
        let busy = try await RawConnection.offThread {
            try (0..<2).map { _ in
                let connection = try RawConnection.tcp(port: port)
                try connection.send("GET /\(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                return connection
            }
        }
        let registry = server.connections
        try await Self.waitFor("both requests in progress") { registry.count == 2 && registry.waitingCount == 0 }
        let refused = try await RawConnection.offThread { try RawConnection.tcp(port: port).readUntilClosed() }
        let text = String(decoding: refused, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 503"), "\(text)")
        #expect(text.contains("too many connections"))
        #expect(registry.refusals == 1)
        for connection in busy { connection.close() }
        try await Self.waitFor("the busy connections released") { registry.count == 0 }
        let answer = try await RawConnection.offThread {
            let connection = try RawConnection.tcp(port: port)
            try connection.send(Self.wholeRequest)
            return try connection.readResponse().status
        }
        #expect(answer == 200)
    }

    /// The registry alone: the longest-waiting connection goes first; one inside a request never.
    @Test func theRegistryEvictsTheLongestWaiting() throws {
        let registry = ConnectionRegistry(maxConnections: 2)
        let (a, b, c, d) = (EmbeddedChannel(), EmbeddedChannel(), EmbeddedChannel(), EmbeddedChannel())
        func admit(_ channel: EmbeddedChannel) -> (UInt64, [ObjectIdentifier])? {
            guard case let .admitted(id, evict) = registry.admit(channel) else { return nil }
            return (id, evict.map { ObjectIdentifier($0) })
        }
        let first = try #require(admit(a))
        #expect(first.1.isEmpty)
        let second = try #require(admit(b))
        #expect(second.1.isEmpty)
        registry.requestStarted(first.0)
        // Full: b waits, a is inside a request.
        let third = try #require(admit(c))
        #expect(third.1 == [ObjectIdentifier(b)])
        registry.requestStarted(third.0)
        guard case .refused = registry.admit(d) else { Issue.record("a full registry of requests must refuse"); return }
        // a answered and waits for its next request: it is the one to go now.
        registry.requestFinished(first.0)
        let fourth = try #require(admit(d))
        #expect(fourth.1 == [ObjectIdentifier(a)])
        #expect(registry.count == 2 && registry.evictions == 2 && registry.refusals == 1)
        registry.closed(third.0)
        registry.closed(fourth.0)
        #expect(registry.count == 0)
        #expect(ConnectionRegistry(maxConnections: 0).maxConnections == 1)
        #expect(ConnectionLimits().maxConnections == 1024 && ConnectionLimits().headerTimeout == 10 && ConnectionLimits().idleTimeout == 60)
    }
}
