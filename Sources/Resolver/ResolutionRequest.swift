public import AlienModel

/// Everything a resolution depends on. Nothing else is read: no disk, clock, git or process.
public struct ResolutionRequest: Sendable {
    /// The packages asked for, in the order given.
    public var targets: [PackageName]
    /// The `--defaults` name (`release` reads `defaults-release.sh`).
    public var defaults: String
    public var architecture: Architecture
    /// `--disable` names.
    public var disable: [String]
    /// Which packages may be taken from the system: aliBuild's `--no-system` (`*` = none)
    /// and `--always-prefer-system`.
    public var systemPolicy: SystemPolicy
    /// Branch tips as `git ls-remote` would report them: source URL → branch → commit.
    /// A tag that is not a branch here is used as the commit hash (fully offline by default).
    public var branches: [String: [String: String]]
    /// The moment `%(year)s`, `%(month)s`, `%(day)s`, `%(hour)s` stand for.
    public var date: ResolutionDate
    /// The alidist checkout's branch (`%(branch_basename)s`), asked only when a version
    /// template uses it (finding it out costs a `git` process).
    public var recipesBranch: @Sendable () -> String
    /// Packages to rebuild whatever their hash says (`--force-rebuild`).
    public var forceRebuild: Set<String>
    /// What `force_rebuild` puts into a hash in place of aliBuild's `str(time.time())`.
    public var forceRebuildStamp: String

    public init(
        targets: [PackageName], defaults: String = "release", architecture: Architecture,
        disable: [String] = [], systemPolicy: SystemPolicy = .init(), branches: [String: [String: String]] = [:],
        date: ResolutionDate = .init(year: 2000, month: 1, day: 1, hour: 0), recipesBranch: @escaping @Sendable () -> String = { "" },
        forceRebuild: Set<String> = [], forceRebuildStamp: String = "0"
    ) {
        self.targets = targets
        self.defaults = defaults
        self.architecture = architecture
        self.disable = disable
        self.systemPolicy = systemPolicy
        self.branches = branches
        self.date = date
        self.recipesBranch = recipesBranch
        self.forceRebuild = forceRebuild
        self.forceRebuildStamp = forceRebuildStamp
    }
}

/// aliBuild's `--no-system [A,B|*]` and `--always-prefer-system`.
public struct SystemPolicy: Hashable, Sendable {
    public enum NoSystem: Hashable, Sendable {
        /// Run the prefer checks of packages whose `prefer_system` matches the architecture.
        case none
        /// `--no-system`: build everything here.
        case all
        /// `--no-system A,B`: build these here.
        case packages(Set<String>)
    }

    public var noSystem: NoSystem
    /// `--always-prefer-system`: run every package's prefer check.
    public var alwaysPreferSystem: Bool

    public init(noSystem: NoSystem = .none, alwaysPreferSystem: Bool = false) {
        self.noSystem = noSystem
        self.alwaysPreferSystem = alwaysPreferSystem
    }

    func excludes(_ package: String) -> Bool {
        switch noSystem {
        case .none: false
        case .all: true
        case let .packages(names): names.contains(package)
        }
    }
}

/// The date fields of version templates, zero-padded as aliBuild pads them.
public struct ResolutionDate: Hashable, Sendable, Codable {
    public var year: Int, month: Int, day: Int, hour: Int

    public init(year: Int, month: Int, day: Int, hour: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
    }

    var templateValues: [String: String] {
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return ["year": "\(year)", "month": pad(month), "day": pad(day), "hour": pad(hour)]
    }
}
