import CCurl
import Foundation
import Synchronization

extension Transfers {
    /// One attempt on one mirror from `offset`: checks the head (206 with the right
    /// Content-Range, or 200 → restart), streams bytes into the consumer, classifies the end.
    func attempt(
        _ url: String, from offset: Int64, request: TransferRequest, consumer: some TransferConsumer,
        meter: inout ProgressMeter, restarts: inout Int
    ) async throws -> Int64 {
        // The engine refuses more than the whole cap (a server ignoring Range sends it all);
        // the exact cap from `offset` is checked here.
        let limit = request.maxLength
        guard let transfer = EngineTransfer(url: url, offset: offset, limit: limit, policy: policy, engine: engine) else {
            throw AttemptFailure(kind: .fatal, error: .network(url: url, message: "libcurl failed to initialise"), reached: offset)
        }
        var position = offset
        var start = offset
        var total: Int64?
        transfer.start()
        return try await withTaskCancellationHandler {
            do {
                while true {
                    switch await transfer.next() {
                    case let .head(head):
                        if offset > 0, head.status != 0 {
                            if head.status == 200 {
                                // Range ignored: the whole body follows; the consumer starts over.
                                try await consumer.restart()
                                restarts += 1
                                position = 0
                                start = 0
                            } else {
                                guard head.status == 206, head.rangeStart == offset else {
                                    let got = head.rangeStart.map { "Content-Range from byte \($0)" } ?? "no Content-Range"
                                    throw AttemptFailure(
                                        kind: .transient,
                                        error: .network(
                                            url: url, message: "asked for bytes from \(offset), got HTTP \(head.status) with \(got)"), reached: offset)
                                }
                            }
                        }
                        if head.status == 206 {
                            total = head.rangeTotal ?? head.contentLength.map { start + $0 }
                        } else {
                            total = head.contentLength.map { start + $0 }
                        }
                        meter.begin(url: url, at: start, total: total)
                    case let .bytes(chunks):
                        for chunk in chunks {
                            if let cap = request.maxLength, position + Int64(chunk.count) > cap {
                                throw AttemptFailure(kind: .fatal, error: .tooLarge(url: url, limit: cap), reached: position)
                            }
                            try await consumer.consume(chunk)
                            position += Int64(chunk.count)
                        }
                        meter.update(url: url, bytes: position, total: total)
                    case let .done(outcome):
                        if let result = try Self.classify(
                            outcome, url: url, request: request, reached: position,
                            authorities: policy.authorities)
                        {
                            return result
                        }
                    }
                }
            } catch {
                transfer.abandon()
                throw error
            }
        } onCancel: {
            transfer.abandon()
        }
    }

    /// Success → the body length; failures thrown as `AttemptFailure` (or `CancellationError`).
    static func classify(
        _ outcome: AttemptOutcome, url: String, request: TransferRequest, reached: Int64,
        authorities: CertificateAuthorities = CertificateAuthorities()
    ) throws -> Int64? {
        guard let raw = outcome.code else { throw CancellationError() }
        let code = CURLcode(rawValue: raw)
        func fail(_ kind: AttemptFailure.Kind, _ error: TransportError) -> AttemptFailure {
            AttemptFailure(kind: kind, error: error, reached: reached)
        }
        switch code {
        case CURLE_OK:
            return reached
        case _ where outcome.exceededLimit, CURLE_FILESIZE_EXCEEDED:
            throw fail(.fatal, .tooLarge(url: url, limit: request.maxLength ?? 0))
        case CURLE_HTTP_RETURNED_ERROR:
            let status = outcome.status
            let transient = status >= 500 || status == 408 || status == 429
            throw fail(transient ? .transient : .permanent, .status(url: url, code: status))
        case CURLE_FILE_COULDNT_READ_FILE:
            throw fail(.permanent, .status(url: url, code: 404))
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_FAILED_INIT, CURLE_OUT_OF_MEMORY:
            throw fail(.fatal, .network(url: url, message: outcome.message))
        case _ where CertificateAuthorities.isCertificateFailure(code):
            // This server's certificate will not be trusted on a retry either: the next mirror.
            throw fail(.permanent, .network(url: url, message: authorities.refusal(url: url, curlMessage: outcome.message)))
        case CURLE_WRITE_ERROR:
            // Our write callback refused: abandoned by the consumer.
            throw CancellationError()
        default:
            throw fail(.transient, .network(url: url, message: outcome.message))
        }
    }
}

/// Throttled progress reports for one transfer.
struct ProgressMeter {
    let interval: Double
    let callback: (@Sendable (TransferProgress) -> Void)?
    private var started: ContinuousClock.Instant?
    private var startBytes: Int64 = 0
    private var lastReport: ContinuousClock.Instant?
    private var total: Int64?

    init(interval: Double, callback: (@Sendable (TransferProgress) -> Void)?) {
        self.interval = interval
        self.callback = callback
    }

    mutating func begin(url: String, at offset: Int64, total: Int64?) {
        if started == nil {
            started = .now
            startBytes = offset
        }
        self.total = total ?? self.total
        update(url: url, bytes: offset, total: self.total, force: true)
    }

    mutating func update(url: String, bytes: Int64, total: Int64?, force: Bool = false) {
        guard let callback else { return }
        let now = ContinuousClock.now
        if !force, let lastReport, now - lastReport < .seconds(interval) { return }
        lastReport = now
        let elapsed = started.map { now - $0 } ?? .zero
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(max(0, bytes - startBytes)) / seconds : 0
        callback(TransferProgress(url: url, bytes: bytes, total: total ?? self.total, bytesPerSecond: rate))
    }

    mutating func finish(url: String, bytes: Int64) {
        update(url: url, bytes: bytes, total: total ?? bytes, force: true)
    }
}

/// Which mirrors failed lately (per process): later transfers try them last.
final class MirrorHealth: Sendable {
    static let shared = MirrorHealth()
    /// Mirror URL's origin → consecutive failures and the time of the last one.
    private let failures = Mutex<[String: (count: Int, last: ContinuousClock.Instant)]>([:])
    /// Failures older than this are forgotten.
    let memory: Duration = .seconds(300)

    static func origin(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme else { return url }
        if scheme == "file" { return "file://" }
        return "\(scheme)://\(components.host ?? ""):\(components.port.map(String.init) ?? "")"
    }

    /// `mirrors` with those that failed recently moved back (stable: fewer failures first).
    func order(_ mirrors: [String]) -> [String] {
        let now = ContinuousClock.now
        let table = failures.withLock { $0 }
        let scored = mirrors.enumerated().map { index, url -> (Int, Int, String) in
            guard let entry = table[Self.origin(url)], now - entry.last < memory else { return (0, index, url) }
            return (entry.count, index, url)
        }
        var seen = Set<String>()
        return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2).filter { seen.insert($0).inserted }
    }

    func failed(_ url: String) {
        let key = Self.origin(url)
        failures.withLock { table in
            table[key] = ((table[key]?.count ?? 0) + 1, .now)
        }
    }

    func succeeded(_ url: String) {
        let key = Self.origin(url)
        _ = failures.withLock { $0.removeValue(forKey: key) }
    }
}
