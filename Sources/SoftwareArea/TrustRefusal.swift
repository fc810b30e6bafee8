public import Torrents
public import Transport
public import Trust

/// Why a package's signed metadata, companions or bytes were refused: the typed cause as the
/// module that found it reported it (the TUF client, the piece-hash list or torrent reader,
/// the verified stream, the transfer), or the area's own check against signed metadata.
public enum TrustRefusal: Hashable, Sendable, CustomStringConvertible {
    /// The TUF client refused (metadata update, target lookup, target URL).
    case update(UpdaterError)
    /// A signed companion target (`kind`: "piece-hash list", "torrent") at `path` was refused
    /// by the TUF client.
    case companion(kind: String, path: String, UpdaterError)
    /// The piece-hash list at `path` does not parse.
    case pieceList(path: String, PieceListError)
    /// The torrent at `path` does not parse or cannot be used as asked.
    case torrent(path: String, TorrentError)
    /// The bytes of `target` failed their piece or whole-file check.
    case pieces(target: String, PieceVerificationError)
    /// Downloading `target` failed (every mirror and retry).
    case transport(target: String, TransportError)
    /// The area's own refusal (a length or hash against signed metadata, nothing delivered), or a
    /// download failure of no known type, in words.
    case refused(String)

    public var description: String {
        switch self {
        case let .update(error): error.description
        case let .companion(kind, path, error): "\(kind) \(path) refused: \(error)"
        case let .pieceList(path, error): "piece-hash list \(path): \(error)"
        case let .torrent(path, error): "torrent \(path): \(error)"
        case let .pieces(target, error): "\(target): \(error)"
        case let .transport(target, error): "\(target): download failed: \(error)"
        case let .refused(reason): reason
        }
    }
}
