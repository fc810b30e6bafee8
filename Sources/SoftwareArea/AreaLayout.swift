import AlienModel
import Foundation

/// One concrete package build: `Name/Version-Revision` (the module name).
public struct PackageKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var name: String
    public var version: String
    public var revision: String

    public init(name: String, version: String, revision: String) {
        self.name = name
        self.version = version
        self.revision = revision
    }

    /// `Name/Version-Revision`
    public var description: String { "\(name)/\(version)-\(revision)" }
    /// `VO_ALICE@Name::Version-Revision`
    public var qualified: String { PackageID.spelling(name: name, build: packageVersion, owner: PackageID.defaultOwner) }
    /// The version and revision, in the one order of builds.
    public var packageVersion: PackageVersion { PackageVersion(version: version, revision: revision) }
    /// This exact build as a request (`Name::Version-Revision`); throws when the name is not a package name.
    public func exactID() throws(SoftwareAreaError) -> PackageID {
        do { return PackageID(name: try PackageName(name), build: packageVersion) } catch {
            throw .invalidArgument(name: "package", expected: "a package id", got: error.description)
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.name, lhs.version, lhs.revision) < (rhs.name, rhs.version, rhs.revision)
    }
}

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
    public var downloads: String { "\(state)/downloads" }
    /// Verified tarballs and their torrents kept for seeding (`<sha256>.<file>` and `<sha256>.<file>.torrent`).
    public var cache: String { "\(state)/cache" }
    /// Last-used stamps: `used/<arch>/<Name>/<Version>-<Rev>` (the file's mtime).
    public var used: String { "\(state)/used" }

    /// `<arch>/<Name>/<Version>-<Rev>`, relative to the root.
    public func relativePath(_ key: PackageKey) -> String { "\(arch)/\(key.name)/\(key.version)-\(key.revision)" }
    public func packageDirectory(_ key: PackageKey) -> String { "\(root)/\(relativePath(key))" }
    public func record(_ key: PackageKey) -> String { "\(packageDirectory(key))/\(InstallRecord.fileName)" }
    public func lock(_ key: PackageKey) -> String { "\(locks)/\(relativePath(key)).lock" }
    public func usedStamp(_ key: PackageKey) -> String { "\(used)/\(relativePath(key))" }
    /// Held while leases are read-modify-written, and by `remove`/`gc` while they check them.
    public var leaseLock: String { "\(locks)/leases.lock" }
    /// Held by `remove`/`gc` while they decide and move, and by `install` while it renames in.
    public var areaLock: String { "\(locks)/area.lock" }
}
