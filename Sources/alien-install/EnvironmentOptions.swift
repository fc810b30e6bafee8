import AlienModel
import AreaEnvironment
import ArgumentParser
import Basics
import Foundation
import SoftwareArea

/// `--area` / `--arch` of the environment commands.
struct EnvironmentAreaOptions: ParsableArguments {
    @Option(
        name: [.long, .customShort("w"), .customLong("work-dir")],
        help: "The software area (default: $ALIEN_AREA, $ALIBUILD_WORK_DIR, ./sw).")
    var area: String?

    @Option(
        name: [.long, .customShort("a"), .customLong("architecture")],
        help: "The architecture (default: the area's only one, else this host's).")
    var arch: String?

    /// The area and architecture (`EnvironmentCommandLine.locateArea`, shared with alien-env).
    func resolve() throws -> EnvironmentArea {
        try EnvironmentCommandLine.locateArea(area: area, arch: arch, environment: ProcessInfo.processInfo.environment)
    }
}

/// Package arguments → installed packages of the area.
func installedPackages(_ arguments: [String], in area: EnvironmentArea) throws -> [EnvironmentPackage] {
    try area.resolve(try EnvironmentRequest.parse(arguments))
}

/// Replaces this process by `command` in `environment` (execve); returns only on failure.
func execute(_ command: [String], environment: [String: String]) throws -> Never {
    guard let program = command.first else { throw Output.fail("no command given") }
    guard let path = ExecutableSearch.find(program, path: environment["PATH"]) else {
        throw Output.fail("\(program): command not found in the environment's PATH", code: 127)
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
