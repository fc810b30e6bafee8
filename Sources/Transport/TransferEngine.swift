import CCurl
import Foundation
import Synchronization

/// The process's one libcurl multi handle and the thread that drives it: every `Transfers`
/// attempt is an easy handle added here, so connections stay open between requests to the same
/// server (keep-alive) and no transfer holds a thread of its own. Requests, unpauses and
/// cancellations arrive through a locked command queue and `curl_multi_wakeup`; completions go
/// back to each attempt's `TransferChannel`.
final class TransferEngine: Sendable {
    static let shared = TransferEngine()

    enum Command {
        case add(EngineTransfer)
        case unpause(EngineTransfer)
        case cancel(EngineTransfer)
        /// Ends the engine thread (private engines of tests); running transfers end as cancelled.
        case shutdown
    }

    /// The multi handle, touched only by the engine thread after `init` (and by `wakeup`, which
    /// libcurl allows from any thread).
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer?
    private let commands = CommandQueue()
    /// Seconds an idle cached connection may wait for reuse (libcurl's CURLOPT_MAXAGE_CONN).
    let maxIdleSeconds: Int

    /// An engine with its own thread and connection cache of `maxConnections` idle connections,
    /// each reused only within `maxIdleSeconds` of its last transfer (libcurl's default, 118 s).
    /// The process shares `shared`; a test that counts connections makes its own (and shuts it
    /// down), with an idle age longer than any pause a loaded machine gives its tasks.
    init(maxConnections: Int = 64, maxIdleSeconds: Int = 118) {
        self.maxIdleSeconds = maxIdleSeconds
        _ = HTTPClient.initialized
        let multi = curl_multi_init()
        self.multi = multi
        if let multi {
            // Idle connections kept for reuse (per multi handle, across all transfers).
            _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxConnections)
            let commands = self.commands
            nonisolated(unsafe) let handle = multi
            let thread = Thread { TransferEngine.run(multi: handle, commands: commands) }
            thread.name = "alien-transfers"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    var available: Bool { multi != nil }

    func submit(_ command: Command) {
        let multi = self.multi
        let accepted = commands.queue.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.commands.append(command)
            if case .shutdown = command { state.closed = true }
            // Under the lock: the engine frees the multi handle under it too.
            if let multi { curl_multi_wakeup(multi) }
            return true
        }
        // After a shutdown: a new attempt ends at once, as cancelled.
        if !accepted, case let .add(transfer) = command { transfer.complete(code: nil) }
    }

    /// Stops the engine's thread; the engine takes no transfer afterwards. Never for `shared`.
    func shutdown() { submit(.shutdown) }

    /// Monotonic nanoseconds for stall watches.
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// The engine thread: apply commands, drive transfers, deliver completions, end stalled
    /// transfers, sleep in `curl_multi_poll` until a socket is ready, a timer expires or
    /// `curl_multi_wakeup`.
    private static func run(multi: UnsafeMutableRawPointer, commands: CommandQueue) {
        var active: [UnsafeMutableRawPointer: EngineTransfer] = [:]
        func finish(_ transfer: EngineTransfer, code: CURLcode?, message: String? = nil) {
            curl_multi_remove_handle(multi, transfer.handle)
            active[transfer.handle] = nil
            transfer.complete(code: code, message: message)
        }
        while true {
            let batch = commands.queue.withLock { state -> [Command] in
                defer { state.commands.removeAll(keepingCapacity: true) }
                return state.commands
            }
            for command in batch {
                switch command {
                case let .add(transfer):
                    transfer.watch.start(at: now())
                    if curl_multi_add_handle(multi, transfer.handle) == CURLM_OK {
                        active[transfer.handle] = transfer
                    } else {
                        transfer.complete(code: CURLE_FAILED_INIT)
                    }
                case let .unpause(transfer):
                    if active[transfer.handle] === transfer {
                        // Before curl_easy_pause: it may deliver held data and pause again at once.
                        transfer.watch.resume(at: now())
                        curl_easy_pause(transfer.handle, ccurl_pause_cont)
                    }
                case let .cancel(transfer):
                    if active[transfer.handle] === transfer { finish(transfer, code: nil) }
                case .shutdown:
                    // `submit` accepts nothing after it: this is the batch's last command.
                    for transfer in Array(active.values) { finish(transfer, code: nil) }
                    commands.queue.withLock { _ in _ = curl_multi_cleanup(multi) }
                    return
                }
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let transfer = active[handle]
                else { continue }
                finish(transfer, code: ccurl_message_result(message))
            }
            // After libcurl read what had arrived: a transfer that is not paused and received too
            // little in a whole stall window has stalled (time while paused never counts).
            let instant = now()
            for transfer in Array(active.values) where transfer.watch.stalled(at: instant) {
                finish(transfer, code: CURLE_OPERATION_TIMEDOUT, message: transfer.watch.description)
            }
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, active.isEmpty ? 30_000 : 1000, &ready)
        }
    }
}

/// Commands for the engine thread.
final class CommandQueue: Sendable {
    struct State {
        var commands: [TransferEngine.Command] = []
        var closed = false
    }

    let queue = Mutex(State())
}
