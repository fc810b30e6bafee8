public import Foundation
public import Transport

/// Wraps an `ArtifactSource` and fails every write whose path satisfies `failWrite` (as a server
/// answering 507 would), for tests that a failed publish leaves the repository as it was.
public struct FailingArtifactSource: ArtifactSource {
    public let inner: any ArtifactSource
    public let failWrite: @Sendable (String) -> Bool

    public init(_ inner: any ArtifactSource, failWrite: @escaping @Sendable (String) -> Bool) {
        self.inner = inner
        self.failWrite = failWrite
    }

    public var location: String { inner.location }
    public func exists(_ path: String) throws(TransportError) -> Bool { try inner.exists(path) }
    public func get(_ path: String) throws(TransportError) -> Data? { try inner.get(path) }

    public func put(_ path: String, data: Data) throws(TransportError) {
        if failWrite(path) { throw .status(url: "\(location)/\(path)", code: 507) }
        try inner.put(path, data: data)
    }

    public func put(_ path: String, contentsOf file: URL) throws(TransportError) {
        if failWrite(path) { throw .status(url: "\(location)/\(path)", code: 507) }
        try inner.put(path, contentsOf: file)
    }

    public func delete(_ path: String) throws(TransportError) { try inner.delete(path) }

    public func create(_ path: String, data: Data) throws(TransportError) -> Bool {
        if failWrite(path) { throw .status(url: "\(location)/\(path)", code: 507) }
        return try inner.create(path, data: data)
    }

    public func lockWriters(waitingUpTo seconds: Double) throws(TransportError) -> WriterLock {
        try inner.lockWriters(waitingUpTo: seconds)
    }
}
