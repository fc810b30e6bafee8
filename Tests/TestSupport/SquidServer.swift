#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Basics
public import Foundation

/// Why a test Squid could not start.
public enum SquidServerError: Error, CustomStringConvertible {
    case notInstalled
    case startFailed(String)

    public var description: String {
        switch self {
        case .notInstalled: "squid is not installed: run make deps (scripts/deps.sh)"
        case let .startFailed(reason): "squid did not start: \(reason)"
        }
    }
}

/// A real Squid (`/usr/sbin/squid`, Debian squid) running a given configuration text on a free
/// port of 127.0.0.1, for tests of the shipped installer/squid/site-cache.conf. The placeholders
/// of that file are replaced and nothing else:
///   `@LISTEN@` → `127.0.0.1:PORT`, `@CACHE_DIR@` → `directory/cache`, `@LOG_DIR@` → `directory/logs`,
///   `@PID_FILE@` → `directory/squid.pid`, `@USER@` → the current user, or `proxy` (Debian's
///   squid user, else `nobody`) when the tests run as root, in which case the private directory
///   is handed to that user because Squid refuses to keep running as root.
/// ``testingLines`` are appended (later lines win in Squid's config). Each instance has its own
/// service name (`squid -n`), so the shared-memory segments Squid makes for collapsed forwarding
/// (`/dev/shm/<name>-cf__*.shm`) do not collide between parallel tests; they are removed at
/// `stop()`. Squid runs in the
/// foreground (`-N`) in its own process group after `squid -z` made the cache directories,
/// watched by a shell that kills the group if the test process dies without `stop()`.
public final class SquidServer: @unchecked Sendable {
    public static let executable = "/usr/sbin/squid"

    /// Appended to the configuration: tests do not wait 30 s for clients at shutdown.
    public static let testingLines = ["shutdown_lifetime 1 seconds"]

    public static var available: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// The proxy, for `curl -x`: `http://127.0.0.1:PORT`.
    public let proxyURL: URL
    public let port: UInt16
    /// `squid.conf`, `cache/`, `logs/access.log`, `logs/cache.log`, `squid.pid`. Removed on deinit.
    public let directory: URL
    /// `squid -n`: also the prefix of its shared-memory segments.
    public let serviceName: String
    /// Squid's injected clock, when started with `fakeClock`.
    public let clock: SquidClock?

    private let process: Process
    private let guardian: Process
    private let guardianInput: Pipe
    private let lock = NSLockLike()
    private var stopped = false

