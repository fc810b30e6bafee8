import Foundation
import Testing
@testable import Forensics

/// Sent to real datagram sockets the test listens on: a UDP collector on 127.0.0.1 and a unix
/// socket standing in for /dev/log.
@Suite struct SyslogSenderTests {
    /// A bound datagram socket; `receive` waits (bounded by a generous hang catcher) for one message.
    final class Receiver {
        let descriptor: Int32
        var port: UInt16 = 0
        var path: String?

        init(unixPath: String? = nil) throws {
            if let unixPath {
                descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
                var address = sockaddr_un()
                address.sun_family = sa_family_t(AF_UNIX)
                withUnsafeMutableBytes(of: &address.sun_path) { raw in
                    raw.copyBytes(from: unixPath.utf8)
                    raw[unixPath.utf8.count] = 0
                }
                let bound = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
                try #require(bound == 0)
                path = unixPath
            } else {
                descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = 0
                let bound = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                try #require(bound == 0)
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                _ = withUnsafeMutablePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
                }
                port = UInt16(bigEndian: address.sin_port)
            }
            // A hang catcher only: the message was sent before receive is called.
            var timeout = timeval(tv_sec: 60, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(descriptor)
            if let path { unlink(path) }
        }

        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
        }
    }

    static let message = SyslogMessage(usage: UsageRecordTests.record(), host: "h", processID: 9)

    @Test func sendsOverUDPToACollector() throws {
        let receiver = try Receiver()
        try SyslogSender(destination: try .init(parsing: "udp://127.0.0.1:\(receiver.port)")).send(Self.message)
        #expect(receiver.receive() == String(decoding: Self.message.bytes, as: UTF8.self))
    }

    @Test func sendsToTheLocalSyslogSocket() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString.prefix(8))").path
        let receiver = try Receiver(unixPath: path)
        try SyslogSender(destination: try .init(parsing: path)).send(Self.message)
        #expect(receiver.receive() == String(decoding: Self.message.bytes, as: UTF8.self))
        withExtendedLifetime(receiver) {}
    }

    @Test func saysWhyAMessageCannotGoOut() throws {
        #expect(throws: SyslogError.self) { try SyslogSender.Destination(parsing: "tcp://x:1") }
        #expect(throws: SyslogError.self) { try SyslogSender.Destination(parsing: "udp://host") }
        #expect(throws: SyslogError.self) { try SyslogSender.Destination(parsing: "udp://:514x") }
        #expect(try SyslogSender.Destination(parsing: "udp://[::1]:514") == .udp(host: "::1", port: 514))
        #expect(throws: SyslogError.self) {
            try SyslogSender(destination: .unixSocket("/nonexistent/dev-log")).send(Self.message)
        }
    }
}
