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
    }

    /// The multi handle, touched only by the engine thread after `init` (and by `wakeup`, which
    /// libcurl allows from any thread).
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer?
    private let commands = CommandQueue()

    private init() {
        _ = HTTPClient.initialized
        let multi = curl_multi_init()
        self.multi = multi
        if let multi {
            // Idle connections kept for reuse (per multi handle, across all transfers).
            _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64)
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
        commands.queue.withLock { $0.append(command) }
        if let multi { curl_multi_wakeup(multi) }
    }

    /// The engine thread: apply commands, drive transfers, deliver completions, sleep in
    /// `curl_multi_poll` until a socket is ready, a timer expires or `curl_multi_wakeup`.
    private static func run(multi: UnsafeMutableRawPointer, commands: CommandQueue) {
        var active: [UnsafeMutableRawPointer: EngineTransfer] = [:]
        func finish(_ transfer: EngineTransfer, code: CURLcode?) {
            curl_multi_remove_handle(multi, transfer.handle)
            active[transfer.handle] = nil
            transfer.complete(code: code)
        }
        while true {
            let batch = commands.queue.withLock { queue -> [Command] in
                defer { queue.removeAll(keepingCapacity: true) }
                return queue
            }
            for command in batch {
                switch command {
                case let .add(transfer):
                    if curl_multi_add_handle(multi, transfer.handle) == CURLM_OK {
                        active[transfer.handle] = transfer
                    } else {
                        transfer.complete(code: CURLE_FAILED_INIT)
                    }
                case let .unpause(transfer):
                    if active[transfer.handle] === transfer { curl_easy_pause(transfer.handle, ccurl_pause_cont) }
                case let .cancel(transfer):
                    if active[transfer.handle] === transfer { finish(transfer, code: nil) }
                }
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                      let transfer = active[handle] else { continue }
                finish(transfer, code: ccurl_message_result(message))
            }
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, active.isEmpty ? 30_000 : 1000, &ready)
        }
    }
}

/// Commands for the engine thread.
final class CommandQueue: Sendable {
    let queue = Mutex<[TransferEngine.Command]>([])
}
