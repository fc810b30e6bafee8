public import AlienModel
import Trust

extension PackageCatalog {
    /// The revocations the trusted targets metadata holds for the catalog's architecture
    /// (`revocations/<arch>/...` targets whose signed `custom` is a `PackageRevocation` naming
    /// that very path), sorted by package. Refreshes first if needed, like every listing; a
    /// signed entry that does not read as a revocation is skipped (it revokes nothing).
    public func revocations() async throws(SoftwareAreaError) -> [PackageRevocation] {
        let infos: [TargetInfo]
        do { infos = try await updater.targets(matching: "\(PackageRevocation.pathPrefix)\(arch)/") } catch {
            throw .catalog(error, package: "(revocations)")
        }
        return infos.compactMap { info in
            guard let revocation = try? PackageRevocation(custom: info.file.custom), revocation.targetPath == info.path,
                revocation.arch == arch
            else { return nil }
            return revocation
        }.sorted { ($0.name, $0.build) < ($1.name, $1.build) }
    }

    /// `resolve` with revoked builds left out: a request that names no exact build (`ROOT`,
    /// `ROOT::latest`) gets the newest build nobody revoked; a request that only revoked builds
    /// satisfy is refused as `revoked` with the newest one's reason.
    public func resolve(_ request: PackageID, excluding revoked: [PackageRevocation]) async throws(SoftwareAreaError) -> PackageTarget {
        let name = request.name.rawValue
        let candidates = try await available(name: name).filter { request.version.matches($0.build.version) }
        let revokedPaths = Dictionary(revoked.map { ($0.target, $0) }, uniquingKeysWith: { first, _ in first })
        guard let best = candidates.first(where: { revokedPaths[$0.info.path] == nil }) else {
            if let newest = candidates.first, let revocation = revokedPaths[newest.info.path] {
                throw .revoked(package: newest.build.description, reason: revocation.reason, time: revocation.time)
            }
            throw .unknownPackage(request.description, reason: "no trusted target of \(name) for \(arch) matches")
        }
        return try await target(path: best.info.path, for: request.description)
    }
}
