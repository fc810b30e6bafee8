import AlienModel
import AreaEnvironment
import Basics
import Foundation
import SoftwareArea

/// Software areas written in code: aliBuild install trees with an init.sh as aliBuild writes it.
enum EnvironmentFixture {
    static let arch = "slc9_x86-64"

    struct Package {
        var name: String
        var version: String
        var revision = "1"
        var requires: [Package] = []
        /// Extra init.sh lines (env / append_path lines, after the package's own variables).
        var extra: [String] = []
        /// prepend_path lines before the `bin`/`lib` ones (`export K="…${K+:$K}"`).
        var prepend: [String] = []

        var prefix: String { name.uppercased().replacingOccurrences(of: "-", with: "_") }

        /// init.sh in aliBuild's generated grammar.
        var initScript: String {
            var lines = [": \"${ALIBUILD_ARCH_PREFIX:=\(EnvironmentFixture.arch)}\""]
            for dependency in requires {
                lines.append(
                    "[ -n \"${\(dependency.prefix)_REVISION}\" ] || . \"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/\(dependency.name)/\(dependency.version)-\(dependency.revision)/etc/profile.d/init.sh"
                )
            }
            lines +=
                [
                    "export \(prefix)_ROOT=\"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/\(name)/\(version)-\(revision)",
                    "export RECC_PREFIX_MAP=\"$\(prefix)_ROOT=/recc/\(prefix)_ROOT:$RECC_PREFIX_MAP\"",
                    "export \(prefix)_VERSION=\(version)",
                    "export \(prefix)_REVISION=\(revision)",
                    "export \(prefix)_HASH=0123456789abcdef\(prefix.count)",
                    "export \(prefix)_COMMIT=v\(version.count)"
                ] + extra + prepend + [
                    "export PATH=\"$\(prefix)_ROOT/bin${PATH+:$PATH}\"",
                    "export LD_LIBRARY_PATH=\"$\(prefix)_ROOT/lib${LD_LIBRARY_PATH+:$LD_LIBRARY_PATH}\""
                ]
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// A temporary area holding the packages (each with `bin/<name>-tool` printing its name).
    static func area(_ packages: [Package]) throws -> EnvironmentArea {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("alien-env-\(UUID().uuidString)")
        for package in packages { try install(package, root: root) }
        if packages.isEmpty { try FileManager.default.createDirectory(at: root.appendingPathComponent(arch), withIntermediateDirectories: true) }
        return EnvironmentArea(root: root, architecture: try Architecture(arch))
    }

    static func install(_ package: Package, root: URL) throws {
        let directory = root.appendingPathComponent("\(arch)/\(package.name)/\(package.version)-\(package.revision)")
        let profile = directory.appendingPathComponent("etc/profile.d")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try package.initScript.write(to: profile.appendingPathComponent("init.sh"), atomically: true, encoding: .utf8)
        let tool = directory.appendingPathComponent("bin/\(package.name)-tool")
        try "#!/bin/sh\necho \(package.name) \(package.version)\n".write(to: tool, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)
    }

    static let zlib = Package(name: "zlib", version: "v1.3.1")
    static let root = Package(
        name: "ROOT", version: "v6-32-06", requires: [zlib],
        extra: [
            "export ROOTSYS=\"$ROOT_ROOT\""
        ],
        prepend: [
            "export ROOT_INCLUDE_PATH=\"$ROOT_ROOT/include${ROOT_INCLUDE_PATH+:$ROOT_INCLUDE_PATH}\""
        ])
    static let aliRoot = Package(name: "AliRoot", version: "v5-09-59", requires: [root, zlib])

    static func remove(_ area: EnvironmentArea) { try? FileManager.default.removeItem(at: area.root) }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion with exactly `environment`.
    static func run(_ program: String, _ arguments: [String], environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.start()
        let errorData = ErrorCollector()
        let reader = Thread { errorData.store(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errorData.wait(), as: UTF8.self))
    }

    /// The first executable of that name in the usual places, or nil.
    static func tool(_ name: String) -> String? {
        for directory in ["/usr/bin", "/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        return nil
    }

    static var requireInterop: Bool { ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] == "1" }

    /// A plain environment for the child processes of tests.
    static let baseEnvironment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C"]

    /// `env -0` output → dictionary.
    static func parseEnv0(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for entry in text.split(separator: "\0") {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }
}

final class ErrorCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?
    func store(_ value: Data) { condition.lock(); data = value; condition.signal(); condition.unlock() }
    func wait() -> Data {
        condition.lock(); defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}
