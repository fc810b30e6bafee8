public import AreaEnvironment
public import PackManAPI
public import SoftwareArea

/// Why a job did not run to its end. `exitStatus` is what a job wrapper reports: 127 when the
/// command is not found, 126 when it cannot be started, 1 for anything else.
public enum JobError: Error, Sendable, CustomStringConvertible {
    /// The JDL's check found problems (the file and each problem).
    case problems(file: String, [String])
    /// No command was given and the JDL has no `Executable`.
    case noCommand(file: String)
    /// The area cannot install (it trusts no repository) and these requests are not installed.
    case notInstalled(area: String, missing: [String])
    /// Installing, leasing or releasing in the area failed.
    case area(SoftwareAreaError)
    /// The packages' environment could not be computed.
    case environment(EnvironmentError)
    /// The packmand serving the area could not be asked.
    case daemon(PackManClientError)
    /// The packmand's install job did not succeed (within an hour).
    case daemonJob(id: String, state: String, reason: String)
    /// The command is not in the environment's PATH.
    case commandNotFound(String)
    /// The command could not be started.
    case cannotRun(path: String, reason: String)

    public var exitStatus: Int32 {
        switch self {
        case .commandNotFound: 127
        case .cannotRun: 126
        default: 1
        }
    }

    public var description: String {
        switch self {
        case let .problems(file, problems): "\(file): " + problems.joined(separator: "; ")
        case let .noCommand(file): "\(file): no Executable, and no command given"
        case let .notInstalled(area, missing):
            "not installed in \(area) (and the area knows no repository to install from): \(missing.joined(separator: ", "))"
        case let .area(error): error.description
        case let .environment(error): error.description
        case let .daemon(error): error.description
        case let .daemonJob(id, state, reason): "packmand job \(id) \(state): \(reason)"
        case let .commandNotFound(program): "\(program): command not found in the environment's PATH"
        case let .cannotRun(path, reason): "cannot run \(path): \(reason)"
        }
    }
}
