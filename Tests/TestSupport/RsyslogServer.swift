#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Basics
public import Foundation

/// Why a test rsyslogd could not start.
public enum RsyslogServerError: Error, CustomStringConvertible {
    case notInstalled
    case startFailed(String)

    public var description: String {
        switch self {
        case .notInstalled: "rsyslogd is not installed: run make deps"
        case let .startFailed(reason): "rsyslogd did not start: \(reason)"
        }
    }
}

/// A real rsyslogd (Debian rsyslog) receiving RFC 5424 messages over UDP on 127.0.0.1 (a free
/// port), as a site's collector would, and writing what it parsed of each — MSGID, APP-NAME,
/// HOSTNAME, STRUCTURED-DATA, MSG — as one line of `directory/messages`. Its config, pid file and
/// work directory are private; it runs in the foreground (`-n`) as a child, watched by a shell
/// that kills it if the test process dies without `stop()`. Ready when a probe message it was
/// sent comes out in the file.
public final class RsyslogServer: @unchecked Sendable {
    public static let executable = "/usr/sbin/rsyslogd"

    /// `udp://127.0.0.1:PORT`.
    public let destination: String
    public let directory: URL
    private let process: Process
    private let guardian: Process
    private let guardianInput: Pipe

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else { throw RsyslogServerError.notInstalled }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-rsyslog-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var failures: [String] = []
        for _ in 0..<5 {
            let port = try Self.freeUDPPort()
            let config = """
                global(workDirectory="\(directory.path)")
                module(load="imudp")
                input(type="imudp" address="127.0.0.1" port="\(port)")
                template(name="parsed" type="string" string="%msgid% %app-name% %hostname% %structured-data% %msg%\\n")
                *.* action(type="omfile" file="\(directory.path)/messages" template="parsed")

                """
            let configFile = directory.appendingPathComponent("rsyslog.conf")
            try config.write(to: configFile, atomically: true, encoding: .utf8)
            let log = directory.appendingPathComponent("rsyslogd.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.executable)
            process.arguments = ["-n", "-C", "-f", configFile.path, "-i", directory.appendingPathComponent("rsyslogd.pid").path]
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.start()
            let guardian = Process()
            guardian.executableURL = URL(fileURLWithPath: "/bin/sh")
            guardian.arguments = ["-c", "read _; kill -KILL \"$1\" 2>/dev/null", "guardian", String(process.processIdentifier)]
            let input = Pipe()
            guardian.standardInput = input
            try guardian.start()
            if Self.probe(port: port, directory: directory, process: process) {
                self.process = process
                self.guardian = guardian
                self.guardianInput = input
                destination = "udp://127.0.0.1:\(port)"
                return
            }
            Self.end(process, guardian, input)
            failures.append("port \(port): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        try? FileManager.default.removeItem(at: directory)
        throw RsyslogServerError.startFailed(failures.joined(separator: "\n"))
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The parsed messages so far (the probe left out): `MSGID APP HOST [SD...] MSG`.
    public var lines: [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("messages"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("probe ") }
    }

    /// The lines once `count` of them are there (each message is written as it arrives; the
    /// deadline is a hang catcher only).
    public func waitForLines(_ count: Int, seconds: Double = 60) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var current = lines
        while current.count < count, Date() < deadline {
            usleep(20_000)
            current = lines
        }
        return current
    }

    public func stop() {
        guard process.isRunning else { return }
        Self.end(process, guardian, guardianInput)
    }

    static func end(_ process: Process, _ guardian: Process, _ input: Pipe) {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        kill(guardian.processIdentifier, SIGKILL)
        guardian.waitUntilExit()
        try? input.fileHandleForWriting.close()
    }

    /// Sends probes until one is in the file (rsyslogd listening), or it exited / 120 s passed.
    static func probe(port: UInt16, directory: URL, process: Process) -> Bool {
        let file = directory.appendingPathComponent("messages").path
        let deadline = Date().addingTimeInterval(120)  // a hang catcher
        while process.isRunning, Date() < deadline {
            sendUDP("<14>1 - - test - probe - ready", port: port)
            usleep(50_000)
            if let text = try? String(contentsOfFile: file, encoding: .utf8), text.contains("probe ") { return true }
        }
        return false
    }

    static func sendUDP(_ text: String, port: UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let bytes = Array(text.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    /// A UDP port free a moment ago on 127.0.0.1.
    static func freeUDPPort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw RsyslogServerError.startFailed("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw RsyslogServerError.startFailed("bind: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
