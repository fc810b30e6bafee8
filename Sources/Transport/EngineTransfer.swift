import CCurl
import Foundation
import Synchronization

/// What a server said before the body of one attempt.
struct ResponseHead: Sendable, Equatable {
    /// HTTP status; 0 for file://.
    var status: Int
    /// A 206's `Content-Range: bytes START-END/TOTAL`: START and TOTAL (nil for `*`).
    var rangeStart: Int64?
    var rangeTotal: Int64?
    /// The body length of this response, if announced.
    var contentLength: Int64?
}

/// How one attempt ended.
struct AttemptOutcome: Sendable {
    /// libcurl's result code; nil when the attempt was abandoned by its consumer.
    var code: UInt32?
    var status: Int
    var message: String
    /// More bytes arrived than the attempt's cap.
    var exceededLimit: Bool
}

/// What the consuming side reads from an attempt, in order: the head, bytes, the outcome.
enum ChannelItem: Sendable {
    case head(ResponseHead)
    case bytes([[UInt8]])
    case done(AttemptOutcome)
}

/// One attempt: an easy handle fetching one URL from an offset, and the bounded buffer between
/// the engine thread (libcurl's callbacks) and the async task consuming it. When more than
/// `highWater` bytes wait, the write callback answers `CURL_WRITEFUNC_PAUSE` (libcurl keeps that
/// data and stops reading the socket); the consumer's next take asks the engine to unpause.
final class EngineTransfer: @unchecked Sendable {
    struct Channel {
        var pending: [[UInt8]] = []
        var pendingBytes = 0
        var head: ResponseHead?
        var headTaken = false
        var outcome: AttemptOutcome?
        var waiter: CheckedContinuation<Void, Never>?
        var paused = false
        var abandoned = false
        var delivered: Int64 = 0
        var exceeded = false
    }

    let handle: UnsafeMutableRawPointer
    let url: String
    private let engine: TransferEngine
    private let limit: Int64?
    private let highWater: Int
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let channel = Mutex(Channel())
    // Engine thread only.
    /// Stall detection (instead of libcurl's low-speed check, which also counted paused time).
    var watch: StallWatch
    private var headCaptured = false
    private var contentRange: (start: Int64, total: Int64?)?

