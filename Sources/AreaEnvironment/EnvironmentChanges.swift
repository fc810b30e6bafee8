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

    /// `ignored.contains(name)`, without hashing (`env` asks for every variable).
    public static func isIgnored(_ name: String) -> Bool {
        name == "_" || name == "SHLVL" || name == "PWD" || name == "OLDPWD"
    }

    /// The difference between two snapshots of `env -0`.
    public static func diff(before: [String: String], after: [String: String]) -> EnvironmentChanges {
        diff(before: before, after: after.count, value: { after[$0] }, each: { body in for (name, value) in after { body(name, value) } })
    }

    /// The difference from `before` to an environment given by its size, a lookup and a walk
    /// over its variables (so an evaluation's variables need not become a dictionary first).
    static func diff(before: [String: String], after count: Int, value: (String) -> String?,
                     each: ((String, String) -> Void) -> Void) -> EnvironmentChanges {
        var changes = EnvironmentChanges()
        changes.values.reserveCapacity(count)
        each { name, value in
            guard !isIgnored(name), before[name] != value else { return }
            changes.values[name] = isPathLike(name) ? PathList.merge(old: before[name], new: value) : value
        }
        for name in before.keys where value(name) == nil && !isIgnored(name) { changes.removed.insert(name) }
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

/// `a:b:c` lists as init.sh builds them (`export P="x${P+:$P}"`). Lists are split at the byte
/// `:`, as the shell and the dynamic loader split them.
public enum PathList {
    /// The new value with duplicates we introduced removed: the entries added in front (or at
    /// the end) of the old value appear once, and an added entry that the old value held
    /// already is taken out of the old part. Entries the old value repeated itself stay.
    public static func merge(old: String?, new: String) -> String {
        let newParts = parts(new)
        guard let old, !old.isEmpty else { return unique(newParts).joined(separator: ":") }
        let oldParts = parts(old)
        if new.utf8.count > old.utf8.count, new.utf8.reversed().starts(with: (":" + old).utf8.reversed()) {
            let added = unique(Array(newParts.dropLast(oldParts.count)))
            let addedSet = Set(added)
            return (added + oldParts.filter { !addedSet.contains($0) }).joined(separator: ":")
        }
        if new.utf8.count > old.utf8.count, new.utf8.starts(with: (old + ":").utf8) {
            let oldSet = Set(oldParts)
            let added = unique(Array(newParts.dropFirst(oldParts.count))).filter { !oldSet.contains($0) }
            return (oldParts + added).joined(separator: ":")
        }
        return unique(newParts).joined(separator: ":")
    }

    /// The entries of a list, empty ones included.
    static func parts(_ text: String) -> [Substring] {
        text.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// First occurrence of each non-empty entry; empty entries (the current directory) are kept.
    static func unique(_ parts: [Substring]) -> [Substring] {
        var seen: Set<Substring> = []
        return parts.filter { $0.isEmpty || seen.insert($0).inserted }
    }
}
