import AlienModel
import Dispatch
import Foundation
import Synchronization

/// The sha256 of every extracted file, computed on a thread of its own: once the extraction
/// thread has written a file it hands over a second descriptor of it and goes on, and this
/// thread reads the file back from the page cache and hashes it. The extraction thread (the
/// install's critical path: decompression and writes) so neither hashes nor copies a byte for
/// the digests. Files are hashed in the order they are written; at most `slots` wait (the
/// extraction thread waits for room beyond that, which also bounds the descriptors held).
final class DigestWorker: Sendable {
    private enum Job {
        /// A complete regular file: hash it from its start, then close the descriptor.
        case file(descriptor: Int32, path: String)
        /// A hard link: the same digest as its target (handed over before).
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
    /// How much of a file one read takes.
    private let readSize: Int

    init(slots: Int = 32, readSize: Int = 1 << 20) {
        room = DispatchSemaphore(value: slots)
        self.readSize = readSize
        let thread = Thread { [self] in work() }
        thread.name = "alien-digests"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// A written file, as a descriptor this worker now owns (it closes it once hashed). A file
    /// that cannot be read back gets no digest: the caller hashes it from the disk.
    func add(descriptor: Int32, path: String) { submit(.file(descriptor: descriptor, path: path)) }

    func alias(path: String, target: String) { submit(.alias(path: path, target: target)) }

    /// Waits for every file handed over and returns the digests.
    func results() -> [String: ExtractedFile] {
        submit(.end)
        done.wait()
        return state.withLock { $0.digests }
    }

    /// Stops hashing (the extraction failed), closes what is queued and waits for the thread.
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
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 64)
        defer { buffer.deallocate() }
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
            case let .file(descriptor, path):
                if !cancelled, let (size, hash) = FileDigest.sha256(descriptor: descriptor, buffer: buffer) {
                    found[path] = ExtractedFile(size: size, sha256: hash.hex)
                }
                close(descriptor)
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
