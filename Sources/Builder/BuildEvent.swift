public import AlienModel

/// What the builder reports while it works; the CLI turns these into a live view or JSON lines.
public enum BuildEvent: Sendable {
    case planned(total: Int)
    case started(PackageName, version: String, revision: String)
    case cached(PackageName, version: String, revision: String, from: String)
    case finished(PackageName, version: String, revision: String, seconds: Double)
    case failed(PackageName, error: BuildError)
    case skipped(PackageName, because: PackageName)
    case waitingForLock(path: String)
}

/// The outcome of a build: what was built, reused and what failed.
public struct BuildSummary: Sendable {
    public var built: [PackageIdentity] = []
    public var cached: [PackageIdentity] = []
    public var failed: [(PackageName, BuildError)] = []
    public var skipped: [PackageName] = []

    public var succeeded: Bool { failed.isEmpty && skipped.isEmpty }
}
