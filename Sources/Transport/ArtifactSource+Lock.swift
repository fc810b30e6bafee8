import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A held writer lock (`ArtifactSource.lockWriters`). `release()` ends it; it is idempotent and
/// also runs when the last reference goes away. A process that dies without releasing: a
/// directory's lock ends with the process; an HTTP store's stays until removed (the
/// `locked` error says so).
public final class WriterLock: Sendable {
    private let releaser: Mutex<(@Sendable () -> Void)?>

    public init(release: @escaping @Sendable () -> Void) {
        releaser = Mutex(release)
    }

    public func release() {
        let release = releaser.withLock { held in
            defer { held = nil }
            return held
        }
        release?()
    }

    deinit { release() }
}

/// The name of the writer lock in a store: hidden (`alien-install serve` and the shipped nginx
/// configuration answer 404 for hidden names), next to `metadata/` and `targets/`.
public let writerLockName = ".publish.lock"

/// Polls `attempt` until it succeeds or `seconds` pass: 10 ms between tries at first, doubling
/// up to 0.5 s, with jitter (writers that collide do not retry in step). True on success.
func pollForLock(waitingUpTo seconds: Double, _ attempt: () throws(TransportError) -> Bool) throws(TransportError) -> Bool {
    let deadline = Date().addingTimeInterval(max(0, seconds))
    var pause = 0.01
    while true {
        if try attempt() { return true }
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: min(pause * Double.random(in: 0.5...1.5), max(0, deadline.timeIntervalSinceNow) + 0.001))
        pause = min(pause * 2, 0.5)
    }
}

/// Who holds a lock, as the holder records it: "pid P on HOST since DATE".
func lockHolderText() -> String {
    let since = ISO8601DateFormatter().string(from: Date())
    return "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(since)"
}

extension DirectoryArtifactSource {
    /// `flock` on `<root>/.publish.lock` (created if missing; never removed, so every writer
    /// locks the same file). The kernel releases it when the holder's process ends, however it
    /// ends; on NFS, Linux maps it to a POSIX lock the server keeps. The holder writes who it
    /// is into the file for the `locked` message.
    public func lockWriters(waitingUpTo seconds: Double) throws(TransportError) -> WriterLock {
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw .io(path: root.path, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        let path = root.appendingPathComponent(writerLockName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        let acquired: Bool
        do {
            acquired = try pollForLock(waitingUpTo: seconds) { () throws(TransportError) in
                if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
                if errno == EWOULDBLOCK || errno == EINTR { return false }
                throw .io(path: path, reason: "flock: \(String(cString: strerror(errno)))")
            }
        } catch {
            close(fd)
            throw error
        }
        guard acquired else {
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            close(fd)
            let holder = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .locked(location: path, holder: holder.isEmpty ? "unknown" : holder, waited: Int(seconds))
        }
        let text = Array((lockHolderText() + "\n").utf8)
        if ftruncate(fd, 0) == 0 { _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
        return WriterLock { close(fd) }
    }
}

extension HTTPArtifactSource {
    /// WebDAV `MKCOL <base>/.publish.lock/`: creating a collection is atomic on the server
    /// (nginx: mkdir; 405 when it exists), so exactly one writer gets it. The holder then PUTs
    /// `owner` into it (who and since when) and DELETEs the collection to release. nginx's DAV
    /// module has no conditional PUT (it ignores `If-None-Match`), so this lock is what
    /// serializes publishers there. A holder that was killed leaves the collection behind: the
    /// `locked` error names it for removal (`DELETE <base>/.publish.lock/`).
    public func lockWriters(waitingUpTo seconds: Double) throws(TransportError) -> WriterLock {
        let lockURL = "\(baseURL)/\(writerLockName)/"
        let client = self.client
        var madeParents = false
        var refusedButAbsent = 0
        let acquired = try pollForLock(waitingUpTo: seconds) { () throws(TransportError) in
            switch try client.makeCollection(lockURL) {
            case .created:
                return true
            case .exists:
                // nginx answers 405 also when MKCOL is not enabled: then nothing is there. (Once
                // can be a release between the two requests; three times in a row is the server.)
                if try Self.somethingIsAt(lockURL, client) {
                    refusedButAbsent = 0
                    return false
                }
                refusedButAbsent += 1
                guard refusedButAbsent < 3 else {
                    throw .io(
                        path: lockURL,
                        reason: "the server answers MKCOL with 405 (not allowed) although nothing is there: "
                            + "publishing over HTTP needs WebDAV MKCOL for its lock (nginx: dav_methods PUT DELETE MKCOL)")
                }
                return false
            case .parentMissing:
                guard !madeParents else { throw .status(url: lockURL, code: 409) }
                try makeParentCollections()
                madeParents = true
                return try client.makeCollection(lockURL) == .created
            }
        }
        guard acquired else {
            let holder = (try? client.get(lockURL + "owner")).map { String(decoding: $0, as: UTF8.self) } ?? ""
            throw .locked(
                location: lockURL, holder: holder.isEmpty ? "unknown" : holder.trimmingCharacters(in: .whitespacesAndNewlines),
                waited: Int(seconds))
        }
        let lock = WriterLock { try? client.delete(lockURL) }
        do {
            try client.put(lockURL + "owner", data: Data((lockHolderText() + "\n").utf8))
        } catch {
            lock.release()
            throw error
        }
        return lock
    }

    /// HEAD answers anything but 404 (a directory without listings answers 403).
    private static func somethingIsAt(_ url: String, _ client: HTTPClient) throws(TransportError) -> Bool {
        do throws(TransportError) {
            return try client.exists(url)
        } catch .status(_, let code) where code != 404 {
            return true
        }
    }

    /// MKCOL for each collection on the base URL's path (a new repository's directory), from the
    /// top; existing ones are fine.
    private func makeParentCollections() throws(TransportError) {
        guard let components = URLComponents(string: baseURL), let host = components.host else {
            throw .io(path: baseURL, reason: "not an http(s) URL with a host")
        }
        var prefix = "\(components.scheme ?? "http")://\(host)" + (components.port.map { ":\($0)" } ?? "")
        for part in components.percentEncodedPath.split(separator: "/") {
            prefix += "/\(part)"
            _ = try client.makeCollection(prefix + "/")
        }
    }
}
