public import AlienModel
public import Foundation

/// aliBuild's work directory layout (recipe-format.md §7): sources, build and install
/// roots per hash, the TARS store with its links, and installed packages.
public struct BuildLayout: Sendable {
    public let workDir: URL
    public let architecture: Architecture

    public init(workDir: URL, architecture: Architecture) {
        self.workDir = workDir.standardizedFileURL
        self.architecture = architecture
    }

    var arch: String { architecture.rawValue }

    public func tarballName(_ build: PackageBuild) -> String {
        "\(build.name)-\(build.version).\(arch).tar.gz"
    }

    /// `TARS/<arch>/store/<h2>/<hash>/`
    public func storeDirectory(hash: String) -> URL {
        workDir.appendingPathComponent("TARS/\(arch)/store/\(hash.prefix(2))/\(hash)")
    }

    /// `TARS/<arch>/<pkg>/`: one link per built revision, into the store.
    public func linksDirectory(_ name: PackageName) -> URL {
        workDir.appendingPathComponent("TARS/\(arch)/\(name)")
    }

    /// `<arch>/<pkg>/<ver>-<rev>` relative to the work dir (`PKGPATH`).
    public func packagePath(_ build: PackageBuild) -> String {
        "\(arch)/\(build)"
    }

    public func installDirectory(_ build: PackageBuild) -> URL {
        workDir.appendingPathComponent(packagePath(build))
    }

    public func buildRoot(hash: String) -> URL { workDir.appendingPathComponent("BUILD/\(hash)") }
    public func installRoot(hash: String) -> URL { workDir.appendingPathComponent("INSTALLROOT/\(hash)") }

    public func sourceDirectory(_ name: PackageName, _ version: String, _ commit: String) -> URL {
        workDir.appendingPathComponent("SOURCES/\(name)/\(version)/\(commit)")
    }

    public func specsDirectory(_ build: PackageBuild) -> URL {
        workDir.appendingPathComponent("SPECS/\(arch)/\(build)")
    }
}
