import AlienModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `env` verb as a command line, shared by `alien-install env` (ArgumentParser) and the
/// fast binary `alien-env` (hand-parsed), so both choose the area, the architecture and the
/// shell alike, check in the same order, and print the same bytes and the same messages.
/// This is the command-line layer: its messages name the options (`--area`, `--arch`, …).
public enum EnvironmentCommandLine {
    /// Why the command stops: the message (without a program prefix) and the exit status.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var message: String
        /// `usageStatus` for a usage error, `1` for anything else.
        public var status: Int32

        public init(_ message: String, status: Int32 = 1) {
            self.message = message
            self.status = status
        }

        public var isUsage: Bool { status == EnvironmentCommandLine.usageStatus }
        public var description: String { message }
    }

    /// The exit status of a usage error (`EX_USAGE`, as ArgumentParser's validation errors).
    public static let usageStatus: Int32 = 64

    /// The software area: `area`, else `$ALIEN_AREA`, `$ALIBUILD_WORK_DIR`, `./sw`; the
    /// architecture: `arch`, else the area's only one, else the one remembered in
    /// `.alien/config.json` of an empty area, else this host's when the area has it or is empty.
    public static func locateArea(area: String?, arch: String?, environment: [String: String]) throws(Failure) -> EnvironmentArea {
        let candidates = [area, environment["ALIEN_AREA"], environment["ALIBUILD_WORK_DIR"]].compactMap { $0 }.filter { !$0.isEmpty }
        let text = candidates.first ?? "sw"
        // A plain absolute path is its own URL path (no URL is read: see `isPlainAbsolutePath`).
        let plain = EnvironmentArea.isPlainAbsolutePath(text)
        let root = plain ? URL(fileURLWithPath: text, isDirectory: true) : URL(fileURLWithPath: text)
        let rootPath = plain ? text : root.path
        func located(_ architecture: Architecture) -> EnvironmentArea {
            plain ? EnvironmentArea(plainRootPath: text, architecture: architecture) : EnvironmentArea(root: root, architecture: architecture)
        }
        guard POSIXFiles.isDirectory(rootPath) else {
            throw Failure("software area \(rootPath) does not exist (pass --area DIR or set ALIEN_AREA)")
        }
        if let arch {
            do { return located(try Architecture(arch)) } catch { throw Failure("\(error)") }
        }
        let present = EnvironmentArea.architectures(inPath: rootPath)
        if present.count == 1 { return located(present[0]) }
        // An empty area a packmand (or install) set up remembers its architecture.
        if present.isEmpty, let remembered = rememberedArchitecture(root: root) {
            return located(remembered)
        }
        if let host = hostArchitecture(environment: environment), present.isEmpty || present.contains(host) {
            return located(host)
        }
        throw Failure("software area \(rootPath) holds several architectures (\(present.map(\.rawValue).joined(separator: ", "))): pass --arch")
    }

    /// `"arch"` of `<root>/.alien/config.json`, when it names a valid architecture.
    /// (Read with AlienModel's JSON parser, as SoftwareArea's reader of the file; at most 1 MiB.)
    static func rememberedArchitecture(root: URL) -> Architecture? {
        guard let data = try? Data(contentsOf: root.appendingPathComponent(".alien/config.json")), data.count <= 1 << 20,
            case let .object(object)? = try? JSONValue(parsing: [UInt8](data)), case let .string(text)? = object["arch"]
        else { return nil }
        return try? Architecture(text)
    }

    /// The syntax `--shell` names, else the one of `$SHELL` (sh when unknown).
    public static func shell(_ text: String?, environment: [String: String]) throws(Failure) -> EnvironmentShell {
        guard let text else { return EnvironmentShell.fromPath(environment["SHELL"]) }
        guard let shell = EnvironmentShell(rawValue: text) else {
            throw Failure(
                "--shell: expected one of \(EnvironmentShell.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'",
                status: usageStatus)
        }
        return shell
    }

    /// Package arguments (`Pkg`, `Pkg/Ver-Rev`, `VO_ALICE@Pkg::Ver`, comma lists) → the
    /// installed packages they mean.
    public static func packages(_ arguments: [String], in area: EnvironmentArea) throws(Failure) -> [EnvironmentPackage] {
        do throws(EnvironmentError) { return try area.resolve(try EnvironmentRequest.parse(arguments)) } catch {
            throw Failure(error.description)
        }
    }

    /// `env`: the statements that give `environment` the packages' environment, in `shell`'s
    /// syntax, as UTF-8 to print. Checks in this order: area, shell, packages, environment.
    /// `freeingMemory: false` is for a process that exits after printing (see
    /// `EnvironmentArea.changes(of:base:freeingMemory:)`).
    public static func env(
        packages arguments: [String], area: String?, arch: String?, shell: String?,
        environment: [String: String], freeingMemory: Bool = true
    ) throws(Failure) -> [UInt8] {
        let located = try locateArea(area: area, arch: arch, environment: environment)
        let syntax = try self.shell(shell, environment: environment)
        let selected = try packages(arguments, in: located)
        do throws(EnvironmentError) {
            switch syntax {
            case .sh, .bash, .zsh:
                // The same bytes as `renderBytes(changes)`, without the changes' dictionary.
                return try located.posixStatements(of: selected, base: environment, freeingMemory: freeingMemory)
            case .csh, .tcsh, .fish, .json:
                return syntax.renderBytes(try located.changes(of: selected, base: environment, freeingMemory: freeingMemory))
            }
        } catch {
            throw Failure(error.description)
        }
    }
}
