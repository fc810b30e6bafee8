import Basics
import AlienModel
import Crypto
import Foundation
public import Trust

/// The current top-level metadata of a repository, as read from its store and verified:
/// the newest root (following `N.root.json` while newer ones exist, each signed by the previous
/// and by itself), then timestamp → snapshot → targets, each signed by the threshold the root
/// sets and each naming the next by version. Expiry is not checked here: a release manager
/// must be able to repair a repository whose metadata expired.
public struct RepositoryState: Sendable {
    public var root: Metadata<Root>
    public var targets: Metadata<Targets>
    public var snapshot: Metadata<Snapshot>
    public var timestamp: Metadata<Timestamp>

    public init(root: Metadata<Root>, targets: Metadata<Targets>, snapshot: Metadata<Snapshot>, timestamp: Metadata<Timestamp>) {
        self.root = root
        self.targets = targets
        self.snapshot = snapshot
        self.timestamp = timestamp
    }

    /// Whether `store` already holds a repository: `metadata/timestamp.json`, written last by
    /// every operation, `repo init` included. Files an interrupted `repo init` left behind
    /// (no timestamp yet) do not count: a new `init` overwrites them.
    public static func exists(in store: RepositoryStore) throws(PublisherError) -> Bool {
        try store.exists(RepositoryStore.metadataPath("timestamp.json"))
    }

    public static func load(from store: RepositoryStore) throws(PublisherError) -> RepositoryState {
        func need<Role: SignedRole>(_ name: String, _ type: Role.Type) throws(PublisherError) -> Metadata<Role> {
            guard let metadata = try store.readMetadata(name, as: type) else {
                throw .notARepository(location: store.location, reason: "\(RepositoryStore.metadataPath(name)) is missing")
            }
            return metadata
        }
        func verify<Role: SignedRole>(_ metadata: Metadata<Role>, _ role: String, by root: Root, file: String) throws(PublisherError) {
            do { try root.verify(metadata, as: role) } catch {
                throw .invalidMetadata(file: store.describe(RepositoryStore.metadataPath(file)), expected: nil, error)
            }
        }
        var root = try need("root.json", Root.self)
        try verify(root, "root", by: root.signed, file: "root.json")
        while let next = try store.readMetadata("\(root.signed.version + 1).root.json", as: Root.self) {
            let file = "\(root.signed.version + 1).root.json"
            guard next.signed.version == root.signed.version + 1 else {
                throw .metadata(
                    file: store.describe(RepositoryStore.metadataPath(file)),
                    reason: "version is \(next.signed.version); expected \(root.signed.version + 1)")
            }
            try verify(next, "root", by: root.signed, file: file)
            try verify(next, "root", by: next.signed, file: file)
            root = next
        }
        let timestamp = try need("timestamp.json", Timestamp.self)
        try verify(timestamp, "timestamp", by: root.signed, file: "timestamp.json")
        let snapshotFile = "\(timestamp.signed.snapshotMeta.version).snapshot.json"
        let snapshot = try need(snapshotFile, Snapshot.self)
        try verify(snapshot, "snapshot", by: root.signed, file: snapshotFile)
        guard let targetsMeta = snapshot.signed.meta["targets.json"] else {
            throw .metadata(file: store.describe(RepositoryStore.metadataPath(snapshotFile)), reason: "meta has no 'targets.json' entry")
        }
        let targetsFile = "\(targetsMeta.version).targets.json"
        let targets = try need(targetsFile, Targets.self)
        try verify(targets, "targets", by: root.signed, file: targetsFile)
        return RepositoryState(root: root, targets: targets, snapshot: snapshot, timestamp: timestamp)
    }
}

/// Lower-case hex sha256 of bytes.
func sha256Hex(_ bytes: some DataProtocol) -> String {
    Hex.lowercase(SHA256.hash(data: bytes))
}

/// Streaming sha256 and length of a file (1 MiB reads, constant memory).
func hashFile(_ path: String) throws(PublisherError) -> (length: Int64, sha256: String) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .tarball(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var hasher = SHA256()
    var length: Int64 = 0
    let code = FileIO.readChunks(fd) { chunk in
        hasher.update(bufferPointer: chunk)
        length += Int64(chunk.count)
    }
    if code != 0 { throw .tarball(path: path, reason: "read failed: \(FileIO.describe(code))") }
    return (length, Hex.lowercase(hasher.finalize()))
}
