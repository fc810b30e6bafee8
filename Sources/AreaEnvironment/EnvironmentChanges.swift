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
        diff(before: before, after: after.count, value: { after[$0] }, each: after.lazy.map { ($0.key, $0.value) })
    }

    /// The difference from `before` to an environment given by its size, a lookup and its
    /// variables (so an evaluation's variables need not become a dictionary first).
    static func diff(
        before: [String: String], after count: Int, value: (String) -> String?, each variables: some Sequence<(String, String)>
    ) -> EnvironmentChanges {
        var changes = EnvironmentChanges()
        changes.values.reserveCapacity(count)
        walk(before: before, value: value, each: variables, set: { changes.values[$0] = $1 }, remove: { changes.removed.insert($0) })
        return changes
    }

    /// The difference, handed out one variable at a time: `set` for each variable set (each name
    /// once, in no order), then `remove` for each variable removed (each once). `diff` collects
    /// them in a dictionary and a set; `env` for sh prints them without (see
    /// `EnvironmentArea.posixStatements`).
    static func walk(
        before: [String: String], value: (String) -> String?, each variables: some Sequence<(String, String)>,
        set: (String, String) -> Void, remove: (String) -> Void
    ) {
        let filter = NameFilter(before.keys)
        for (name, value) in variables where !isIgnored(name) {
            // Most variables a closure sets are new: the filter tells without hashing their names.
            let old = filter.mayHold(name) ? before[name] : nil
            guard old != value else { continue }
            set(name, isPathLike(name) ? PathList.merge(old: old, new: value) : value)
        }
        for name in before.keys where value(name) == nil && !isIgnored(name) { remove(name) }
    }

    public static func isPathLike(_ name: String) -> Bool { name.hasSuffix("PATH") }

    /// Which first bytes and lengths (63: longer) the UTF-8 of a set of names has: a name with
    /// another pair is not among them. Only when all of them are ASCII (then equal names have
    /// equal bytes; a non-ASCII name can equal an ASCII one canonically), else it holds anything.
    struct NameFilter {
        private var pairs: [UInt64]?

        init(_ names: some Sequence<String>) {
            var pairs = [UInt64](repeating: 0, count: 128)
            for name in names {
                let utf8 = name.utf8
                guard let first = utf8.first, first < 0x80, !utf8.contains(where: { $0 >= 0x80 }) else {
                    if name.isEmpty { continue }
                    self.pairs = nil
                    return
                }
                pairs[Int(first)] |= 1 << min(utf8.count, 63)
            }
            self.pairs = pairs
        }

        func mayHold(_ name: String) -> Bool {
            guard let pairs else { return true }
            guard let first = name.utf8.first else { return true }
            return first >= 0x80 || pairs[Int(first)] & (1 << min(name.utf8.count, 63)) != 0
        }
    }

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
/// `:` and entries compared byte for byte, as the shell and the dynamic loader see them.
public enum PathList {
    /// The new value with duplicates we introduced removed: the entries added in front (or at
    /// the end) of the old value appear once, and an added entry that the old value held
    /// already is taken out of the old part. Entries the old value repeated itself stay.
    public static func merge(old: String?, new: String) -> String {
        var new = new
        return new.withUTF8 { newBytes in
            let newParts = parts(newBytes)
            guard var old, !old.isEmpty else { return rebuilt(newBytes, newParts, keep: unique(newBytes, newParts, count: newParts.count)) }
            return old.withUTF8 { oldBytes in
                let oldParts = parts(oldBytes)
                let count = newBytes.count, oldCount = oldBytes.count
                if count > oldCount, newBytes[count - oldCount - 1] == 0x3A, equal(newBytes, count - oldCount..<count, oldBytes, 0..<oldCount) {
                    // Added in front: each once, and taken out of the old part.
                    let addedCount = newParts.count - oldParts.count
                    var keep = unique(newBytes, newParts, count: addedCount)
                    var added = EntrySet(newBytes, capacity: addedCount)
                    var addedEmpty = false
                    for index in 0..<addedCount where keep[index] {
                        if newParts[index].isEmpty { addedEmpty = true } else { added.insert(newParts[index]) }
                    }
                    for index in addedCount..<newParts.count {
                        let range = newParts[index]
                        keep.append(range.isEmpty ? !addedEmpty : !added.contains(range))
                    }
                    return rebuilt(newBytes, newParts, keep: keep)
                }
                if count > oldCount, newBytes[oldCount] == 0x3A, equal(newBytes, 0..<oldCount, oldBytes, 0..<oldCount) {
                    // Added at the end: each once, and not when the old part has it.
                    var seen = EntrySet(newBytes, capacity: newParts.count)
                    var oldEmpty = false
                    var keep = [Bool](repeating: true, count: oldParts.count)
                    for index in 0..<oldParts.count {
                        if newParts[index].isEmpty { oldEmpty = true } else { seen.insert(newParts[index]) }
                    }
                    for index in oldParts.count..<newParts.count {
                        let range = newParts[index]
                        keep.append(range.isEmpty ? !oldEmpty : seen.insert(range))
                    }
                    return rebuilt(newBytes, newParts, keep: keep)
                }
                return rebuilt(newBytes, newParts, keep: unique(newBytes, newParts, count: newParts.count))
            }
        }
    }

