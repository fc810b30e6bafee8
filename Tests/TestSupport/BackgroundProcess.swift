import Basics
public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for a test (a seeder, a tracker, an aria2c peer): output to a file, waiting
/// for a line, stopped with SIGTERM then SIGKILL. `stop()` must run before the test ends
/// (use `defer`); the deinit kills it too so no process outlives its test.
public final class BackgroundProcess: @unchecked Sendable {
    public let process = Process()
    public let output: URL

    public init(_ executable: String, _ arguments: [String], output: URL, environment: [String: String] = [:]) throws {
        self.output = output
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.start()
    }

    deinit { kill() }

    public var text: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.processIdentifier }

    /// Waits until the output contains `needle` (true) or the process ended / `seconds` passed
    /// (false; a hang catcher: it returns as soon as the line is there).
    public func wait(for needle: String, seconds: Double = 120) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if text.contains(needle) { return true }
            if !process.isRunning { return text.contains(needle) }
            usleep(50_000)
        }
        return false
    }

    /// Waits for the process to end by itself: its exit status, or nil when `seconds` passed
    /// (a hang catcher; the process is left running for `stop`/`kill`).
    public func exitStatus(within seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; returns the exit status and whether it
    /// ended within the grace time by itself.
    @discardableResult
    public func stop(grace: Double = 10) -> (status: Int32, clean: Bool) {
        guard process.isRunning else { return (process.terminationStatus, true) }
        Glibc.kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill()
            return (process.terminationStatus, false)
        }
        return (process.terminationStatus, true)
    }

    /// SIGKILL and reap.
    public func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// opentracker on 127.0.0.1 with a whitelist of v1 info-hashes, run as `nobody` when the tests
/// run as root (it refuses root), chrooted into its own directory.
public final class OpenTracker: @unchecked Sendable {
    public static let executable = "/usr/bin/opentracker"
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    public let port: UInt16
    public let directory: URL
    let child: BackgroundProcess

    public var announceURL: String { "http://127.0.0.1:\(port)/announce" }

    /// `port`: a free port chosen before (torrents name the announce URL before the tracker runs).
    public init(infoHashes: [String], port: UInt16? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("opentracker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try (infoHashes.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("whitelist"), atomically: true, encoding: .utf8)
        chmod(directory.appendingPathComponent("whitelist").path, 0o644)
        self.port = try port ?? NginxServer.freePort()
        let port = self.port
        let arguments = ["-i", "127.0.0.1", "-p", "\(port)", "-P", "\(port)", "-d", directory.path, "-w", "whitelist"]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("opentracker-\(port).log")
        if getuid() == 0 {
            child = try BackgroundProcess(
                "/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", Self.executable] + arguments,
                output: log)
        } else {
            child = try BackgroundProcess(Self.executable, arguments, output: log)
        }
        let deadline = Date().addingTimeInterval(120)  // a hang catcher
        while !NginxServer.accepts(port: port) {
            guard Date() < deadline, child.isRunning else {
                let text = child.text
                child.kill()
                throw NginxServerError.startFailed("opentracker did not start on port \(port): \(text)")
            }
            usleep(50_000)
        }
    }

    public func stop() {
        child.stop(grace: 5)
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: child.output)
    }
}
