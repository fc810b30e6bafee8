import AlienModel

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
            var inputs = PackageHasher.ownInputs(of: package, stamp: package.hashInputs.first { $0.label == "force_rebuild" }?.value ?? "")
            for dependency in package.requires {
                inputs.append(HashInput(label: "requires \(dependency)", value: result[dependency] ?? ""))
            }
            if let relocation = package.hashInputs.first(where: { $0.label == "relocate_paths" }) { inputs.append(relocation) }
            if world(package.name) == .local { inputs.append(HashInput(label: "local", value: "local")) }
            result[package.name] = PackageHasher.digest(inputs)
        }
        return result
    }
}
