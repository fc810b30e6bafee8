public import AlienModel
import Foundation

/// Where everything of a software area lives (DESIGN.md "Software area"):
/// packages at `<root>/<arch>/<Name>/<Version>-<Rev>/`, state under `<root>/.alien/`.
public struct AreaLayout: Sendable, Hashable {
    public var root: String
    public var arch: String

    public init(root: String, arch: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.arch = arch
    }

    public var state: String { "\(root)/.alien" }
    /// The TUF metadata directory of the area.
    public var trust: String { "\(state)/trust" }
    public var config: String { "\(state)/config.json" }
    public var locks: String { "\(state)/locks" }
    public var stage: String { "\(state)/stage" }
    public var trash: String { "\(state)/trash" }
    public var leases: String { "\(state)/leases" }
    /// The append-only record of package uses (`Forensics.UsageLog`) when no packmand keeps them.
    public var usageLog: String { "\(state)/usage.log" }
    /// The revocations the last refresh found (`PackageRevocation`s), read offline by leases,
    /// environments, `doctor --site` and packmand's status page.
    public var revocations: String { "\(state)/revocations.json" }
    public var downloads: String { "\(state)/downloads" }
    /// Verified tarballs and their torrents kept for seeding (`<sha256>.<file>` and `<sha256>.<file>.torrent`).
    public var cache: String { "\(state)/cache" }
    /// Last-used stamps: `used/<arch>/<Name>/<Version>-<Rev>` (the file's mtime).
    public var used: String { "\(state)/used" }

    /// `<arch>/<Name>/<Version>-<Rev>`, relative to the root.
    public func relativePath(_ key: PackageBuild) -> String { "\(arch)/\(key.name)/\(key.version)" }
    public func packageDirectory(_ key: PackageBuild) -> String { "\(root)/\(relativePath(key))" }
    public func record(_ key: PackageBuild) -> String { "\(packageDirectory(key))/\(InstallRecord.fileName)" }
    public func lock(_ key: PackageBuild) -> String { "\(locks)/\(relativePath(key)).lock" }
    public func usedStamp(_ key: PackageBuild) -> String { "\(used)/\(relativePath(key))" }
    /// Held while leases are read-modify-written, and by `remove`/`gc` while they check them.
    public var leaseLock: String { "\(locks)/leases.lock" }
    /// Held by `remove`/`gc` while they decide and move, and by `install` while it renames in.
    public var areaLock: String { "\(locks)/area.lock" }
}
