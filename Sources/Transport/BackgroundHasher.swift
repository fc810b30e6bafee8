import AlienModel
import Crypto
import Foundation
import Synchronization

/// The whole-file sha256 of a `VerifiedPieceStream`, computed on a serial queue of its own so
/// that it overlaps with the per-piece hashing (two SHA-256 passes over every byte otherwise
/// share one thread). At most `window` pieces wait; `append` suspends beyond that.
final class BackgroundHasher: Sendable {
    private struct State {
        var hasher = SHA256()
        var outstanding = 0
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let queue = DispatchQueue(label: "alien-whole-file-sha256")
    private let state = Mutex(State())
    private let window: Int

    init(window: Int = 4) {
        self.window = window
    }

    func append(_ piece: [UInt8]) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let full = state.withLock { state -> Bool in
                state.outstanding += 1
                if state.outstanding > window {
                    state.waiter = continuation
                    return true
                }
                return false
            }
            if !full { continuation.resume() }
        }
        queue.async { [self] in
            var hasher = state.withLock { $0.hasher }
            piece.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.hasher = hasher
                state.outstanding -= 1
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    /// Waits for the queued pieces; the digest in lower-case hex.
    func finish() -> String {
        queue.sync {}
        let digest = state.withLock { $0.hasher.finalize() }
        return Hex.lowercase(digest)
    }
}
