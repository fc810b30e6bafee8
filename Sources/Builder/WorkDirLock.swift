import Foundation

/// An exclusive `flock` on `<work dir>/.alien-build.lock`: a second build of the same work
/// directory waits (and says so) instead of corrupting it. The kernel drops the lock when
/// the process dies, so a killed build never leaves a stale lock.
final class WorkDirLock: Sendable {
    private let descriptor: Int32

    init(directory: URL, onWait: (String) -> Void) throws(BuildError) {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw .io(path: directory.path, reason: "\(error)")
        }
        let path = directory.appendingPathComponent(".alien-build.lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            onWait(path)
            guard flock(descriptor, LOCK_EX) == 0 else {
                close(descriptor)
                throw .io(path: path, reason: String(cString: strerror(errno)))
            }
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