    /// The byte ranges of a list's entries, empty ones included.
    static func parts(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        // memchr from one `:` to the next (lists are kilobytes: a hundred packages' entries).
        if let base = bytes.baseAddress {
            while start < bytes.count, let found = memchr(base + start, 0x3A, bytes.count - start) {
                let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                result.append(start..<index)
                start = index + 1
            }
        }
        result.append(start..<bytes.count)
        return result
    }

    /// For the first `count` entries: true for the first occurrence of each non-empty entry and
    /// for empty entries (the current directory), which are kept.
    static func unique(_ bytes: UnsafeBufferPointer<UInt8>, _ parts: [Range<Int>], count: Int) -> [Bool] {
        var seen = EntrySet(bytes, capacity: count)
        return parts[..<count].map { $0.isEmpty || seen.insert($0) }
    }

    /// The entries kept, joined with `:`; the list itself when all are.
    static func rebuilt(_ bytes: UnsafeBufferPointer<UInt8>, _ parts: [Range<Int>], keep: [Bool]) -> String {
        if !keep.contains(false) { return String(decoding: bytes, as: UTF8.self) }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var first = true
        for (range, kept) in zip(parts, keep) where kept {
            if !first { result.append(0x3A) }
            result.append(contentsOf: bytes[range])
            first = false
        }
        return String(decoding: result, as: UTF8.self)
    }

    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ aRange: Range<Int>, _ b: UnsafeBufferPointer<UInt8>, _ bRange: Range<Int>) -> Bool {
        guard aRange.count == bRange.count else { return false }
        guard !aRange.isEmpty else { return true }
        return memcmp(a.baseAddress! + aRange.lowerBound, b.baseAddress! + bRange.lowerBound, aRange.count) == 0
    }

    /// Entries (byte ranges of one list's bytes) seen so far: an open-addressing table of
    /// indices into `ranges`, by FNV-1a hash of the bytes, with the bytes compared on a match.
    struct EntrySet {
        private let bytes: UnsafeBufferPointer<UInt8>
        private var ranges: [Range<Int>] = []
        private var hashes: [UInt64] = []
        /// 0 for a free slot, else an index into `ranges` plus one; a power of two long.
        private var slots: [Int32]

        init(_ bytes: UnsafeBufferPointer<UInt8>, capacity: Int) {
            self.bytes = bytes
            var size = 16
            while size < capacity * 2 { size *= 2 }
            slots = [Int32](repeating: 0, count: size)
            ranges.reserveCapacity(capacity)
            hashes.reserveCapacity(capacity)
        }

        static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in bytes[range] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
            return hash
        }

        /// The slot holding the entry, or the free slot where it would go.
        private func slot(_ range: Range<Int>, _ hash: UInt64) -> (index: Int, found: Bool) {
            let mask = slots.count - 1
            var index = Int(truncatingIfNeeded: hash) & mask
            while true {
                let held = Int(slots[index])
                if held == 0 { return (index, false) }
                if hashes[held - 1] == hash, PathList.equal(bytes, ranges[held - 1], bytes, range) { return (index, true) }
                index = (index + 1) & mask
            }
        }

        func contains(_ range: Range<Int>) -> Bool {
            slot(range, Self.hash(bytes, range)).found
        }

        /// Adds the entry; false when it was there already.
        @discardableResult
        mutating func insert(_ range: Range<Int>) -> Bool {
            let hash = Self.hash(bytes, range)
            let (index, found) = slot(range, hash)
            if found { return false }
            ranges.append(range)
            hashes.append(hash)
            slots[index] = Int32(ranges.count)
            if ranges.count * 2 > slots.count { grow() }
            return true
        }

        private mutating func grow() {
            slots = [Int32](repeating: 0, count: slots.count * 2)
            let mask = slots.count - 1
            for (offset, hash) in hashes.enumerated() {
                var index = Int(truncatingIfNeeded: hash) & mask
                while slots[index] != 0 { index = (index + 1) & mask }
                slots[index] = Int32(offset + 1)
            }
        }
    }
}
