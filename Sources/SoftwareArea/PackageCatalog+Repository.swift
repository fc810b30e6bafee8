import AlienModel
import Foundation
public import Trust

extension PackageCatalog {
    /// Every package target of every architecture, sorted by arch, then name, then newest first
    /// (for "defined only for another architecture" answers).
    public func availableEverywhere() async throws(SoftwareAreaError) -> [PackageTarget] {
        let infos: [TargetInfo]
        do { infos = try await updater.targets(matching: "") } catch {
            throw .catalog(error, package: "(all targets)")
        }
        var packages: [PackageTarget] = []
        for info in infos where info.path.hasSuffix(".tar.gz") || info.path.hasSuffix(".tar.zst") {
            guard let package = try? PackageTarget(info) else { continue }
            packages.append(package)
        }
        return packages.sorted {
            if $0.arch != $1.arch { return $0.arch < $1.arch }
            return $0.build.name != $1.build.name ? $0.build.name < $1.build.name : Self.newer($0.build, than: $1.build)
        }
    }

    /// A catalog of the repository at `repository` (base URL; `…/metadata`, `…/targets` under
    /// it) trusting `rootFile`, with its metadata kept in `metadataDirectory` (created; a
    /// directory that already trusts a root keeps it). Used without a software area, e.g. by
    /// `jdl check --repo URL --root ROOT_JSON`, which passes a temporary directory.
    public static func direct(
        repository: String, rootFile: String, metadataDirectory: String, arch: String,
        fetcher: any RemoteFetcher
    ) throws(SoftwareAreaError) -> PackageCatalog {
        guard let bytes = FileSystem.readBytes(rootFile) else { throw .badFile(path: rootFile, reason: "cannot read the root file") }
        if !FileSystem.exists("\(metadataDirectory)/root.json") {
            do { try Updater.initialize(rootBytes: bytes, metadataDirectory: metadataDirectory) } catch {
                throw .badRoot(path: rootFile, error)
            }
        }
        let base = repository.hasSuffix("/") ? String(repository.dropLast()) : repository
        let updater = Updater(
            metadataDirectory: metadataDirectory, metadataBaseURL: base + "/metadata", targetBaseURL: base + "/targets",
            fetcher: fetcher)
        return PackageCatalog(updater: updater, arch: arch)
    }
}
