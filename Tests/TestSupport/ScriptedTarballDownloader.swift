import Foundation
import SoftwareArea
import Trust

/// A `TarballDownloader` that does what it is told: copy a given file in as "the tarball",
/// send the package to HTTP, or fail. Records the packages it was asked for.
public final class ScriptedTarballDownloader: TarballDownloader, @unchecked Sendable {
    public enum Script: Sendable {
        case copy(String)
        case useHTTP(String?)
        case fail(SoftwareAreaError)
    }

    private let lock = NSLock()
    private var asked: [String] = []
    public let script: Script

    public init(_ script: Script) { self.script = script }

    public var requests: [String] {
        lock.withLock { asked }
    }

    public func download(_ package: PackageTarget, catalog: PackageCatalog, into directory: String, webSeeds: [String],
                         reporter: any AreaReporter) async throws(SoftwareAreaError) -> TarballDownload {
        lock.withLock { asked.append(package.info.path) }
        switch script {
        case let .copy(source):
            let target = "\(directory)/tarball"
            do { try FileManager.default.copyItem(atPath: source, toPath: target) } catch {
                throw .io(path: target, operation: "copy", reason: "\(error)")
            }
            return .file(path: target, torrent: nil)
        case let .useHTTP(reason): return .useHTTP(reason: reason)
        case let .fail(error): throw error
        }
    }
}
