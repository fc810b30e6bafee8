import AlienModel
public import AreaEnvironment
import Basics
public import Foundation
import SoftwareArea

/// The reference for the manifest differential (tests only: the product never runs init.sh):
/// runs aliBuild's init.sh files in `bash` and reads the environment before and after
/// (`env -0`), exactly as `WORK_DIR=<area> ALIBUILD_ARCH_PREFIX=<arch> . init.sh` would set it.
public struct BashEnvironmentReference: Sendable {
    /// bash failed to start or an init.sh failed.
    public struct Failure: Error, CustomStringConvertible {
        public var packages: [String]
        public var status: Int32
        public var stderr: String
        public var description: String { "sourcing the init.sh of \(packages.joined(separator: ", ")) failed (bash exit status \(status)): \(stderr)" }
    }

    public var bash: String

    public init(bash: String = "/bin/bash") { self.bash = bash }

    /// The result of one bash run: the environment before anything was sourced and after each group.
    public struct Run: Sendable {
        public var snapshots: [[String: String]]
        public var stderr: String
        public var status: Int32
    }

    /// The changes sourcing the init.sh of `packages` (in order) makes to `base`.
    /// `WORK_DIR` and `ALIBUILD_ARCH_PREFIX` are set as aliBuild's alienv sets them and are part of
    /// the changes.
    public func changes(
        area: EnvironmentArea, packages: [EnvironmentPackage],
        base: [String: String]
    ) throws -> EnvironmentChanges {
        let run = try self.run(area: area, groups: [packages.map(\.initScript)], base: base, presetWorkDir: false)
        guard run.status == 0, run.snapshots.count == 2 else {
            throw Failure(packages: packages.map(\.moduleName), status: run.status, stderr: run.stderr)
        }
        return EnvironmentChanges.diff(before: run.snapshots[0], after: run.snapshots[1])
    }

    /// Sources the groups of init.sh files one after the other and snapshots the environment
    /// before the first and after each group. With `presetWorkDir`, `WORK_DIR` and
    /// `ALIBUILD_ARCH_PREFIX` are set before the first snapshot (so they are not part of any change).
    public func run(
        area: EnvironmentArea, groups: [[URL]], base: [String: String],
        presetWorkDir: Bool
    ) throws -> Run {
        let script = """
            exec 3>&1 1>&2
            __alien_snap() { /usr/bin/env -0 >&3; printf '\\0' >&3; }
            __alien_work_dir=$1; __alien_arch=$2; __alien_preset=$3; shift 3
            if [ "$__alien_preset" = 1 ]; then export WORK_DIR="$__alien_work_dir" ALIBUILD_ARCH_PREFIX="$__alien_arch"; fi
            __alien_snap
            if [ "$__alien_preset" != 1 ]; then export WORK_DIR="$__alien_work_dir" ALIBUILD_ARCH_PREFIX="$__alien_arch"; fi
            unset __alien_work_dir __alien_arch __alien_preset
            for __alien_file in "$@"; do
              if [ "$__alien_file" = "--snapshot" ]; then __alien_snap; continue; fi
              if [ ! -r "$__alien_file" ]; then echo "cannot read $__alien_file" >&2; exit 97; fi
              . "$__alien_file" || echo "alien-install: $__alien_file returned status $?" >&2
            done
            """
        var arguments = [
            "--noprofile", "--norc", "-c", script, "alien-install-env", area.root.path, area.architecture.rawValue,
            presetWorkDir ? "1" : "0"
        ]
        for group in groups { arguments += group.map(\.path) + ["--snapshot"] }
        var environment = base
        environment["BASH_ENV"] = nil
        environment["ENV"] = nil
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bash)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.start() } catch {
            throw Failure(packages: [], status: -1, stderr: "cannot start \(bash): \(error.localizedDescription)")
        }
        let errorBox = ReferenceDataBox()
        let reader = Thread { errorBox.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = String(decoding: errorBox.wait(), as: UTF8.self)
        return Run(snapshots: Self.snapshots(output), stderr: errorText, status: process.terminationStatus)
    }

    /// `K=V\0K=V\0\0K=V\0\0` → one dictionary per snapshot (an empty entry ends a snapshot).
    public static func snapshots(_ data: Data) -> [[String: String]] {
        var result: [[String: String]] = []
        var current: [String: String] = [:]
        for entry in data.split(separator: 0, omittingEmptySubsequences: false) {
            if entry.isEmpty {
                result.append(current)
                current = [:]
                continue
            }
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            current[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        // `data` ends with "\0\0" after the last snapshot: the final split piece is empty and closes
        // nothing new, so drop an empty trailing dictionary produced by it.
        if let last = result.last, last.isEmpty, result.count > 1 { result.removeLast() }
        return result
    }
}

/// Bytes handed from a reader thread to the waiting caller.
final class ReferenceDataBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    func set(_ value: Data) {
        condition.lock()
        data = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}
