import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends syslog messages as datagrams: to the local syslog daemon's unix socket (`/dev/log`),
/// or over UDP to a collector (`udp://host:port`). Never blocks the caller for long (the socket
/// is non-blocking; a full socket buffer drops the message) — the usage record is already in
/// the database or the area's log, the syslog copy is for independent forensics.
public struct SyslogSender: Sendable {
    public enum Destination: Hashable, Sendable {
        case unixSocket(String)
        case udp(host: String, port: UInt16)

        /// `/dev/log` (or any absolute socket path), `udp://host:port`.
        public init(parsing text: String) throws(SyslogError) {
            if text.hasPrefix("/") {
                self = .unixSocket(text)
            } else if text.hasPrefix("udp://") {
                let rest = text.dropFirst("udp://".count)
                guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]), port > 0,
                    colon != rest.startIndex
                else {
                    throw .invalidDestination(text, reason: "expected udp://HOST:PORT")
                }
                self = .udp(host: String(rest[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
            } else {
                throw .invalidDestination(text, reason: "expected a socket path such as /dev/log, or udp://HOST:PORT")
            }
        }
    }

    public var destination: Destination

    public init(destination: Destination) {
        self.destination = destination
    }

    /// Sends one message; the error says why it could not go out.
    public func send(_ message: SyslogMessage) throws(SyslogError) {
        let bytes = message.bytes
        switch destination {
        case let .unixSocket(path):
            let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard descriptor >= 0 else { throw .send("\(path): cannot create a socket: \(Self.lastError)") }
            defer { close(descriptor) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard path.utf8.count < capacity else { throw .send("\(path): socket path longer than \(capacity - 1) bytes") }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: path.utf8)
                raw[path.utf8.count] = 0
            }
            let sent = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    bytes.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, socketAddress, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            }
            guard sent == bytes.count else { throw .send("\(path): \(sent < 0 ? Self.lastError : "sent \(sent) of \(bytes.count) bytes")") }
        case let .udp(host, port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
            hints.ai_flags = AI_NUMERICSERV
            var found: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &found)
            guard status == 0, let first = found else {
                throw .send("udp://\(host):\(port): cannot resolve: \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(found) }
            let descriptor = socket(first.pointee.ai_family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard descriptor >= 0 else { throw .send("udp://\(host):\(port): cannot create a socket: \(Self.lastError)") }
            defer { close(descriptor) }
            let sent = bytes.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, first.pointee.ai_addr, first.pointee.ai_addrlen) }
            guard sent == bytes.count else { throw .send("udp://\(host):\(port): \(sent < 0 ? Self.lastError : "sent \(sent) of \(bytes.count) bytes")") }
        }
    }

    static var lastError: String { String(cString: strerror(errno)) }
}

public enum SyslogError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidDestination(String, reason: String)
    case send(String)

    public var description: String {
        switch self {
        case let .invalidDestination(text, reason): "syslog destination '\(text)': \(reason)"
        case let .send(reason): "syslog: \(reason)"
        }
    }
}
