import Foundation

/// A private working directory under `<area>/.alien/stage/` (same filesystem as the packages,
/// so the final step is a `rename`). Its lock file `<name>.lock` is created and `flock`ed
/// before the directory exists and held while it is used; a stage whose lock can be taken
/// belongs to a dead process and is swept.
final class StageDirectory: Sendable {
    let path: String
    private let lock: FileLock
    private let lockPath: String

    init(in stageRoot: String) throws(SoftwareAreaError) {
        try FileSystem.makePrivateDirectories(stageRoot)
        let name = FileSystem.randomName()
        lockPath = "\(stageRoot)/\(name).lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io(path: lockPath, operation: "create", reason: FileSystem.errorText()) }
        close(descriptor)
        guard let lock = try FileLock.tryAcquire(lockPath) else {
            throw .io(path: lockPath, operation: "flock", reason: "taken by another process")
        }
        self.lock = lock
        path = "\(stageRoot)/\(name)"
        guard mkdir(path, 0o755) == 0 else {
            lock.unlock()
            unlink(lockPath)
            throw .io(path: path, operation: "mkdir", reason: FileSystem.errorText())
        }
    }

    /// Deletes the directory, then the lock.
    func discard() {
        FileSystem.removeTree(path)
        unlink(lockPath)
        lock.unlock()
    }

    /// Removes stage directories and lock files of dead processes; returns what was removed.
    static func sweep(_ stageRoot: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: stageRoot) else { return [] }
        var removed: [String] = []
        let now = Int64(Date().timeIntervalSince1970)
        for name in names.sorted() {
            let path = "\(stageRoot)/\(name)"
            if name.hasSuffix(".lock") {
                let directory = String(path.dropLast(5))
                // A lock without its directory: a dying stage, or one just being created (young).
                guard !FileSystem.exists(directory), now - (FileSystem.modificationTime(path) ?? now) >= 5,
                    let lock = try? FileLock.tryAcquire(path)
                else { continue }
                unlink(path)
                lock.unlock()
                continue
            }
            let lockPath = path + ".lock"
            if !FileSystem.exists(lockPath) {
                FileSystem.removeTree(path)
                removed.append(path)
            } else if let lock = try? FileLock.tryAcquire(lockPath) {
                FileSystem.removeTree(path)
                unlink(lockPath)
                lock.unlock()
                removed.append(path)
            }
        }
        return removed
    }
}
