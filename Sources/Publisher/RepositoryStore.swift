public import Foundation
public import Transport
public import Trust

/// A TUF repository's files on an `ArtifactSource` (a directory, or an HTTP server taking PUT):
/// raw bytes for targets and typed metadata under `metadata/`. File names follow consistent
/// snapshots: `metadata/N.root.json`, `N.targets.json`, `N.snapshot.json`, `timestamp.json`,
/// plus `metadata/root.json`, a copy of the newest root for bootstrapping clients.
public struct RepositoryStore: Sendable {
    public let source: any ArtifactSource

    public init(source: any ArtifactSource) {
        self.source = source
    }

    /// `http://` or `https://` URLs are written by PUT; anything else is a local directory.
    public init(location: String, synchronize: Bool = true) {
        if location.hasPrefix("http://") || location.hasPrefix("https://") {
            source = HTTPArtifactSource(baseURL: location)
        } else {
            source = DirectoryArtifactSource(root: URL(fileURLWithPath: location), synchronize: synchronize)
        }
    }

    public var location: String { source.location }

    /// `location/path`, for messages.
    public func describe(_ path: String) -> String { "\(location)/\(path)" }

    public static func metadataPath(_ name: String) -> String { "metadata/\(name)" }

    public func exists(_ path: String) throws(PublisherError) -> Bool {
        do { return try source.exists(path) } catch { throw .transport(error) }
    }

    public func readBytes(_ path: String) throws(PublisherError) -> Data? {
        do { return try source.get(path) } catch { throw .transport(error) }
    }

    /// Writes atomically (readers see the old bytes or the new ones).
    public func writeBytes(_ path: String, _ data: Data) throws(PublisherError) {
        do { try source.put(path, data: data) } catch { throw .transport(error) }
    }

    /// Writes `path` unless something is there already (false then, nothing written): for
    /// versioned metadata, which is never overwritten once written.
    public func createBytes(_ path: String, _ data: Data) throws(PublisherError) -> Bool {
        do { return try source.create(path, data: data) } catch { throw .transport(error) }
    }

    /// The store's writer lock (`<location>/.publish.lock`): held from reading the metadata to
    /// writing the timestamp, so that publishers take turns.
    public func lockWriters(waitingUpTo seconds: Double) throws(PublisherError) -> WriterLock {
        do { return try source.lockWriters(waitingUpTo: seconds) } catch { throw .transport(error) }
    }

    public func writeFile(_ path: String, from file: URL) throws(PublisherError) {
        do { try source.put(path, contentsOf: file) } catch { throw .transport(error) }
    }

    public func delete(_ path: String) throws(PublisherError) {
        do { try source.delete(path) } catch { throw .transport(error) }
    }

    /// `metadata/<name>` parsed, or nil when absent.
    public func readMetadata<Role: SignedRole>(_ name: String, as: Role.Type = Role.self) throws(PublisherError) -> Metadata<Role>? {
        let path = Self.metadataPath(name)
        guard let data = try readBytes(path) else { return nil }
        do { return try Metadata<Role>(bytes: [UInt8](data)) } catch {
            throw .invalidMetadata(file: describe(path), expected: Role.roleType, error)
        }
    }

    /// Writes `metadata/<name>` (compact JSON, sorted keys); returns the bytes written.
    @discardableResult
    public func writeMetadata<Role: SignedRole>(_ name: String, _ metadata: Metadata<Role>) throws(PublisherError) -> [UInt8] {
        let bytes = metadata.serialized()
        try writeBytes(Self.metadataPath(name), Data(bytes))
        return bytes
    }
}
