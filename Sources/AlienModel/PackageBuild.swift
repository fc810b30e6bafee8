#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One concrete build of a package: its name and ``PackageVersion`` (`ROOT`, `v6-32-06`, `1`).
/// What an installed package, a catalog target, a build's outcome and an install event are,
/// in one value; `Name/Version-Revision` (the module name) is its spelling.
///
/// The order is by name, then ``PackageVersion``'s order (the one every "newest" uses).
public struct PackageBuild: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var name: PackageName
    /// The version and revision.
    public var version: PackageVersion

    public init(name: PackageName, version: PackageVersion) {
        self.name = name
        self.version = version
    }

    /// Reads the spellings ``description`` and ``qualified(owner:)`` write: `Name/Version-Revision`,
    /// `Name::Version-Revision`, `OWNER@Name::Version-Revision` (the owner is not kept). The
    /// revision is what follows the last `-`, as in a folder name (``PackageVersion/init(folder:)``).
    public init(parsing text: String) throws(ModelError) {
        let id = try PackageID(parsing: text)
        guard case let .exact(versionText) = id.version else {
            throw .invalidPackageID(text, reason: "a build names its version and revision")
        }
        guard let version = PackageVersion(folder: versionText) else {
            throw .invalidPackageID(text, reason: "\(quoted(versionText)) is not Version-Revision")
        }
        self.init(name: id.name, version: version)
    }

    /// `Name/Version-Revision`, the module name.
    public var description: String { "\(name.rawValue)/\(version.version)-\(version.revision)" }

    /// `OWNER@Name::Version-Revision` (``PackageID/spelling(name:build:owner:)``).
    public func qualified(owner: String = PackageID.defaultOwner) -> String {
        PackageID.spelling(name: name.rawValue, build: version, owner: owner)
    }

    /// This exact build as a request: `Name::Version-Revision`.
    public var id: PackageID { PackageID(name: name, build: version) }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.name != rhs.name ? lhs.name < rhs.name : lhs.version < rhs.version
    }
}
