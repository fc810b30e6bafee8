/// Limits of the client workflow; the defaults are python-tuf's `UpdaterConfig`.
public struct UpdaterConfiguration: Hashable, Sendable {
    /// At most this many new root versions are loaded in one refresh (the rest next time).
    public var maxRootRotations = 256
    /// At most this many targets roles are visited when looking up one target path.
    public var maxDelegations = 32
    /// Download limits for metadata whose length is not recorded elsewhere.
    public var rootMaxLength: Int64 = 512_000
    public var timestampMaxLength: Int64 = 16_384
    public var snapshotMaxLength: Int64 = 2_000_000
    public var targetsMaxLength: Int64 = 5_000_000
    /// With consistent snapshots, download targets as `<dir>/<sha256>.<basename>`.
    public var prefixTargetsWithHash = true

    public init() {}
}

/// A target found by `Updater.targetInfo(for:)`: its path, what the metadata says of it, and
/// the name of the targets role that listed it.
public struct TargetInfo: Hashable, Sendable {
    public var path: String
    public var file: TargetFile
    public var role: String

    public init(path: String, file: TargetFile, role: String) {
        self.path = path
        self.file = file
        self.role = role
    }
}
