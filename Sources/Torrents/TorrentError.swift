/// Failures of the torrent layer, with context.
public enum TorrentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Malformed bencoding at byte `offset`.
    case bencode(offset: Int, expected: String, got: String)
    /// A metainfo field is missing or has the wrong form.
    case metainfo(field: String, expected: String, got: String)
    /// libtorrent reported an error (code from ctorrent.h, message).
    case library(operation: String, code: Int32, message: String)
    case invalidArgument(name: String, expected: String, got: String)
    /// The session was shut down.
    case stopped
    /// No byte arrived for `seconds` (the caller falls back to HTTP).
    case stalled(name: String, seconds: Double, bytes: Int64, total: Int64)
    /// No peer and no web seed delivered a byte within `seconds` of the start, or none can (the
    /// trackers failed, no peer is known, no web seed is allowed or they all failed): the caller
    /// goes to HTTP at once. `reason` says what was tried.
    case noSource(name: String, seconds: Double, reason: String)
    /// The torrent failed (disk, file error).
    case failed(name: String, reason: String)

    public var description: String {
        switch self {
        case let .bencode(offset, expected, got): "bencoding at byte \(offset): expected \(expected), got \(got)"
        case let .metainfo(field, expected, got): "torrent metainfo field \(field): expected \(expected), got \(got)"
        case let .library(operation, code, message): "libtorrent \(operation) (code \(code)): \(message)"
        case let .invalidArgument(name, expected, got): "\(name): expected \(expected), got \(got)"
        case .stopped: "the torrent session is shut down"
        case let .stalled(name, seconds, bytes, total): "\(name): no progress for \(seconds) s at \(bytes) of \(total) bytes"
        case let .noSource(name, seconds, reason): "\(name): no peer or web seed delivered a byte within \(seconds) s (\(reason))"
        case let .failed(name, reason): "\(name): \(reason)"
        }
    }
}
