#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What loading packages does to an environment: variables set (to their final values) and
/// variables removed. PATH-like variables (names ending in `PATH`) never get an entry twice
/// through us: an entry a package prepends that was already there moves to the front.
public struct EnvironmentChanges: Equatable, Sendable {
    /// Variables set, with their final values.
    public var values: [String: String]
    /// Variables removed.
    public var removed: Set<String>

    public init(values: [String: String] = [:], removed: Set<String> = []) {
        self.values = values
        self.removed = removed
    }

    public var isEmpty: Bool { values.isEmpty && removed.isEmpty }

    /// Variables that the shell itself changes and that never belong to a package's environment.
    public static let ignored: Set<String> = ["_", "SHLVL", "PWD", "OLDPWD"]

    /// The difference between two snapshots of `env -0`.
    public static func diff(before: [String: String], after: [String: String]) -> EnvironmentChanges {
        var changes = EnvironmentChanges()
        for (name, value) in after where !ignored.contains(name) && before[name] != value {
            changes.values[name] = isPathLike(name) ? PathList.merge(old: before[name], new: value) : value
        }
        for name in before.keys where after[name] == nil && !ignored.contains(name) { changes.removed.insert(name) }
        return changes
    }

    public static func isPathLike(_ name: String) -> Bool { name.hasSuffix("PATH") }

    /// The environment after the changes.
    public func applied(to environment: [String: String]) -> [String: String] {
        var result = environment
        for name in removed { result[name] = nil }
        for (name, value) in values { result[name] = value }
        return result
    }

    /// The changes followed by `other` (other wins).
    public func followed(by other: EnvironmentChanges) -> EnvironmentChanges {
        var result = self
        for name in other.removed { result.values[name] = nil; result.removed.insert(name) }
        for (name, value) in other.values { result.removed.remove(name); result.values[name] = value }
        return result
    }
}

/// `a:b:c` lists as init.sh builds them (`export P="x${P+:$P}"`).
public enum PathList {
    /// The new value with duplicates we introduced removed: the entries added in front (or at
    /// the end) of the old value appear once, and an added entry that the old value held
    /// already is taken out of the old part. Entries the old value repeated itself stay.
    public static func merge(old: String?, new: String) -> String {
        let newParts = new.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let old, !old.isEmpty else { return unique(newParts).joined(separator: ":") }
        let oldParts = old.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if new.hasSuffix(":" + old) {
            let added = unique(Array(newParts.dropLast(oldParts.count)))
            let addedSet = Set(added)
            return (added + oldParts.filter { !addedSet.contains($0) }).joined(separator: ":")
        }
        if new.hasPrefix(old + ":") {
            let oldSet = Set(oldParts)
            let added = unique(Array(newParts.dropFirst(oldParts.count))).filter { !oldSet.contains($0) }
            return (oldParts + added).joined(separator: ":")
        }
        return unique(newParts).joined(separator: ":")
    }

    /// First occurrence of each non-empty entry; empty entries (the current directory) are kept.
    static func unique(_ parts: [String]) -> [String] {
        var seen: Set<String> = []
        return parts.filter { $0.isEmpty || seen.insert($0).inserted }
    }
}
