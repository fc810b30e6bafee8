import Basics
import Foundation
import Synchronization

/// The POSIX steps atomic installs are made of, with errors as `SoftwareAreaError.io`.
enum FileSystem {
    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    static func makeDirectories(_ path: String) throws(SoftwareAreaError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .io(path: path, operation: "mkdir", reason: "\(error)")
        }
    }

    /// `makeDirectories`, then the last folder made private to the area's owner (0700).
    static func makePrivateDirectories(_ path: String) throws(SoftwareAreaError) {
        if !isDirectory(path) { try makeDirectories(path) }
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & 0o077 != 0, info.st_uid == geteuid() { chmod(path, 0o700) }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func rename(_ source: String, to destination: String) throws(SoftwareAreaError) {
        guard Foundation.rename(source, destination) == 0 else {
            throw .io(path: destination, operation: "rename from \(source)", reason: errorText())
        }
    }

    /// Removes a tree; missing is fine. Directories without write permission are made writable first.
    static func removeTree(_ path: String) {
        guard exists(path) else { return }
        if (try? FileManager.default.removeItem(atPath: path)) != nil { return }
        if let walker = FileManager.default.enumerator(atPath: path) {
            chmod(path, 0o700)
            while let name = walker.nextObject() as? String {
                if isDirectory("\(path)/\(name)") { chmod("\(path)/\(name)", 0o700) }
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A fresh random name (for stage and trash entries).
    static func randomName() -> String {
        UUID().uuidString.lowercased()
    }

    static func syncPath(_ path: String, directory: Bool) {
        let descriptor = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// fsyncs every regular file and directory under `root` (and `root` itself), on every core.
    static func syncTree(_ root: String) {
        var paths: [(String, Bool)] = []
        if let walker = FileManager.default.enumerator(atPath: root) {
            while let name = walker.nextObject() as? String {
                let path = "\(root)/\(name)"
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFREG: paths.append((path, false))
                case S_IFDIR: paths.append((path, true))
                default: break
                }
            }
        }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let found = paths
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < found.count {
                syncPath(found[index].0, directory: found[index].1)
                index += workers
            }
        }
        syncPath(root, directory: true)
    }

    static func readBytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    /// Writes a new file (created, never opened existing) without syncing it: for files inside
    /// a stage, whose data `writeBack` flushes with the rest of the tree.
    static func writeFile(_ bytes: [UInt8], to path: String) throws(SoftwareAreaError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, operation: "create", reason: errorText()) }
        defer { close(descriptor) }
        let code = FileIO.writeAll(descriptor, bytes)
        if code != 0 { throw .io(path: path, operation: "write", reason: errorText(code)) }
    }

    /// Write to a temporary sibling, fsync, rename, fsync the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(SoftwareAreaError) {
        do {
            try AtomicFile.write(bytes, to: path, createDirectories: true)
        } catch {
            throw .io(path: error.path, operation: error.operation, reason: error.reason)
        }
    }

    /// Free bytes for an unprivileged writer at `path` (statvfs).
    static func availableBytes(at path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    /// Seconds since 1970 of a file's mtime.
    static func modificationTime(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_mtim.tv_sec)
    }
}

/// An exclusive `flock` on a file (created if missing), released by `unlock()` or when the
/// process dies — so a killed installer never leaves a stale lock. Lock files are the area
/// owner's alone (0600, in 0700 folders): another local user can neither open nor lock them,
/// so cannot stall installs. The holder writes its pid into the file, so a waiter can say whom
/// it waits for.
final class FileLock: Sendable {
    let path: String
    /// -1 once unlocked.
    private let descriptor: Mutex<Int32>

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    /// Waits for the lock (blocking the calling thread: not for the cooperative pool; async
    /// code uses `acquire(_:waiting:)`).
    static func acquire(_ path: String, directory: Bool = false) throws(SoftwareAreaError) -> FileLock {
        guard let lock = try open(path, directory: directory, wait: true) else {
            throw .io(path: path, operation: "flock", reason: "not acquired")
        }
        return lock
    }

    /// Nil when another process holds it.
    static func tryAcquire(_ path: String, directory: Bool = false) throws(SoftwareAreaError) -> FileLock? {
        try open(path, directory: directory, wait: false)
    }

    /// Waits for the lock without blocking a thread (polling every 50–250 ms). `waiting` is
    /// called about once a second after the first two seconds of waiting, with the seconds
    /// waited and the holder's pid when it wrote one. Cancellation ends the wait.
    static func acquire(_ path: String, waiting: (_ seconds: Int, _ holder: Int32?) -> Void) async throws(SoftwareAreaError) -> FileLock {
        if let lock = try tryAcquire(path) { return lock }
        let started = ContinuousClock.now
        var delay = 50
        var reported = 1
        while true {
            do { try await Task.sleep(for: .milliseconds(delay)) } catch {
                throw .io(path: path, operation: "flock", reason: "cancelled while waiting for the lock")
            }
            if let lock = try tryAcquire(path) { return lock }
            delay = min(250, delay * 2)
            let seconds = Int((ContinuousClock.now - started).components.seconds)
            if seconds > reported {
                reported = seconds
                waiting(seconds, holder(of: path))
            }
        }
    }

    /// The pid the current holder wrote into the lock file, if any.
    static func holder(of path: String) -> Int32? {
        guard let bytes = FileSystem.readBytes(path), bytes.count < 32 else { return nil }
        return Int32(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func open(_ path: String, directory: Bool, wait: Bool) throws(SoftwareAreaError) -> FileLock? {
        if !directory { try FileSystem.makePrivateDirectories((path as NSString).deletingLastPathComponent) }
        let flags = directory ? O_RDONLY | O_DIRECTORY | O_CLOEXEC : O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW
        let descriptor = Foundation.open(path, flags, 0o600)
        guard descriptor >= 0 else { throw .io(path: path, operation: "open for locking", reason: FileSystem.errorText()) }
        // Lock files of areas made before they were private.
        if !directory { fchmod(descriptor, 0o600) }
        while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { return nil }
            throw .io(path: path, operation: "flock", reason: FileSystem.errorText(code))
        }
        if !directory {
            let pid = Array("\(getpid())\n".utf8)
            if ftruncate(descriptor, 0) == 0 { _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) } }
        }
        return FileLock(path: path, descriptor: descriptor)
    }

    func unlock() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            var info = stat()
            if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { _ = ftruncate(descriptor, 0) }
            close(descriptor)
            descriptor = -1
        }
    }

    deinit { unlock() }
}

/// Blocking work (file trees, writeback, hashing, renames) run on a thread of its own, so that
/// neither the cooperative pool the install tasks run on nor Dispatch's global pool (as wide as
/// the cores on Linux, and used by others for their own blocking waits) is held by it.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(SoftwareAreaError) -> T) async throws(SoftwareAreaError) -> T {
        let result: Result<T, SoftwareAreaError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(SoftwareAreaError) { continuation.resume(returning: .success(try body())) } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "area-blocking"
            thread.start()
        }
        return try result.get()
    }
}
