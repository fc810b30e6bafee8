#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A concrete build of a package: its version and aliBuild revision (`v6-32-06` and `1`), in the
/// one order that says which build is newer — install, env, the catalog and packmand all choose
/// "the newest" by it.
///
/// The order is natural and total: digit runs compare as numbers (`v5-9` < `v5-10`), everything
/// else scalar by scalar; the version decides first, then the revision. Texts equal by value
/// that are spelled differently (`v6-32-06` and `v6-32-6`, `09` and `9`) are ordered by their
/// scalars, version then revision: `v6-32-06` < `v6-32-6`, so `v6-32-6` is the newer. Two
/// builds compare equal only when both texts are identical.
public struct PackageVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var version: String
    public var revision: String

    public init(version: String, revision: String) {
        self.version = version
        self.revision = revision
    }

    /// Reads a folder name `Version-Revision` (the revision is what follows the last `-`); nil
    /// when either part would be empty.
    public init?(folder: some StringProtocol) {
        // Over the UTF-8 (`-` is one byte): no grapheme breaking for every folder `env` looks at.
        let text = String(folder)
        let bytes = text.utf8
        guard let dash = bytes.lastIndex(of: 0x2D), dash != bytes.startIndex else { return nil }
        let revisionStart = bytes.index(after: dash)
        guard revisionStart != bytes.endIndex else { return nil }
        self.init(version: String(text[..<dash]), revision: String(text[revisionStart...]))
    }

    /// `Version-Revision`, the folder name of an installed package.
    public var description: String { "\(version)-\(revision)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { compare(lhs, rhs) == .orderedAscending }

    /// The one order of builds (see the type's documentation).
    public static func compare(_ lhs: Self, _ rhs: Self) -> ComparisonResult {
        let byVersion = compareNatural(lhs.version, rhs.version)
        if byVersion != .orderedSame { return byVersion }
        let byRevision = compareNatural(lhs.revision, rhs.revision)
        if byRevision != .orderedSame { return byRevision }
        let versionText = compareScalars(lhs.version, rhs.version)
        if versionText != .orderedSame { return versionText }
        return compareScalars(lhs.revision, rhs.revision)
    }

    /// Two version texts by value alone: digit runs as numbers of any length (leading zeros do
    /// not count: `09` = `9`), other scalars by code point. Foundation's
    /// `compare(_:options: .numeric)` for ASCII texts, without Foundation. Not total on its own:
    /// ``compare(_:_:)`` breaks its ties.
    public static func compareNatural(_ lhs: String, _ rhs: String) -> ComparisonResult {
        let left = Array(lhs.unicodeScalars), right = Array(rhs.unicodeScalars)
        var i = 0, j = 0
        while i < left.count, j < right.count {
            if isDigit(left[i]), isDigit(right[j]) {
                let leftEnd = left[i...].firstIndex { !isDigit($0) } ?? left.count
                let rightEnd = right[j...].firstIndex { !isDigit($0) } ?? right.count
                let order = compareNumbers(left[i..<leftEnd], right[j..<rightEnd])
                if order != .orderedSame { return order }
                i = leftEnd
                j = rightEnd
                continue
            }
            if left[i] != right[j] { return left[i].value < right[j].value ? .orderedAscending : .orderedDescending }
            i += 1
            j += 1
        }
        if i < left.count { return .orderedDescending }
        if j < right.count { return .orderedAscending }
        return .orderedSame
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    /// Two digit runs by value, of any length.
    private static func compareNumbers(_ left: ArraySlice<Unicode.Scalar>, _ right: ArraySlice<Unicode.Scalar>) -> ComparisonResult {
        let a = left.drop { $0 == "0" }, b = right.drop { $0 == "0" }
        if a.count != b.count { return a.count < b.count ? .orderedAscending : .orderedDescending }
        for (x, y) in zip(a, b) where x != y { return x.value < y.value ? .orderedAscending : .orderedDescending }
        return .orderedSame
    }

    private static func compareScalars(_ lhs: String, _ rhs: String) -> ComparisonResult {
        if lhs == rhs { return .orderedSame }
        return lhs.unicodeScalars.lexicographicallyPrecedes(rhs.unicodeScalars) ? .orderedAscending : .orderedDescending
    }
}
