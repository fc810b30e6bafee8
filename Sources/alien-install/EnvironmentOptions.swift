import AlienModel
import AreaEnvironment
import ArgumentParser
import Foundation
import HostEnvironment
import SoftwareArea

/// `--area` / `--arch` of the environment commands.
struct EnvironmentAreaOptions: ParsableArguments {
    @Option(name: [.long, .customShort("w"), .customLong("work-dir")],
            help: "The software area (default: $ALIEN_AREA, $ALIBUILD_WORK_DIR, ./sw).")
    var area: String?

    @Option(name: [.long, .customShort("a"), .customLong("architecture")],
            help: "The architecture (default: the area's only one, else this host's).")
    var arch: String?

    func resolve() throws -> EnvironmentArea {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [area, environment["ALIEN_AREA"], environment["ALIBUILD_WORK_DIR"]].compactMap { $0 }.filter { !$0.isEmpty }
        let rootPath = candidates.first ?? "sw"
        let root = URL(fileURLWithPath: rootPath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Output.fail("software area \(root.path) does not exist (pass --area DIR or set ALIEN_AREA)")
        }
        if let arch {
            return EnvironmentArea(root: root, architecture: try Output.run { try Architecture(arch) })
        }
        let present = EnvironmentArea.architectures(in: root)
        if present.count == 1 { return EnvironmentArea(root: root, architecture: present[0]) }
        // An empty area a packmand (or install) set up remembers its architecture.
        if present.isEmpty, let data = FileManager.default.contents(atPath: root.appendingPathComponent(".alien/config.json").path),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let remembered = object["arch"] as? String,
           let architecture = try? Architecture(remembered) {
            return EnvironmentArea(root: root, architecture: architecture)
        }
        if let host = try? HostArchitecture.current(), present.isEmpty || present.contains(host) {
            return EnvironmentArea(root: root, architecture: host)
        }
        throw Output.fail("software area \(root.path) holds several architectures (\(present.map(\.rawValue).joined(separator: ", "))): pass --arch")
    }
}

/// Package arguments → installed packages of the area.
func installedPackages(_ arguments: [String], in area: EnvironmentArea) throws -> [EnvironmentPackage] {
    try Output.run { try area.resolve(try EnvironmentRequest.parse(arguments)) }
}

/// Replaces this process by `command` in `environment` (execve); returns only on failure.
func execute(_ command: [String], environment: [String: String]) throws -> Never {
    guard let program = command.first else { throw Output.fail("no command given") }
    var path = program
    if !program.contains("/") {
        let directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false)
        guard let found = directories.map({ ($0.isEmpty ? "." : String($0)) + "/" + program })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Output.fail("\(program): command not found in the environment's PATH", code: 127)
        }
        path = found
    }
    let arguments = command.map { strdup($0) } + [nil]
    let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    // The signal mask survives exec; a concurrency thread's blocks nearly everything.
    var empty = sigset_t()
    sigemptyset(&empty)
    pthread_sigmask(SIG_SETMASK, &empty, nil)
    execve(path, arguments, variables)
    let reason = String(cString: strerror(errno))
    throw Output.fail("cannot run \(path): \(reason)", code: 126)
}
