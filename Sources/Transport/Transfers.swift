import CCurl
import Foundation

/// Timeouts, retries and buffering of `Transfers`.
public struct TransferPolicy: Sendable, Hashable {
    /// Seconds to establish a connection.
    public var connectTimeout: Double
    /// Abort an attempt when fewer than `stallSpeed` bytes/s arrive for this many seconds.
    public var stallTimeout: Int
    public var stallSpeed: Int
    /// Passes over the mirror list, after the first, that may fail without any progress.
    public var retries: Int
    /// Backoff before pass n (n ≥ 1): `backoffBase · 2^(n-1)` seconds, at most `backoffMax`,
    /// scaled by a random factor in [0.5, 1] (jitter).
    public var backoffBase: Double
    public var backoffMax: Double
    /// Bytes buffered between libcurl and a consumer before the transfer is paused.
    public var bufferSize: Int
    /// Minimum seconds between two progress reports (the last one is always reported).
    public var progressInterval: Double
    /// CAs trusted for https besides the system's (default: `$X509_CERT_DIR`).
    public var authorities: CertificateAuthorities

    public init(
        connectTimeout: Double = 10, stallTimeout: Int = 30, stallSpeed: Int = 1, retries: Int = 3,
        backoffBase: Double = 0.25, backoffMax: Double = 8, bufferSize: Int = 4 << 20, progressInterval: Double = 0.1,
        authorities: CertificateAuthorities = .environment()
    ) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.stallSpeed = stallSpeed
        self.retries = retries
        self.backoffBase = backoffBase
        self.backoffMax = backoffMax
        self.bufferSize = bufferSize
        self.progressInterval = progressInterval
        self.authorities = authorities
    }

    /// The delay before pass `round` (1-based), jitter included.
    public func backoff(round: Int, jitter: Double = Double.random(in: 0.5...1)) -> Double {
        let exponent = Double(max(0, min(round - 1, 30)))
        return min(backoffBase * pow(2, exponent), backoffMax) * jitter
    }
}

/// One body to get: the same bytes at one or more URLs (http, https, file), tried in order.
public struct TransferRequest: Sendable, Hashable {
    public var mirrors: [String]
    /// Byte cap: one byte more ends the transfer with `TransportError.tooLarge`.
    public var maxLength: Int64?

    public init(url: String, maxLength: Int64? = nil) {
        self.init(mirrors: [url], maxLength: maxLength)
    }

    public init(mirrors: [String], maxLength: Int64? = nil) {
        self.mirrors = mirrors
        self.maxLength = maxLength
    }
}

/// Where a transfer stands; reported through the `progress` callback.
public struct TransferProgress: Sendable, Hashable {
    /// The mirror currently sending.
    public var url: String
    /// Bytes of the body the consumer holds (resumed bytes included; back to 0 after a restart).
    public var bytes: Int64
    /// The body's length, when the server said.
    public var total: Int64?
    /// Average rate of this transfer so far.
    public var bytesPerSecond: Double
}

/// One failed attempt.
public struct MirrorFailure: Sendable, Hashable, CustomStringConvertible {
    public var url: String
    /// The byte offset the attempt started from.
    public var offset: Int64
    public var error: TransportError

    public var description: String { offset > 0 ? "\(error) (from byte \(offset))" : error.description }
}

/// How a transfer went.
public struct TransferReport: Sendable, Hashable {
    /// The mirror that delivered the end of the body.
    public var url: String = ""
    /// The body's length.
    public var bytes: Int64 = 0
    public var attempts = 0
    /// Attempts that continued with `Range: bytes=N-`.
    public var resumes = 0
    /// Times a server ignored `Range` and the consumer started over from byte 0.
    public var restarts = 0
    /// Failed attempts, in order.
    public var failures: [MirrorFailure] = []
}

/// Receives a body as it arrives, across attempts. Calls come one at a time, from one task.
public protocol TransferConsumer: AnyObject {
    /// Before each attempt: how many bytes of the body the consumer keeps. The attempt asks for
    /// the rest (`Range: bytes=N-`); anything the consumer held beyond N is to be dropped now.
    func resumeOffset() async throws -> Int64
    /// The server ignored `Range`: the body starts again at byte 0.
    func restart() async throws
    /// The next bytes of the body.
    func consume(_ bytes: [UInt8]) async throws
}

