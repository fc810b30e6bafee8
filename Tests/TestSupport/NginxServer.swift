#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Basics
public import Foundation

/// Why a test nginx could not start.
public enum NginxServerError: Error, CustomStringConvertible {
    case notInstalled
    case unsupportedRoot(String)
    case startFailed(String)

    public var description: String {
        switch self {
        case .notInstalled: "nginx is not installed: run make deps"
        case let .unsupportedRoot(path): "nginx cannot serve \(path): '$' in a root path would be read as a variable"
        case let .startFailed(reason): "nginx did not start: \(reason)"
        }
    }
}

/// A real nginx (`/usr/sbin/nginx`, Debian nginx-light) serving a directory read-only on
/// 127.0.0.1, for tests of HTTP stores. Everything nginx writes (config, pid, logs, temp files)
/// lives in a private `directory`; nothing under /var or /etc is touched. nginx runs in the
/// foreground (`daemon off`) as a child in its own process group, watched by a tiny shell that
/// kills the group if the test process dies without calling `stop()`.
public final class NginxServer: @unchecked Sendable {
    public static let executable = "/usr/sbin/nginx"

    /// A certificate chain and key (PEM files) for `listen ... ssl`.
    public struct TLS: Sendable, Hashable {
        public var certificate: String
        public var key: String

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// `http://127.0.0.1:PORT`, or `https://…` with TLS.
    public let baseURL: URL
    /// The private directory: `nginx.conf`, `nginx.pid`, `error.log`, `access.log`, temp paths.
    /// Removed when the server is deallocated.
    public let directory: URL
    /// The directory served.
    public let root: URL

    private let master: Process
    private let guardian: Process
    private let guardianInput: Pipe
    private let lock = NSLockLike()
    private var stopped = false

    /// Serves `root` read-only on 127.0.0.1 at a free port. Directory URLs ending in "/" return
    /// nginx's JSON autoindex (`autoindex on; autoindex_format json;`) like aliBuild's HTTP stores.
    /// Symlinks are followed (disable_symlinks off). Access log in `directory/access.log` with the
    /// request line and status.
    ///
    /// `writable`: the location also takes WebDAV `PUT`, `DELETE` and `MKCOL` (nginx's
    /// http_dav_module, parent directories created on PUT, any body size), for publishing tests.
    /// `serverBlock`, when given, replaces the built-in `server { ... }` block: the text of a
    /// shipped config such as installer/nginx/alien-repo.conf, in which `@LISTEN@` becomes
    /// `127.0.0.1:PORT` and `@ROOT@` the quoted root path (nothing else is changed).
    /// `tls`: HTTPS with this certificate and key (`@LISTEN@` then also gets `ssl`).
    public init(root: URL, writable: Bool = false, serverBlock: String? = nil, tls: TLS? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else { throw NginxServerError.notInstalled }
        let rootPath = root.standardizedFileURL.path
        guard !rootPath.contains("$") else { throw NginxServerError.unsupportedRoot(rootPath) }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("alien-nginx-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        var failures: [String] = []
        for _ in 0..<5 {
            let port = try Self.freePort()
            let outcome: StartOutcome
            do {
                outcome = try Self.start(root: rootPath, directory: directory, port: port, writable: writable, serverBlock: serverBlock, tls: tls)
            } catch {
                try? FileManager.default.removeItem(at: directory)
                throw error
            }
            switch outcome {
            case let .running(master, guardian, input):
                self.root = URL(fileURLWithPath: rootPath, isDirectory: true)
                self.directory = directory
                self.baseURL = URL(string: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)")!
                self.master = master
                self.guardian = guardian
                self.guardianInput = input
                return
            case let .portTaken(log):
                failures.append("port \(port) was taken: \(log)")
            case let .failed(reason):
                try? FileManager.default.removeItem(at: directory)
                throw NginxServerError.startFailed(reason)
            }
        }
        try? FileManager.default.removeItem(at: directory)
        throw NginxServerError.startFailed(failures.joined(separator: "\n"))
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The access log, one request a line: `"GET /path HTTP/1.1" 200` (settling probes left out).
    public var accessLogLines: [String] { Self.lines(of: directory.appendingPathComponent("access.log")) }

    static let settleProbe = "/.alien-test-settle-"

    static func lines(of file: URL) -> [String] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { !$0.contains(settleProbe) }
    }

    /// The access log with every request answered so far in it. nginx writes a request's line
    /// after answering it, so a client (an installer that exited) can be done before its line
    /// is there. A probe request is sent and its line waited for (300 s: a hang catcher): the
    /// one worker handles the probe only after it returned from, and so logged, what it
    /// answered before. Probe lines are left out of every log view.
    public var settledAccessLogLines: [String] {
        let probe = Self.settleProbe + UUID().uuidString
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sk", "--noproxy", "*", "-o", "/dev/null", "--max-time", "300", baseURL.absoluteString + probe]
        curl.standardInput = FileHandle.nullDevice
        curl.standardOutput = FileHandle.nullDevice
        curl.standardError = FileHandle.nullDevice
        guard (try? curl.start()) != nil else { return accessLogLines }
        curl.waitUntilExit()
        let file = directory.appendingPathComponent("access.log")
        let deadline = Date().addingTimeInterval(300)
        while curl.terminationStatus == 0, Date() < deadline,
            !((try? String(contentsOf: file, encoding: .utf8)) ?? "").contains(probe)
        {
            usleep(10_000)
        }
        return accessLogLines
    }

    /// The access log once `condition` holds for it: nginx writes a request's line after
    /// answering it, so a client can be done before its line is there. After 300 s (a hang
    /// catcher) the log as it is.
    public func accessLogLines(when condition: ([String]) -> Bool) -> [String] {
        let deadline = Date().addingTimeInterval(300)
        var lines = accessLogLines
        while !condition(lines), Date() < deadline {
            usleep(20_000)
            lines = accessLogLines
        }
        return lines
    }

    /// The access log with nginx's connection serial number first: `7 "GET /path HTTP/1.1" 200`
    /// (requests on one kept-alive connection share the number).
    public var connectionLogLines: [String] { Self.lines(of: directory.appendingPathComponent("connections.log")) }

    /// nginx's error log so far.
    public var errorLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
    }

