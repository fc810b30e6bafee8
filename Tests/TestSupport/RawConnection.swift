#if canImport(Glibc)
import Glibc
#endif
public import Foundation

/// A plain client socket (TCP to 127.0.0.1 or a unix socket) for tests of listeners under
/// connection abuse: send part of a request, hold the connection, wait for the server to close
/// it. Calls block: use them off the concurrency pool (``RawConnection/offThread(_:)``).
public final class RawConnection: @unchecked Sendable {
    public let descriptor: Int32
    private var closed = false

    private init(_ descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close() }

    /// Connects to 127.0.0.1:`port`.
    public static func tcp(port: Int) throws -> RawConnection {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 || finishInterruptedConnect(fd) else {
            let error = failure("connect 127.0.0.1:\(port)")
            Glibc.close(fd)
            throw error
        }
        return RawConnection(fd)
    }

    /// Connects to the unix socket at `path`.
    public static func unix(path: String) throws -> RawConnection {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(fd)
            throw RawConnectionError(description: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 || finishInterruptedConnect(fd) else {
            let error = failure("connect \(path)")
            Glibc.close(fd)
            throw error
        }
        return RawConnection(fd)
    }

    /// A connect interrupted by a signal (other suites' children end all the time) goes on in
    /// the kernel: wait for it and read its outcome.
    static func finishInterruptedConnect(_ fd: Int32) -> Bool {
        guard errno == EINTR else { return false }
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while poll(&entry, 1, 120_000) < 0 {
            guard errno == EINTR else { return false }
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return false }
        errno = error
        return error == 0
    }

    public func send(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { throw Self.failure("send") }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// Sends `text` to a server that may already have closed the connection (a test of a short
    /// header timeout, on a machine busy enough that the timeout passed before this send): a
    /// peer that is gone (EPIPE, ECONNRESET) is no error; the test reads the close next.
    public func sendUnlessClosed(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            if sent < 0, errno == EPIPE || errno == ECONNRESET { return }
            guard sent > 0 else { throw Self.failure("send") }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// Reads until the server closes the connection (end of file or reset), at most `limit`
    /// bytes; `hangCatcher` seconds without anything from the server throw (a test that hangs).
    public func readUntilClosed(limit: Int = 1 << 20, hangCatcher: Int = 120) throws -> Data {
        var timeout = timeval(tv_sec: hangCatcher, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16384)
        while data.count < limit {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
                continue
            }
            if count == 0 || errno == ECONNRESET { return data }
            if errno == EINTR { continue }  // another suite's child ended: not our answer
            throw Self.failure(errno == EAGAIN || errno == EWOULDBLOCK ? "nothing from the server for \(hangCatcher) s" : "recv")
        }
        return data
    }

    /// Reads one HTTP/1.1 response with a Content-Length body (the connection stays open).
    public func readResponse(hangCatcher: Int = 120) throws -> (status: Int, body: String) {
        var timeout = timeval(tv_sec: hangCatcher, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data = [UInt8]()
        var byte: UInt8 = 0
        while !data.ends(with: [13, 10, 13, 10]) {
            let count = recv(descriptor, &byte, 1, 0)
            if count < 0, errno == EINTR { continue }
            guard count == 1 else { throw Self.failure(count == 0 ? "closed before the response head" : "recv") }
            data.append(byte)
        }
        let head = String(decoding: data, as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        var body = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let count = body[filled...].withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw Self.failure("recv body") }
            filled += count
        }
        return (status, String(decoding: body, as: UTF8.self))
    }

    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
    }

    static func failure(_ what: String) -> RawConnectionError {
        RawConnectionError(description: "\(what): \(String(cString: strerror(errno)))")
    }

    /// Runs blocking socket work on a thread of its own (an in-process server needs the pool).
    public static func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}

public struct RawConnectionError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
