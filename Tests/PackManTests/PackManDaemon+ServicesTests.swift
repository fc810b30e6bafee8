import Foundation
import Logging
import PackMan
import PackManAPI
import RepositoryServer
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

/// packmand's listeners with real sockets (unix and TCP, in this process): a flood of connections
/// that send half a header cannot keep /v1/health or an admin out on either listener, and a
/// connection that never completes its head is closed after `listen.header_timeout`.
@Suite struct PackManDaemonServicesTests {
    /// The daemon's services running in a ServiceGroup until `stop()`.
    final class Running: Sendable {
        let daemon: PackManDaemon
        let group: ServiceGroup
        let task: Task<Void, Never>
        let tcpPort: Int
        let socket: String

        init(_ daemon: PackManDaemon) async throws {
            self.daemon = daemon
            let addresses = Mutex<[String]>([])
            let services = try daemon.services(logger: Logger(label: "packmand-test")) { address in addresses.withLock { $0.append(address) } }
            let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: Logger(label: "packmand-test")))
            self.group = group
            task = Task { try? await group.run() }
            try await PackManDaemonServicesTests.waitFor("both listeners") { addresses.withLock { $0.count } == 2 }
            let tcp = try #require(addresses.withLock { $0 }.first { $0.hasPrefix("http://") })
            tcpPort = try #require(Int(tcp.split(separator: ":").last ?? ""))
            socket = try #require(daemon.config.listen.unix)
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            await task.value
        }
    }

    static func waitFor(_ what: String, _ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<12_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("gave up waiting for \(what)")
    }

    static let halfHeader = "GET /v1/health HTTP/1.1\r\nHost: packmand\r\nUser-Agent: never-finishes"

    @Test func healthAndAdminAnswerThroughAFloodOfHalfHeaders() async throws {
        let fixture = try PackManFixture("flood")
        defer { fixture.cleanUp() }
        var config = fixture.config()
        config.listen.tcp = ("127.0.0.1", 0)
        // Timeouts far away: only the cap makes room.
        config.listen.limits = ConnectionLimits(maxConnections: 30, headerTimeout: 3600, idleTimeout: 3600)
        let running = try await Running(try await fixture.daemon(config))
        let (port, socket) = (running.tcpPort, running.socket)
        // The flood in processes of their own (the test process keeps few descriptors).
        let floods = try [
            ConnectionFlood(target: "tcp:\(port)", count: 330, expectClosed: 300),
            ConnectionFlood(target: "unix:\(socket)", count: 330, expectClosed: 300)
        ]
        defer { for flood in floods { flood.stop() } }
        let opened = try await RawConnection.offThread { floods.map { $0.waitUntilOpened() } }
        try #require(opened == [true, true], "\(floods.map(\.output))")
        let flood = 330
        let (tcpRegistry, unixRegistry) = (running.daemon.tcpConnections, running.daemon.unixConnections)
        try await Self.waitFor("every flood connection admitted") {
            tcpRegistry.count + tcpRegistry.evictions == flood && unixRegistry.count + unixRegistry.evictions == flood
        }
        #expect(tcpRegistry.count == 30 && unixRegistry.count == 30)

        let answers = try await RawConnection.offThread { () throws -> [String] in
            var answers: [String] = []
            for endpoint in ["http://127.0.0.1:\(port)", "unix:\(socket)"] {
                let admin = try PackManClient(endpoint: endpoint, token: PackManFixture.adminToken)
                answers.append(try admin.health().status)
                // An admin mutation and a read of its audit entry.
                answers.append("\(try admin.releaseLease(LeaseRequest(holder: "flood-check")).count) leases left")
                answers.append(try admin.audit(limit: 1).last?.action ?? "")
            }
            return answers
        }
        #expect(answers == ["ok", "0 leases left", "release", "ok", "0 leases left", "release"])
        let closed = try await RawConnection.offThread { floods.map { $0.waitUntilClosed() } }
        // 300 evicted by the flood itself, and one more by each admin connection (three a listener).
        #expect(closed.allSatisfy { (300...303).contains($0 ?? 0) }, "the evicted connections were closed: \(floods.map(\.output))")
        for flood in floods { flood.stop() }
        try await Self.waitFor("the flood released") { tcpRegistry.count == 0 && unixRegistry.count == 0 }
        await running.stop()
    }

    @Test func aHeadThatNeverEndsIsClosedOnBothListeners() async throws {
        let fixture = try PackManFixture("header-timeout")
        defer { fixture.cleanUp() }
        var config = fixture.config()
        config.listen.tcp = ("127.0.0.1", 0)
        config.listen.limits = ConnectionLimits(maxConnections: 8, headerTimeout: 0.3, idleTimeout: 3600)
        let running = try await Running(try await fixture.daemon(config))
        let (port, socket) = (running.tcpPort, running.socket)
        let received = try await RawConnection.offThread { () throws -> [Data] in
            let tcp = try RawConnection.tcp(port: port), unix = try RawConnection.unix(path: socket)
            // The header timeout may pass before a send on a busy machine (a unix socket then
            // refuses the send): the close is what counts.
            try tcp.sendUnlessClosed(Self.halfHeader)
            try unix.sendUnlessClosed(Self.halfHeader)
            return try [tcp, unix].map { try $0.readUntilClosed() }
        }
        #expect(received.allSatisfy { $0.isEmpty }, "closed unanswered: \(received.map(\.count))")
        await running.stop()
    }

    /// Every thread of Swift's cooperative pool held by blocking work elsewhere in the process
    /// (as a test harness waiting for its children does): the daemon still answers on both
    /// listeners, because its connections run on threads of its own.
    @Test func answersWhileTheCooperativePoolIsHeld() async throws {
        let fixture = try PackManFixture("pool-held")
        defer { fixture.cleanUp() }
        var config = fixture.config()
        config.listen.tcp = ("127.0.0.1", 0)
        let running = try await Running(try await fixture.daemon(config))
        let (port, socket) = (running.tcpPort, running.socket)
        let answers = try await CooperativePool.whileHeld { () throws -> [String] in
            try ["http://127.0.0.1:\(port)", "unix:\(socket)"].map { endpoint in
                try PackManClient(endpoint: endpoint, token: PackManFixture.adminToken).health().status
            }
        }
        #expect(answers == ["ok", "ok"])
        await running.stop()
    }
}
