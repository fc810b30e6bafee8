/// Why a transfer failed; messages name the URL or file.
public enum TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server answered with an error status (404 included).
    case status(url: String, code: Int)
    /// No answer: connection refused, timeout, DNS, TLS, a broken transfer.
    case network(url: String, message: String)
    case io(path: String, reason: String)
    /// More bytes arrived than the caller allowed (endless-data protection); the transfer was cut.
    case tooLarge(url: String, limit: Int64)
    /// Every mirror failed, retries included (each failure: "URL: reason").
    case allMirrorsFailed(url: String, failures: [String])
    /// A store's writer lock stayed held by another writer (`holder`: who and since when, as
    /// it recorded) for longer than the caller would wait.
    case locked(location: String, holder: String, waited: Int)

    public var isNotFound: Bool {
        if case let .status(_, code) = self { return code == 404 }
        return false
    }

    public var description: String {
        switch self {
        case let .status(url, code): "\(url): HTTP \(code)"
        case let .network(url, message): "\(url): \(message)"
        case let .io(path, reason): "\(path): \(reason)"
        case let .tooLarge(url, limit): "\(url): more than \(limit) bytes; refused"
        case let .allMirrorsFailed(url, failures):
            "\(url): every mirror failed (\(failures.count) attempts): " + failures.joined(separator: "; ")
        case let .locked(location, holder, waited):
            "\(location): another writer holds the lock (\(holder)); waited \(waited) s. If no publish is running "
                + "(one was killed), remove it and try again"
        }
    }
}
