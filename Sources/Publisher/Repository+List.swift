public import AlienModel
public import Trust

/// What `repo list` shows: the roles' versions and expiries, and the defined targets.
public struct RepositoryListing: Sendable {
    public struct Role: Hashable, Sendable {
        public var name: String
        public var version: Int64
        public var expires: Expiry
    }
    public struct Entry: Hashable, Sendable {
        public var path: String
        public var length: Int64
        public var sha256: String
        /// The package fields of `custom`; nil for targets that are not packages.
        public var package: PackageTargetMetadata?
        /// The info-hash of the tarball's torrent (`custom.infohash` next to `custom.torrent`).
        public var infoHash: String?
    }
    public var roles: [Role]
    /// Sorted by target path.
    public var targets: [Entry]
}

extension Repository {
    public func list() throws(PublisherError) -> RepositoryListing {
        let state = try load()
        let roles: [RepositoryListing.Role] = [
            .init(name: "root", version: state.root.signed.version, expires: state.root.signed.expires),
            .init(name: "targets", version: state.targets.signed.version, expires: state.targets.signed.expires),
            .init(name: "snapshot", version: state.snapshot.signed.version, expires: state.snapshot.signed.expires),
            .init(name: "timestamp", version: state.timestamp.signed.version, expires: state.timestamp.signed.expires)
        ]
        let entries = state.targets.signed.targets.keys.sorted().map { path in
            let file = state.targets.signed.targets[path]!
            let package = try? PackageTargetMetadata(custom: file.custom)
            return RepositoryListing.Entry(
                path: path, length: file.length, sha256: file.hashes["sha256"] ?? "",
                package: package, infoHash: package?.torrent == nil ? nil : package?.infoHash)
        }
        return RepositoryListing(roles: roles, targets: entries)
    }
}
