import Basics
import Foundation
import Testing

/// Locations and process helpers for tests that drive the real tools (aliBuild in .venv,
/// the built `alien-install`).
enum Interop {
    /// The package root (two levels above this file's folder).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".venv/bin/python")
    static let scripts = root.appendingPathComponent("Tests/interop")

    /// Whether the interop tools are installed. `make test` sets ALIEN_REQUIRE_INTEROP=1,
    /// so there a missing tool fails the run instead of skipping.
    static var available: Bool {
        if FileManager.default.isExecutableFile(atPath: python.path) { return true }
        return ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] == "1"
    }

    static let skipReason: Comment = "aliBuild is not installed in .venv: run `make deps` (make test does)"

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs a program to completion and collects what it printed.
    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
        directory: URL? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.start()
        // Read both pipes concurrently so neither fills up and blocks the child.
        let errorData = LockedData()
        let reader = Thread { errorData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.done { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errorData.value, as: UTF8.self))
    }

    static func python(_ script: String, _ arguments: [String]) throws -> Result {
        try run(python, [scripts.appendingPathComponent(script).path] + arguments, environment: ["PYTHONHASHSEED": "0"])
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("alien-tests-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var finished = false
    func set(_ value: Data) { lock.lock(); data = value; finished = true; lock.unlock() }
    var done: Bool { lock.lock(); defer { lock.unlock() }; return finished }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data }
}
