import Basics
import Foundation
import PackManAPI
import Testing

/// A real `packmand` started by a test: its config, tokens and database in the site's
/// directory, listening on a unix socket and 127.0.0.1 (a free port). A guardian shell kills it
/// if the test process dies first; `stop()` ends it with SIGTERM and waits.
final class PackmandProcess: @unchecked Sendable {
    static let jobToken = "job-token-for-tests"
    static let adminToken = "admin-token-for-tests"

    static var binary: URL { CLITests.binary.deletingLastPathComponent().appendingPathComponent("packmand") }

    let directory: URL
    let process: Process
    let guardian: Process
    let guardianInput: Pipe
    let pid: pid_t
    let socket: String
    let tcp: String

    /// Writes `packmand.yaml` (extra YAML lines appended) and the tokens file, starts packmand.
    /// `tls`: the YAML lines of a `listen.tls` block (indented by four spaces). `tokens`: more
    /// lines of the tokens file.
    init(
        directory: URL, area: String, arch: String, repository: String, rootFile: String, extra: String = "", tls: String? = nil,
        tokens moreTokens: String = ""
    ) throws {
        self.directory = directory
        socket = directory.appendingPathComponent("packmand.sock").path
        let tokens = """
            agent job \(Self.sha256(Self.jobToken))
            admin admin \(Self.sha256(Self.adminToken))
            \(moreTokens)
            """
        try tokens.write(to: directory.appendingPathComponent("tokens"), atomically: true, encoding: .utf8)
        let config = """
            area: \(area)
            arch: \(arch)
            repository: \(repository)
            trusted_root: \(rootFile)
            tokens: \(directory.appendingPathComponent("tokens").path)
            listen:
              unix: \(socket)
              tcp: 127.0.0.1:0
            \(tls.map { "  tls:\n" + $0 } ?? "")
            \(extra)
            """
        let configFile = directory.appendingPathComponent("packmand.yaml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let ready = directory.appendingPathComponent("ready")
        try? FileManager.default.removeItem(at: ready)
        let logFile = directory.appendingPathComponent("packmand.log")
        if !FileManager.default.fileExists(atPath: logFile.path) { _ = FileManager.default.createFile(atPath: logFile.path, contents: nil) }
        let logHandle = try FileHandle(forWritingTo: logFile)
        logHandle.seekToEndOfFile()
        process = Process()
        process.executableURL = Self.binary
        process.arguments = ["--config", configFile.path, "--ready-file", ready.path]
        process.standardError = logHandle
        process.standardOutput = logHandle
        process.standardInput = FileHandle.nullDevice
        try process.start()
        pid = process.processIdentifier
        // Kills packmand when the test process dies without stop() (the pipe closes).
        guardian = Process()
        guardian.executableURL = URL(fileURLWithPath: "/bin/sh")
        guardian.arguments = ["-c", "read _; kill -KILL \"$1\" 2>/dev/null", "guardian", String(pid)]
        guardianInput = Pipe()
        guardian.standardInput = guardianInput
        try guardian.start()
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: ready.path) {
            guard Date() < deadline, process.isRunning else {
                guardianInput.fileHandleForWriting.closeFile()
                throw PackmandError("packmand did not become ready: \(Self.read(logFile))")
            }
            usleep(20_000)
        }
        let addresses = try String(contentsOf: ready, encoding: .utf8).split(separator: "\n").map(String.init)
        tcp = addresses.first { $0.hasPrefix("http") } ?? ""
    }

    var log: String { Self.read(directory.appendingPathComponent("packmand.log")) }

    static func read(_ file: URL) -> String { (try? String(contentsOf: file, encoding: .utf8)) ?? "" }

    func client(_ token: String? = PackmandProcess.jobToken, unix: Bool = false) throws -> PackManClient {
        try PackManClient(endpoint: unix ? "unix:" + socket : tcp, token: token, timeout: 180)
    }

    /// Sends `signal`; waits for the exit and returns packmand's exit status (128 + N when killed by N).
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(pid, signal) }
        let deadline = Date().addingTimeInterval(150)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        guardianInput.fileHandleForWriting.closeFile()
        guardian.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    static func sha256(_ text: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "printf %s \"$1\" | sha256sum | cut -d' ' -f1", "sh", text]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.start()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

struct PackmandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
