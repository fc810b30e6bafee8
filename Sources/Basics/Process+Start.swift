public import Foundation
import Synchronization

/// Starts of child processes, one at a time in this process.
private let starting = Mutex(())

extension Process {
    /// `run()`, one start at a time in the whole process. Foundation (on Linux) learns that a
    /// child ended from the end of a socket pair it hands the child; while `run()` holds that end
    /// open, a child started by another thread at the same moment inherits it and keeps it open
    /// for its own life, so the first child's end goes unnoticed and `waitUntilExit()` waits on
    /// (seen in CI: a finished recipe's `bash` left a zombie while a test's webhook receiver,
    /// started just then, held its socket). Every start in the project goes through here.
    public func start() throws {
        try starting.withLock { _ in try run() }
    }
}
