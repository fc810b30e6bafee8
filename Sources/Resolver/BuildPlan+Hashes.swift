public import AlienModel

extension BuildPlan {
    /// How one package was (or will be) obtained, which decides the hash it contributes.
    public enum HashWorld: Sendable {
        /// From a shared store: revision `N`, the remote hash.
        case remote
        /// Built here without a write store: revision `localN`, the local hash.
        case local
    }

    /// Final hashes when each package is obtained as `world` says (aliBuild mixes them:
    /// a package reused from a remote store contributes its remote hash to a local build).
    public func hashes(world: (PackageName) -> HashWorld) -> [PackageName: String] {
        var result: [PackageName: String] = [:]
        for package in orderedPackages {
            let inputs = PackageHasher.inputs(
                of: package, stamp: forceRebuildStamp, architecture: architecture,
                local: world(package.name) == .local
            ) { result[$0] ?? "" }
            result[package.name] = PackageHasher.digest(inputs)
        }
        return result
    }
}
