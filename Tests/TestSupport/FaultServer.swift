import Basics
public import Foundation

/// The fault-injecting HTTP server of `Tests/interop/fault_server.py` (run with /usr/bin/python3)
/// serving `root` on 127.0.0.1: dropped connections, error statuses, ignored or wrong Range,
/// corrupted bytes, stalls (see the script for the `/f/FAULTS/<file>` syntax). Also answers
/// absolute-URI requests as a recording proxy. Stopped by `stop()` or deinit.
public final class FaultServer: @unchecked Sendable {
    public static let python = "/usr/bin/python3"
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop/fault_server.py")

    public let root: URL
    public let port: UInt16
    public let logFile: URL
    private let process: Process

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init(root: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else { throw NginxServerError.startFailed("\(Self.python) is missing") }
        self.root = root
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("fault-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script.path, root.path, logFile.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.start()
        self.process = process
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let more = output.fileHandleForReading.availableData
            if more.isEmpty { break }
            line.append(more)
        }
        guard let port = UInt16(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw NginxServerError.startFailed("fault server printed no port")
        }
        self.port = port
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: logFile)
    }

    /// `URL` of `file` with `faults` ("drop=1000,norange"), or plain when `faults` is empty.
    public func url(_ file: String, faults: String = "") -> String {
        faults.isEmpty ? "\(baseURL)/\(file)" : "\(baseURL)/f/\(faults)/\(file)"
    }

    /// One line a request: `CLIENT_PORT METHOD TARGET range=RANGE`.
    public var logLines: [String] {
        ((try? String(contentsOf: logFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// SIGKILL (children started from a Swift concurrency thread inherit its signal mask, with
    /// SIGTERM blocked), then waits for the exit.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
