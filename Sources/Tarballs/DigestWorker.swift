import Dispatch
import Foundation
import Synchronization

/// The sha256 of every extracted file, computed on a thread of its own: the extraction thread
/// (decompression and writes) hands each block over as a copy and goes on, so hashing a
/// gigabyte runs beside the extraction instead of after each write. Files arrive one after
/// the other, in the order they are written; at most `slots` blocks wait (the extraction thread
/// waits for room beyond that).
final class DigestWorker: Sendable {
    private enum Job {
        case block([UInt8], offset: UInt64)
        /// The file written since the last `finish` is complete, with this size.
        case finish(path: String, size: UInt64)
        /// A hard link: the same digest as its target (finished before).
        case alias(path: String, target: String)
        case end
    }

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var digests: [String: ExtractedFile] = [:]
        var cancelled = false
    }

    private let state = Mutex(State())
    private let queued = DispatchSemaphore(value: 0)
    private let room: DispatchSemaphore
    private let done = DispatchSemaphore(value: 0)

    init(slots: Int = 32) {
        room = DispatchSemaphore(value: slots)
        let thread = Thread { [self] in work() }
        thread.name = "alien-digests"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// A block of the current file at `offset` (copied: libarchive reuses its buffer).
    func add(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) {
        submit(.block(Array(bytes), offset: offset))
    }

    func finish(path: String, size: UInt64) { submit(.finish(path: path, size: size)) }

    func alias(path: String, target: String) { submit(.alias(path: path, target: target)) }

    /// Waits for every block handed over and returns the digests (a file whose blocks went
    /// backwards has none: the caller hashes it from the disk, as `FileHasher` says).
    func results() -> [String: ExtractedFile] {
        submit(.end)
        done.wait()
        return state.withLock { $0.digests }
    }

    /// Stops hashing (the extraction failed) and waits for the thread to end.
    func cancel() {
        state.withLock { $0.cancelled = true }
        submit(.end)
        done.wait()
    }

    private func submit(_ job: Job) {
        room.wait()
        state.withLock { $0.jobs.append(job) }
        queued.signal()
    }

    private func work() {
        var hasher = FileHasher()
        var found: [String: ExtractedFile] = [:]
        while true {
            queued.wait()
            let (job, cancelled) = state.withLock { state -> (Job, Bool) in
                let job = state.jobs[state.head]
                state.head += 1
                if state.head == state.jobs.count {
                    state.jobs.removeAll(keepingCapacity: true)
                    state.head = 0
                }
                return (job, state.cancelled)
            }
            room.signal()
            switch job {
            case let .block(bytes, offset):
                if !cancelled { bytes.withUnsafeBytes { hasher.add($0, at: offset) } }
            case let .finish(path, size):
                if !cancelled, let digest = hasher.finish(size: size) { found[path] = digest }
                hasher = FileHasher()
            case let .alias(path, target):
                found[path] = found[target]
            case .end:
                state.withLock { $0.digests = found }
                done.signal()
                return
            }
        }
    }
}