    /// A configured easy handle for `url` from byte `offset` (a `Range: bytes=offset-` request),
    /// refusing more than `limit` bytes in this attempt.
    init?(url: String, offset: Int64, limit: Int64?, policy: TransferPolicy, engine: TransferEngine) {
        guard HTTPClient.initialized, engine.available, let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.url = url
        self.engine = engine
        self.limit = limit
        self.highWater = max(policy.bufferSize, 64 << 10)
        watch = StallWatch(timeout: policy.stallTimeout, speed: policy.stallSpeed)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        _ = ccurl_setopt_string(handle, CURLOPT_URL, url)
        _ = ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https,file")
        _ = ccurl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_MAXREDIRS, 10)
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_FAILONERROR, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_MAXAGE_CONN, engine.maxIdleSeconds)
        _ = ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(policy.connectTimeout * 1000))
        _ = ccurl_setopt_long(handle, CURLOPT_BUFFERSIZE, 256 << 10)
        _ = ccurl_setopt_string(handle, CURLOPT_USERAGENT, "alien-install/0.1")
        _ = ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        policy.authorities.apply(to: handle)
        if offset > 0 { _ = ccurl_setopt_string(handle, CURLOPT_RANGE, "\(offset)-") }
        if let limit { _ = ccurl_setopt_offset(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limit)) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        _ = ccurl_setopt_write_function(handle) { data, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<EngineTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.receive(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        _ = ccurl_setopt_header_function(handle) { data, size, count, context in
            guard let context, let data else { return 0 }
            let transfer = Unmanaged<EngineTransfer>.fromOpaque(context).takeUnretainedValue()
            transfer.header(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    // MARK: - Engine thread

    private func header(_ line: UnsafeRawBufferPointer) {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("HTTP/") {
            contentRange = nil
            return
        }
        let lower = text.lowercased()
        guard lower.hasPrefix("content-range:") else { return }
        // bytes START-END/TOTAL
        let value = lower.dropFirst("content-range:".count).trimmingCharacters(in: .whitespaces)
        guard value.hasPrefix("bytes ") else { return }
        let spec = value.dropFirst(6)
        let parts = spec.split(separator: "/", maxSplits: 1)
        guard let range = parts.first, let dash = range.firstIndex(of: "-"), let start = Int64(range[..<dash]) else { return }
        contentRange = (start, parts.count == 2 ? Int64(parts[1]) : nil)
    }

    private func captureHead() -> ResponseHead {
        headCaptured = true
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var length: curl_off_t = -1
        _ = ccurl_getinfo_offset(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length)
        return ResponseHead(
            status: status, rangeStart: contentRange?.start, rangeTotal: contentRange?.total,
            contentLength: length >= 0 ? Int64(length) : nil)
    }

    private func receive(_ data: UnsafeRawBufferPointer) -> Int {
        let head = headCaptured ? nil : captureHead()
        let (answer, waiter) = channel.withLock { state -> (Int, CheckedContinuation<Void, Never>?) in
            if let head { state.head = head }
            if state.abandoned { return (0, nil) }
            if let limit, state.delivered + Int64(data.count) > limit {
                state.exceeded = true
                return (0, nil)
            }
            if state.pendingBytes >= highWater {
                state.paused = true
                return (ccurl_writefunc_pause, nil)
            }
            state.pending.append(Array(data))
            state.pendingBytes += data.count
            state.delivered += Int64(data.count)
            defer { state.waiter = nil }
            return (data.count, state.waiter)
        }
        if answer == ccurl_writefunc_pause { watch.pause() } else if answer > 0 { watch.received(answer) }
        waiter?.resume()
        return answer
    }

    /// Called by the engine when libcurl is done with the handle (nil code: cancelled), or when
    /// it ended the transfer itself (`message`: why).
    func complete(code: CURLcode?, message given: String? = nil) {
        let head = headCaptured || code == nil ? nil : captureHead()
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var message = given ?? String(cString: errorBuffer)
        if message.isEmpty, let code { message = String(cString: curl_easy_strerror(code)) }
        let waiter = channel.withLock { state -> CheckedContinuation<Void, Never>? in
            if let head { state.head = head }
            state.outcome = AttemptOutcome(code: code?.rawValue, status: status, message: message, exceededLimit: state.exceeded)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    // MARK: - Consumer side

    /// Hands the attempt to the engine.
    func start() {
        engine.submit(.add(self))
    }

    /// The next head, bytes (everything buffered) or the outcome; suspends until there is one.
    func next() async -> ChannelItem {
        while true {
            var unpause = false
            let item = channel.withLock { state -> ChannelItem? in
                if let head = state.head, !state.headTaken {
                    state.headTaken = true
                    return .head(head)
                }
                if !state.pending.isEmpty {
                    let chunks = state.pending
                    state.pending = []
                    state.pendingBytes = 0
                    unpause = state.paused
                    state.paused = false
                    return .bytes(chunks)
                }
                if let outcome = state.outcome { return .done(outcome) }
                return nil
            }
            if unpause { engine.submit(.unpause(self)) }
            if let item { return item }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = channel.withLock { state -> Bool in
                    if (state.head != nil && !state.headTaken) || !state.pending.isEmpty || state.outcome != nil { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// The consumer gives up (error, cancellation, restart): the engine drops the handle.
    func abandon() {
        let done = channel.withLock { state -> Bool in
            state.abandoned = true
            state.pending = []
            state.pendingBytes = 0
            return state.outcome != nil
        }
        if !done { engine.submit(.cancel(self)) }
    }
}