    /// SIGTERM, up to 5 s for nginx to finish, then SIGKILL for its whole process group.
    /// Idempotent; also called from deinit. Logs stay readable until deallocation.
    public func stop() {
        let first = lock.with { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        Self.terminate(master)
        // Stand the guardian down before its input reaches end-of-file. SIGKILL because children
        // started from a Swift concurrency thread inherit its signal mask, SIGTERM blocked.
        kill(guardian.processIdentifier, SIGKILL)
        Self.wait(for: guardian, seconds: 5)
        try? guardianInput.fileHandleForWriting.close()
    }

    // MARK: - Starting

    private enum StartOutcome {
        case running(Process, guardian: Process, input: Pipe)
        case portTaken(String)
        case failed(String)
    }

    private static func start(root: String, directory: URL, port: UInt16, writable: Bool, serverBlock: String?, tls: TLS?) throws -> StartOutcome {
        let dir = directory.path
        let conf = directory.appendingPathComponent("nginx.conf")
        let pidFile = directory.appendingPathComponent("nginx.pid")
        for log in ["error.log", "access.log", "nginx.pid", "stderr.log"] {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(log))
        }
        try configuration(root: root, directory: dir, port: port, writable: writable, serverBlock: serverBlock, tls: tls)
            .write(to: conf, atomically: true, encoding: .utf8)
        try Data().write(to: directory.appendingPathComponent("stderr.log"))

        let master = Process()
        master.executableURL = URL(fileURLWithPath: executable)
        master.arguments = ["-p", dir + "/", "-c", conf.path, "-e", dir + "/error.log"]
        master.currentDirectoryURL = directory
        master.standardInput = FileHandle.nullDevice
        master.standardOutput = FileHandle.nullDevice
        master.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr.log"))
        do { try master.start() } catch { return .failed("cannot run \(executable): \(error)") }

        // Foundation starts children in their own process group, so `kill -- -PID` reaches the
        // master and its workers. The guardian kills that group when our end of its stdin closes
        // without a stop, i.e. when the test process dies.
        let pgid = master.processIdentifier
        let input = Pipe()
        let guardian = Process()
        guardian.executableURL = URL(fileURLWithPath: "/bin/sh")
        guardian.arguments = ["-c", "read line; kill -s KILL -- -\(pgid) 2>/dev/null", "alien-nginx-guardian"]
        guardian.standardInput = input
        guardian.standardOutput = FileHandle.nullDevice
        guardian.standardError = FileHandle.nullDevice
        do {
            try guardian.start()
        } catch {
            terminate(master)
            return .failed("cannot run /bin/sh: \(error)")
        }

        // Ready when nginx wrote its pid file (after binding) and the port accepts connections:
        // a connection alone could reach whoever took the port between our probe and nginx.
        // The deadline is a hang catcher: many servers start at once on a loaded machine.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if !master.isRunning { break }
            if let pid = try? String(contentsOf: pidFile, encoding: .utf8),
                pid.trimmingCharacters(in: .whitespacesAndNewlines) == String(pgid),
                accepts(port: port)
            {
                return .running(master, guardian: guardian, input: input)
            }
            usleep(20_000)
        }
        let running = master.isRunning
        terminate(master)
        kill(guardian.processIdentifier, SIGKILL)
        wait(for: guardian, seconds: 5)
        try? input.fileHandleForWriting.close()
        let log = tail(directory: directory)
        if !running, log.contains("Address already in use") { return .portTaken(log) }
        return .failed(
            (running ? "port \(port) not accepting connections after 120 s" : "nginx exited with status \(master.terminationStatus)")
                + "\n" + log)
    }