/// Transfers on the process's libcurl multi engine (one thread, all transfers, connections kept
/// open between requests): streaming to a consumer with back-pressure, resume with `Range` after
/// a broken connection (206 and `Content-Range` checked; a server that ignores Range makes the
/// consumer restart), mirror fail-over (404/5xx/connection errors → next mirror; failing mirrors
/// are tried last by later transfers), retries with bounded exponential backoff and jitter,
/// connect and stall timeouts (time while paused for a lagging consumer is no stall), byte caps,
/// progress, https checked against `policy.authorities`. Proxies come from `http_proxy`,
/// `https_proxy` and `no_proxy` in the environment (libcurl reads them).
public struct Transfers: Sendable {
    public var policy: TransferPolicy
    let engine: TransferEngine
    let health: MirrorHealth

    public init(policy: TransferPolicy = TransferPolicy()) {
        self.init(policy: policy, engine: .shared)
    }

    /// Transfers on another engine than the process's (a test that counts connections).
    init(policy: TransferPolicy, engine: TransferEngine) {
        self.policy = policy
        self.engine = engine
        self.health = .shared
    }

    /// Streams the body of `request` into `consumer`. Throws `TransportError` for transfer
    /// failures (after fail-over and retries), the consumer's own errors unchanged (no retry),
    /// and `CancellationError` when the task is cancelled.
    @discardableResult
    public func stream(
        _ request: TransferRequest, to consumer: some TransferConsumer,
        progress: (@Sendable (TransferProgress) -> Void)? = nil
    ) async throws -> TransferReport {
        guard let first = request.mirrors.first else { throw TransportError.network(url: "", message: "no URL to transfer from") }
        var report = TransferReport()
        var dead = Set<String>()
        var best: Int64 = 0
        var round = 0
        var meter = ProgressMeter(interval: policy.progressInterval, callback: progress)
        while true {
            var progressed = false
            for url in health.order(request.mirrors) where !dead.contains(url) {
                try Task.checkCancellation()
                let offset = try await consumer.resumeOffset()
                do {
                    report.attempts += 1
                    if offset > 0 { report.resumes += 1 }
                    let length = try await attempt(
                        url, from: offset, request: request, consumer: consumer, meter: &meter,
                        restarts: &report.restarts)
                    health.succeeded(url)
                    report.url = url
                    report.bytes = length
                    meter.finish(url: url, bytes: length)
                    return report
                } catch let failure as AttemptFailure {
                    report.failures.append(MirrorFailure(url: url, offset: offset, error: failure.error))
                    health.failed(url)
                    switch failure.kind {
                    case .fatal: throw failure.error
                    case .permanent: dead.insert(url)
                    case .transient: break
                    }
                    if failure.reached > best {
                        progressed = true
                        best = failure.reached
                    }
                }
            }
            let remaining = request.mirrors.filter { !dead.contains($0) }
            if !progressed {
                round += 1
                if remaining.isEmpty || round > policy.retries { throw Self.finalError(report.failures, mirrors: request.mirrors, first: first) }
                try await Task.sleep(for: .seconds(policy.backoff(round: round)))
            } else if remaining.isEmpty {
                throw Self.finalError(report.failures, mirrors: request.mirrors, first: first)
            }
        }
    }

    static func finalError(_ failures: [MirrorFailure], mirrors: [String], first: String) -> TransportError {
        if !failures.isEmpty, failures.allSatisfy({ $0.error.isNotFound }) { return .status(url: first, code: 404) }
        if Set(mirrors).count == 1, let last = failures.last { return last.error }
        return .allMirrorsFailed(url: first, failures: failures.map { "\($0.url): \($0)" })
    }
}

/// Why an attempt failed, and what that means for the mirror.
struct AttemptFailure: Error {
    enum Kind {
        /// Try the next mirror and this one again later.
        case transient
        /// This mirror does not have it (404, other 4xx).
        case permanent
        /// Stop: a byte cap, a malformed URL.
        case fatal
    }
    var kind: Kind
    var error: TransportError
    /// The body offset reached before the failure.
    var reached: Int64
}
