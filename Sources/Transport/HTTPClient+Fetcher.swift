import Foundation
import Trust

/// `HTTPClient` as the TUF client's fetcher: `http://`, `https://` and `file://` URLs, with a
/// hard cap on the bytes accepted (endless-data attacks end at the cap, not at the disk's end).
/// Transfers run on a dispatch thread so that the blocking libcurl call never holds one of the
/// cooperative pool's threads.
extension HTTPClient: RemoteFetcher {
    public func fetch(_ url: String, maxLength: Int64) async throws -> [UInt8] {
        try await offload {
            let sink = LimitedDataSink(limit: maxLength)
            do throws(TransportError) { try perform(url, sink: sink) } catch { throw Self.fetchError(error) }
            return sink.bytes
        }
    }

    public func download(_ url: String, to destination: String, maxLength: Int64) async throws -> Int64 {
        try await offload {
            let descriptor = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw FetchError.failed(url: url, reason: "cannot create \(destination): \(String(cString: strerror(errno)))")
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            let sink = LimitedFileSink(handle: handle, limit: maxLength)
            do throws(TransportError) {
                try perform(url, sink: sink)
            } catch {
                throw Self.fetchError(error)
            }
            if let failure = sink.failure { throw FetchError.failed(url: url, reason: "writing \(destination): \(failure)") }
            return sink.count
        }
    }

    static func fetchError(_ error: TransportError) -> FetchError {
        switch error {
        case let .status(url, 404), let .status(url, 410): .notFound(url: url)
        case let .tooLarge(url, limit): .tooLarge(url: url, limit: limit)
        case let .status(url, _), let .network(url, _), let .io(url, _): .failed(url: url, reason: error.description)
        }
    }

    private func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

/// Keeps at most `limit` bytes; one byte more aborts the transfer.
final class LimitedDataSink: Sink {
    let limit: Int64
    var bytes: [UInt8] = []
    var exceededLimit: Int64?

    init(limit: Int64) { self.limit = limit }

    func write(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard Int64(bytes.count) + Int64(chunk.count) <= limit else {
            exceededLimit = limit
            return false
        }
        bytes.append(contentsOf: chunk)
        return true
    }
}

/// Streams to an open file, refusing more than `limit` bytes.
final class LimitedFileSink: Sink {
    let handle: FileHandle
    let limit: Int64
    var count: Int64 = 0
    var failure: String?
    var exceededLimit: Int64?

    init(handle: FileHandle, limit: Int64) {
        self.handle = handle
        self.limit = limit
    }

    func write(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard count + Int64(chunk.count) <= limit else {
            exceededLimit = limit
            return false
        }
        do {
            try handle.write(contentsOf: Data(chunk))
            count += Int64(chunk.count)
            return true
        } catch {
            failure = "\(error)"
            return false
        }
    }
}
