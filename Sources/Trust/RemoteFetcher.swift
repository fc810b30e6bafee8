/// Where the updater gets bytes from: implemented in module Transport by `HTTPClient` (libcurl:
/// http, https, file) and by in-memory and directory-backed fakes in the tests.
public protocol RemoteFetcher: Sendable {
    /// The whole body at `url`. Must throw `FetchError.tooLarge` as soon as more than
    /// `maxLength` bytes arrive; throws `FetchError.notFound` for 404 / a missing file and
    /// `FetchError.forbidden` for 403.
    func fetch(_ url: String, maxLength: Int64) async throws -> [UInt8]
    /// Streams `url` into the new file `destination` (created; the caller removes it on error),
    /// refusing more than `maxLength` bytes. Returns the number of bytes written.
    func download(_ url: String, to destination: String, maxLength: Int64) async throws -> Int64
}

/// Why a fetch failed.
public enum FetchError: Error, Hashable, Sendable, CustomStringConvertible {
    /// HTTP 404 (or 410), or a missing file.
    case notFound(url: String)
    /// HTTP 403. S3-style object stores answer it for a missing object, so the root rotation
    /// chain ends on it as on `notFound` (as python-tuf's updater does); anywhere else it is a
    /// failure.
    case forbidden(url: String)
    /// More than `limit` bytes arrived (endless-data attack or a wrong length in metadata).
    case tooLarge(url: String, limit: Int64)
    /// Anything else: connection, HTTP status, local I/O.
    case failed(url: String, reason: String)

    public var description: String {
        switch self {
        case let .notFound(url): "\(url): not found"
        case let .forbidden(url): "\(url): HTTP 403 (forbidden)"
        case let .tooLarge(url, limit): "\(url): more than \(limit) bytes; expected at most \(limit)"
        case let .failed(url, reason): "\(url): \(reason)"
        }
    }
}
