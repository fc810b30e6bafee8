import Foundation
public import Trust

/// `HTTPClient` as the TUF client's fetcher: `http://`, `https://` and `file://` URLs, with a
/// hard cap on the bytes accepted (endless-data attacks end at the cap, not at the disk's end).
/// Requests go through the process's `Transfers` engine: no thread hop per request, and the
/// connection to the repository stays open between the many small metadata GETs.
extension HTTPClient: RemoteFetcher {
    /// The engine with this client's timeouts; one retry for connection failures.
    var transfers: Transfers {
        Transfers(policy: TransferPolicy(connectTimeout: Double(connectTimeout), stallTimeout: stallTimeout, retries: 1, authorities: authorities))
    }

    public func fetch(_ url: String, maxLength: Int64) async throws -> [UInt8] {
        do {
            return try await transfers.fetch(TransferRequest(url: url, maxLength: maxLength))
        } catch let error as TransportError {
            throw Self.fetchError(error)
        }
    }

    public func download(_ url: String, to destination: String, maxLength: Int64) async throws -> Int64 {
        let file: FileConsumer
        do { file = try FileConsumer(path: destination) } catch {
            throw FetchError.failed(url: url, reason: "cannot create \(destination): \(error)")
        }
        do {
            return try await transfers.stream(TransferRequest(url: url, maxLength: maxLength), to: file).bytes
        } catch let error as TransportError {
            throw Self.fetchError(error)
        }
    }

    static func fetchError(_ error: TransportError) -> FetchError {
        switch error {
        case let .status(url, 404), let .status(url, 410): .notFound(url: url)
        case let .status(url, 403): .forbidden(url: url)
        case let .tooLarge(url, limit): .tooLarge(url: url, limit: limit)
        case let .status(url, _), let .network(url, _), let .io(url, _), let .allMirrorsFailed(url, _), let .locked(url, _, _):
            .failed(url: url, reason: error.description)
        }
    }
}