    private static func configuration(root: String, directory: String, port: UInt16, writable: Bool, serverBlock: String?, tls: TLS?) -> String {
        func q(_ path: String) -> String {
            "\"" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        // Workers drop to `nobody` when the master is root and could not read 0700 temp dirs.
        let user = geteuid() == 0 ? "user root;\n" : ""
        let access =
            writable
            ? "dav_methods PUT DELETE MKCOL; create_full_put_path on; dav_access user:rw group:r all:r; client_max_body_size 0;"
            : "limit_except GET { deny all; }"
        let listen = "127.0.0.1:\(port)" + (tls == nil ? "" : " ssl")
        let certificates = tls.map { "ssl_certificate \(q($0.certificate));\n    ssl_certificate_key \(q($0.key));" } ?? ""
        let server =
            serverBlock.map {
                $0.replacingOccurrences(of: "@LISTEN@", with: listen).replacingOccurrences(of: "@ROOT@", with: q(root))
            } ?? """
                    server {
                        listen \(listen);
                        server_name _;
                        root \(q(root));
                        disable_symlinks off;
                        location / {
                            \(access)
                            autoindex on;
                            autoindex_format json;
                        }
                    }
                """
        return """
            # Written by TestSupport.NginxServer.
            \(user)daemon off;
            master_process on;
            worker_processes 1;
            pid \(q(directory + "/nginx.pid"));
            lock_file \(q(directory + "/nginx.lock"));
            error_log \(q(directory + "/error.log")) warn;

            events {
                worker_connections 64;
            }

            http {
                default_type application/octet-stream;
                log_format requests '"$request" $status';
                access_log \(q(directory + "/access.log")) requests;
                log_format connections '$connection "$request" $status';
                access_log \(q(directory + "/connections.log")) connections;
                client_body_temp_path \(q(directory + "/client_body_temp"));
                proxy_temp_path \(q(directory + "/proxy_temp"));
                fastcgi_temp_path \(q(directory + "/fastcgi_temp"));
                uwsgi_temp_path \(q(directory + "/uwsgi_temp"));
                scgi_temp_path \(q(directory + "/scgi_temp"));
                server_tokens off;
                # Kept-alive connections, and responses a paused client has not read yet, outlive
                # a busy test machine's pauses (nginx's defaults close them after 75 s and 60 s).
                keepalive_timeout 600s;
                send_timeout 600s;
                \(certificates)

            \(server)
            }

            """
    }

    // MARK: - Processes and sockets

    /// SIGTERM; after 5 s SIGKILL for the group; then any member of the group still alive.
    private static func terminate(_ master: Process) {
        let pgid = master.processIdentifier
        if master.isRunning {
            kill(pgid, SIGTERM)
            if !wait(for: master, seconds: 5) {
                kill(-pgid, SIGKILL)
                wait(for: master, seconds: 5)
            }
        }
        // Workers of a killed master are orphans that would serve on.
        for pid in groupMembers(pgid) { kill(pid, SIGKILL) }
    }

    @discardableResult
    private static func wait(for process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning {
            if Date() >= deadline { return false }
            usleep(10_000)
        }
        return true
    }

    /// Processes whose process group is `pgid` (Linux /proc; empty elsewhere).
    static func groupMembers(_ pgid: pid_t) -> [pid_t] {
        #if os(Linux)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "(comm)": state ppid pgrp ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, pid_t(fields[2]) == pgid else { return nil }
            return pid
        }
        #else
        return []
        #endif
    }

    private static func tail(directory: URL) -> String {
        let logs = ["error.log", "stderr.log"].compactMap {
            try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)
        }
        let lines = logs.joined().split(separator: "\n").suffix(20)
        return lines.isEmpty ? "(error log empty)" : lines.joined(separator: "\n")
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func tcpSocket() -> Int32 {
        #if canImport(Glibc)
        socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }

    /// A port the kernel just handed out on 127.0.0.1 (closed again, so nginx can bind it).
    public static func freePort() throws -> UInt16 {
        let fd = tcpSocket()
        guard fd >= 0 else { throw NginxServerError.startFailed("socket(): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw NginxServerError.startFailed("bind(127.0.0.1:0): \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(port: UInt16) -> Bool {
        let fd = tcpSocket()
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
