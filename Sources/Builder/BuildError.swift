import AlienModel
public import Tarballs
public import Transport

/// Why a build (or part of one) failed. Messages name the package and the file involved.
public enum BuildError: Error, CustomStringConvertible, Sendable {
    case io(path: String, reason: String)
    case source(package: String, command: String, output: String)
    case script(package: String, status: Int32, log: String, tail: [String])
    case dependencyFailed(package: String, dependency: String)
    /// Packing the package or unpacking its tarball failed.
    case tarball(package: String, TarballError)
    case relocation(path: String, reason: String)
    case badValue(package: String, key: String, reason: String)
    /// Reading the remote store failed.
    case download(url: String, TransportError)

    public var description: String {
        switch self {
        case let .io(path, reason): "\(path): \(reason)"
        case let .source(package, command, output): "\(package): `\(command)` failed: \(output)"
        case let .script(package, status, log, _): "\(package): the build script exited with status \(status) (log: \(log))"
        case let .dependencyFailed(package, dependency): "\(package): not built because \(dependency) failed"
        case let .tarball(package, error): "\(package): tarball: \(error)"
        case let .relocation(path, reason): "\(path): relocation failed: \(reason)"
        case let .badValue(package, key, reason): "\(package): '\(key)' \(reason)"
        case let .download(_, error): "remote store: \(error)"
        }
    }
}