    /// `fakeClock`: Squid runs on a ``SquidClock`` (libfaketime) that the test moves, so cache
    /// freshness is tested without waiting and without depending on how busy the machine is.
    public init(configuration template: String, fakeClock: Bool = false) throws {
        guard Self.available else { throw SquidServerError.notInstalled }
        if fakeClock, !SquidClock.available { throw SquidServerError.startFailed("\(SquidClock.library) is missing (apt-get install faketime)") }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("alien-squid-\(UUID().uuidString)", isDirectory: true)
        let serviceName = "alientest" + UUID().uuidString.prefix(8).lowercased()
        var failures: [String] = []
        for _ in 0..<5 {
            try? FileManager.default.removeItem(at: directory)
            for sub in ["cache", "logs"] {
                try FileManager.default.createDirectory(
                    at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            let port = try NginxServer.freePort()
            do {
                let user = try Self.prepare(template: template, directory: directory, port: port)
                let clock = fakeClock ? try SquidClock(file: directory.appendingPathComponent("faketime.rc")) : nil
                switch try Self.start(directory: directory, port: port, user: user, serviceName: serviceName, environment: clock?.environment ?? [:]) {
                case let .running(process, guardian, input):
                    self.clock = clock
                    self.port = port
                    self.proxyURL = URL(string: "http://127.0.0.1:\(port)")!
                    self.directory = directory
                    self.serviceName = serviceName
                    self.process = process
                    self.guardian = guardian
                    self.guardianInput = input
                    return
                case let .portTaken(log):
                    Self.removeSharedMemory(serviceName)
                    failures.append("port \(port) was taken: \(log)")
                }
            } catch {
                Self.removeSharedMemory(serviceName)
                try? FileManager.default.removeItem(at: directory)
                throw error
            }
        }
        try? FileManager.default.removeItem(at: directory)
        throw SquidServerError.startFailed(failures.joined(separator: "\n"))
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// access.log so far, one request a line (the `alien` logformat of site-cache.conf:
    /// `time elapsed client CODE/status bytes method URL hierarchy type`).
    public var accessLogLines: [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("logs/access.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    public var cacheLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("logs/cache.log"), encoding: .utf8)) ?? ""
    }

    /// SIGTERM, up to 10 s to exit (shutdown_lifetime is 1 s), then SIGKILL for the whole
    /// process group and any member left. Idempotent; also called from deinit.
    public func stop() {
        let first = lock.with { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        // Squid's shutdown timers run on its clock: back to real speed first.
        clock?.runAtRealSpeed()
        Self.terminate(process)
        kill(guardian.processIdentifier, SIGKILL)
        Self.wait(for: guardian, seconds: 5)
        try? guardianInput.fileHandleForWriting.close()
        Self.removeSharedMemory(serviceName)
    }

    /// Squid's segments for this service name, left behind when it was killed.
    private static func removeSharedMemory(_ serviceName: String) {
        #if os(Linux)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []
        for name in names where name.hasPrefix(serviceName + "-") { unlink("/dev/shm/" + name) }
        #endif
    }

    // MARK: - Starting

    private enum StartOutcome {
        case running(Process, guardian: Process, input: Pipe)
        case portTaken(String)
    }

    /// Writes squid.conf; returns the user Squid runs as.
    private static func prepare(template: String, directory: URL, port: UInt16) throws -> String {
        let root = geteuid() == 0
        let user = root ? (getpwnam("proxy") != nil ? "proxy" : "nobody") : (String(validatingCString: getpwuid(geteuid()).pointee.pw_name) ?? "nobody")
        let dir = directory.path
        var text = template
        for (placeholder, value) in [
            ("@LISTEN@", "127.0.0.1:\(port)"), ("@CACHE_DIR@", dir + "/cache"), ("@LOG_DIR@", dir + "/logs"),
            ("@PID_FILE@", dir + "/squid.pid"), ("@USER@", user)
        ] {
            text = text.replacingOccurrences(of: placeholder, with: value)
        }
        text += "\n# Appended by TestSupport.SquidServer.\n" + testingLines.joined(separator: "\n") + "\n"
        let conf = directory.appendingPathComponent("squid.conf")
        try text.write(to: conf, atomically: true, encoding: .utf8)
        if root, let entry = getpwnam(user) {
            let (uid, gid) = (entry.pointee.pw_uid, entry.pointee.pw_gid)
            for path in [dir, dir + "/cache", dir + "/logs", conf.path] { chown(path, uid, gid) }
        }
        return user
    }

    private static func start(
        directory: URL, port: UInt16, user: String, serviceName: String,
        environment: [String: String]
    ) throws -> StartOutcome {
        let conf = directory.appendingPathComponent("squid.conf").path
        // Cache directories first (runs to completion).
        let create = Process()
        create.executableURL = URL(fileURLWithPath: executable)
        create.arguments = ["-N", "-z", "-n", serviceName, "-f", conf]
        create.standardInput = FileHandle.nullDevice
        create.standardOutput = FileHandle.nullDevice
        create.standardError = FileHandle.nullDevice
        try create.start()
        if !wait(for: create, seconds: 60) {
            kill(-create.processIdentifier, SIGKILL)
            throw SquidServerError.startFailed("squid -z did not finish in 60 s")
        }
        guard create.terminationStatus == 0 else {
            throw SquidServerError.startFailed("squid -z exited with \(create.terminationStatus) (user \(user))\n" + tail(directory))
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-N", "-n", serviceName, "-f", conf]
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.start()
        let pgid = process.processIdentifier
        let input = Pipe()
        let guardian = Process()
        guardian.executableURL = URL(fileURLWithPath: "/bin/sh")
        guardian.arguments = ["-c", "read line; kill -s KILL -- -\(pgid) 2>/dev/null", "alien-squid-guardian"]
        guardian.standardInput = input
        guardian.standardOutput = FileHandle.nullDevice
        guardian.standardError = FileHandle.nullDevice
        do {
            try guardian.start()
        } catch {
            terminate(process)
            throw SquidServerError.startFailed("cannot run /bin/sh: \(error)")
        }

        let deadline = Date().addingTimeInterval(120)  // a hang catcher
        while Date() < deadline, process.isRunning {
            if NginxServer.accepts(port: port) { return .running(process, guardian: guardian, input: input) }
            usleep(50_000)
        }
        let running = process.isRunning
        terminate(process)
        kill(guardian.processIdentifier, SIGKILL)
        wait(for: guardian, seconds: 5)
        try? input.fileHandleForWriting.close()
        let log = tail(directory)
        if log.contains("Address already in use") || log.contains("Cannot open HTTP Port") { return .portTaken(log) }
        throw SquidServerError.startFailed(
            (running ? "port \(port) not accepting connections after 120 s" : "squid exited with status \(process.terminationStatus)")
                + "\n" + log)
    }

    private static func terminate(_ process: Process) {
        let pgid = process.processIdentifier
        if process.isRunning {
            kill(pgid, SIGTERM)
            if !wait(for: process, seconds: 10) {
                kill(-pgid, SIGKILL)
                wait(for: process, seconds: 5)
            }
        }
        for pid in NginxServer.groupMembers(pgid) { kill(pid, SIGKILL) }
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

    private static func tail(_ directory: URL) -> String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("logs/cache.log"), encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").suffix(20)
        return lines.isEmpty ? "(cache.log empty)" : lines.joined(separator: "\n")
    }
}

/// Squid's clock for a test, injected with libfaketime (`LD_PRELOAD`, a rule file re-read on
/// every clock call): it starts at the real time and runs 100 times slower, so however long a
/// busy machine takes between two requests, Squid sees well under a second; ``advance(_:)``
/// moves it forward at once. Cache-freshness tests then assert what Squid does at given ages
/// instead of sleeping through them.
public final class SquidClock: @unchecked Sendable {
    public static let library = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
    public static var available: Bool { FileManager.default.fileExists(atPath: library) }
    /// Squid's seconds per real second while the test holds the clock.
    public static let rate = "0.01"

    public let file: URL
    private let lock = NSLockLike()
    private var offset = 0

    init(file: URL) throws {
        self.file = file
        try write("+0 x\(Self.rate)")
    }

    var environment: [String: String] {
        ["LD_PRELOAD": Self.library, "FAKETIME_TIMESTAMP_FILE": file.path, "FAKETIME_NO_CACHE": "1"]
    }

    /// Squid's clock jumps `seconds` forward.
    public func advance(_ seconds: Int) throws {
        let text = lock.with { () -> String in
            offset += seconds
            return "+\(offset) x\(Self.rate)"
        }
        try write(text)
    }

    /// Real speed again (for Squid's shutdown timers); the clock only moves forward.
    func runAtRealSpeed() {
        let text = lock.with { "+\(offset) x1" }
        try? write(text)
    }

    /// Whole-file replacement (rename), so Squid never reads half a rule.
    private func write(_ text: String) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString)")
        try Data((text + "\n").utf8).write(to: temporary)
        chmod(temporary.path, 0o644)
        guard rename(temporary.path, file.path) == 0 else { throw SquidServerError.startFailed("cannot replace \(file.path)") }
    }
}
