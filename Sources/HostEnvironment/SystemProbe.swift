import Basics
import Foundation
import Synchronization
public import Resolver

/// Runs system checks for real: `bash -c SCRIPT` in a fresh temporary directory with
/// `ARCHITECTURE`, `ALIBUILD_ARCHITECTURE`, `ALIBUILD_CONFIG_DIR` and `ALIBUILD_VERSION` set,
/// stdout and stderr merged and one trailing newline removed — as aliBuild runs them.
public final class SystemProbe: SystemChecker {
    /// The aliBuild release whose behaviour the resolver reproduces. Checks see it as
    /// `ALIBUILD_VERSION`, as under aliBuild (alidist's gpu-system detects nothing for an
    /// aliBuild older than 1.17.40 or an unset version).
    public static let aliBuildVersion = "1.17.48"

    public let architecture: String
    public let configDir: String
    private let log = Mutex<[(SystemCheckRequest, SystemCheckResult)]>([])

    public init(architecture: String, configDir: String) {
        self.architecture = architecture
        self.configDir = configDir
    }

    /// Every check run so far, in order, with what it said.
    public var history: [(SystemCheckRequest, SystemCheckResult)] { log.withLock { $0 } }

    public func run(_ request: SystemCheckRequest) -> SystemCheckResult {
        let result = Self.bash(
            request.script,
            environment: [
                "ARCHITECTURE": architecture, "ALIBUILD_ARCHITECTURE": architecture,
                "ALIBUILD_CONFIG_DIR": URL(fileURLWithPath: configDir).standardizedFileURL.path,
                "ALIBUILD_VERSION": Self.aliBuildVersion
            ], prefix: "alien_check_\(request.package)_")
        log.withLock { $0.append((request, result)) }
        return result
    }

    static func bash(_ script: String, environment: [String: String], prefix: String) -> SystemCheckResult {
        let fileManager = FileManager.default
        let directory = fileManager.temporaryDirectory.appendingPathComponent(prefix + UUID().uuidString)
        try? fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.start()
        } catch {
            return SystemCheckResult(exitStatus: 127, output: "cannot run bash: \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var output = String(decoding: data, as: UTF8.self)
        if output.hasSuffix("\n") { output.removeLast() }
        if output.hasSuffix("\r") && data.last == 10 && data.dropLast().last == 13 {
            // "\r\n" is one Character in Swift; put the "\r" back, Python strips only "\n".
            output.append("\r")
        }
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return SystemCheckResult(exitStatus: status, output: output)
    }
}
