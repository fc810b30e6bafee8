import Synchronization

extension Modulefiles {
    /// Manifests read once for many modulefiles: the packages of one install, or every package
    /// of `regenerateAll`.
    ///
    /// A package's modulefile evaluates its whole closure. With a fresh read of the closure's
    /// manifests for each package, a closure install's modulefiles cost a quadratic number of
    /// file reads and parses (at 200 packages, 15 % of the install's CPU, all of it on the serial
    /// rename path). A batch keeps what it read, so each manifest is read once.
    ///
    /// A batch is meant for one stretch of work on one area, during which the packages it reads
    /// do not change: an install's dependencies are in place before their dependents' modulefiles
    /// are written. Work that starts later makes a new batch, which reads afresh.
    public final class Batch: Sendable {
        private let cache = Mutex(ManifestCache())

        public init() {}

        /// The body with the batch's manifest cache, one caller at a time.
        func withCache<Result: Sendable>(_ body: (ManifestCache) throws(EnvironmentError) -> Result) throws(EnvironmentError) -> Result {
            try cache.withLock { (cache: inout ManifestCache) throws(EnvironmentError) -> Result in try body(cache) }
        }
    }
}
