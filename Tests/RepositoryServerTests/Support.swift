import Basics
import Foundation
import Logging
import RepositoryServer
import Transport

/// A response as the real `curl` tool saw it.
struct CurlResponse: Sendable {
    var status: Int
    /// Header names lowercased; the last value wins.
    var headers: [String: String]
    var body: Data

    subscript(header name: String) -> String? { headers[name.lowercased()] }
}

/// Runs `/usr/bin/curl` without blocking a concurrency thread: the in-process server's handlers
/// need those threads, the machine may have only two, and other suites' synchronous tests may
/// hold them for minutes.
enum Curl {
    static let executable = "/usr/bin/curl"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// One curl run on a thread of its own: never blocks a concurrency thread.
    static func request(_ url: String, _ options: [String] = [], proxy: String? = nil) async throws -> CurlResponse {
        try await offThread { try fetch(url, options, proxy: proxy) }
    }

    /// Blocking: for code already off the concurrency pool (see ``offThread(_:)``), where the
    /// timing of a sequence of requests matters.
    static func fetch(_ url: String, _ options: [String] = [], proxy: String? = nil) throws -> CurlResponse {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("alien-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let headerFile = scratch.appendingPathComponent("headers"), bodyFile = scratch.appendingPathComponent("body")
        let outputFile = scratch.appendingPathComponent("output")
        var arguments = ["-sS", "--path-as-is", "-D", headerFile.path, "-o", bodyFile.path, "-w", "%{http_code}"]
        arguments += proxy.map { ["-x", $0] } ?? ["--noproxy", "*"]
        arguments += options + [url]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outputFile)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.start()
        process.waitUntilExit()
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0, let code = Int(output) else {
            throw CurlFailure(arguments: arguments, status: process.terminationStatus, output: output)
        }
        var headers: [String: String] = [:]
        let text = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = (try? Data(contentsOf: bodyFile)) ?? Data()
        return CurlResponse(status: code, headers: headers, body: body)
    }

    struct CurlFailure: Error, CustomStringConvertible {
        var arguments: [String], status: Int32, output: String
        var description: String { "curl \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }

    /// Runs a program; stdout and stderr together, awaited through the termination handler.
    static func run(_ program: String, _ arguments: [String]) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("alien-run-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.start() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}

/// Blocking libcurl calls (Transport.HTTPClient) on a thread of their own.
func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A small repository in the layout of DESIGN.md, built in a temporary directory.
struct RepositoryFixture {
    let root: URL
    let tarballPath = "targets/slc9_x86-64/ROOT/3f7a9c0e.ROOT-v6-32-06-1.slc9_x86-64.tar.gz"
    let tarball: Data

    init(tarballSize: Int = 300_000) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("alien-repo-\(UUID().uuidString)")
        let metadata = root.appendingPathComponent("metadata")
        try FileManager.default.createDirectory(at: metadata, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent(tarballPath).deletingLastPathComponent(), withIntermediateDirectories: true)
        for (name, text) in [
            "1.root.json": #"{"signed":{"_type":"root","version":1},"signatures":[]}"#,
            "root.json": #"{"signed":{"_type":"root","version":1},"signatures":[]}"#,
            "1.targets.json": #"{"signed":{"_type":"targets","version":1},"signatures":[]}"#,
            "1.snapshot.json": #"{"signed":{"_type":"snapshot","version":1},"signatures":[]}"#,
            "timestamp.json": #"{"signed":{"_type":"timestamp","version":1},"signatures":[]}"#
        ] {
            try Data(text.utf8).write(to: metadata.appendingPathComponent(name))
        }
        var generator = SystemRandomNumberGenerator()
        var bytes = Data(count: (tarballSize + 7) / 8 * 8)
        bytes.withUnsafeMutableBytes { raw in
            for index in stride(from: 0, to: raw.count, by: 8) { raw.storeBytes(of: generator.next(), toByteOffset: index, as: UInt64.self) }
        }
        tarball = bytes.prefix(tarballSize)
        try tarball.write(to: root.appendingPathComponent(tarballPath))
    }

    /// A new publish: timestamp.json replaced by rename, as the publisher does.
    /// Replaces timestamp.json; `laterBy`: its modification time that many seconds after the
    /// old one's (validators have one-second resolution: no sleeping to make them differ).
    func publishTimestamp(version: Int, laterBy: Int = 0) throws {
        let text = #"{"signed":{"_type":"timestamp","version":\#(version)},"signatures":[]}"#
        let target = root.appendingPathComponent("metadata/timestamp.json")
        let previous = (try? FileManager.default.attributesOfItem(atPath: target.path)[.modificationDate] as? Date) ?? Date()
        let temporary = root.appendingPathComponent("metadata/.timestamp.json.tmp")
        try Data(text.utf8).write(to: temporary)
        if laterBy != 0 {
            try FileManager.default.setAttributes([.modificationDate: previous.addingTimeInterval(TimeInterval(laterBy))], ofItemAtPath: temporary.path)
        }
        guard rename(temporary.path, target.path) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// An in-process RepositoryServer on 127.0.0.1, port chosen by the system.
struct RunningServer {
    let server: RepositoryServer
    let base: String

    static func start(root: URL, log: (@Sendable (AccessLogEntry) -> Void)? = nil) async throws -> RunningServer {
        var logger = Logger(label: "test.serve")
        logger.logLevel = .warning
        let server = RepositoryServer(
            configuration: .init(root: root.path, host: "127.0.0.1", port: 0), logger: logger, accessLog: log ?? { _ in })
        let port = try await server.start()
        return RunningServer(server: server, base: "http://127.0.0.1:\(port)")
    }
}
