public import AlienModel
import Foundation

extension SoftwareArea {
    /// What `gc` removed (or would remove, with `dryRun`).
    public struct CollectionReport: Sendable, Hashable {
        public var removed: [PackageBuild] = []
        public var freedBytes: UInt64 = 0
        /// The packages' total size before and after.
        public var sizeBefore: UInt64 = 0
        public var sizeAfter: UInt64 = 0
        public var budget: UInt64 = 0
    }

    /// Removes one installed package. Refused while a live lease holds it or another installed
    /// package requires it, unless `force`. The directory is renamed into trash, then deleted.
    @discardableResult
    public func remove(_ request: PackageID, force: Bool = false) throws(SoftwareAreaError) -> PackageBuild {
        guard let match = installed(matching: request).first else { throw .notInstalled(request.description) }
        try remove(match.key, force: force)
        return match.key
    }

    func remove(_ key: PackageBuild, force: Bool) throws(SoftwareAreaError) {
        let packageLock = try FileLock.acquire(layout.lock(key))
        defer { packageLock.unlock() }
        let leaseLock = try FileLock.acquire(layout.leaseLock)
        defer { leaseLock.unlock() }
        let final = layout.packageDirectory(key)
        guard FileSystem.exists(layout.record(key)) else { throw .notInstalled(key.description) }
        if !force {
            let holders = liveLeases().filter { $0.packages.contains(key.description) }.map(\.holder)
            if !holders.isEmpty { throw .leased(package: key.description, holders: holders.sorted()) }
            let dependants = dependants(of: key, among: installed())
            if !dependants.isEmpty { throw .required(package: key.description, by: dependants.map(\.description)) }
        }
        let trash = "\(layout.trash)/\(FileSystem.randomName())"
        try FileSystem.rename(final, to: trash)
        FileSystem.syncPath((final as NSString).deletingLastPathComponent, directory: true)
        FileSystem.removeTree(trash)
        unlink(layout.usedStamp(key))
        if let hook = hooks.afterRemove {
            do { try hook(layout, key) } catch { reporter.report(.warning(key, "after removal: \(error)")) }
        }
        reporter.report(.removed(key))
    }

    /// Installed packages (other than `key`) whose record lists `key`'s target among its requires.
    func dependants(of key: PackageBuild, among packages: [Installed]) -> [PackageBuild] {
        guard let target = packages.first(where: { $0.key == key })?.record.target else { return [] }
        return packages.filter { $0.key != key && $0.record.requires.contains(target) }.map(\.key)
    }

    /// Removes least recently used packages, never leased ones nor ones an installed package
    /// needs, until the packages' total size is at most `budget`.
    public func collectGarbage(budget: UInt64, dryRun: Bool = false) throws(SoftwareAreaError) -> CollectionReport {
        if !dryRun { sweep() }
        var remaining = installed()
        var report = CollectionReport()
        report.budget = budget
        report.sizeBefore = remaining.reduce(0) { $0 + $1.record.size }
        var total = report.sizeBefore
        let leased = Set(liveLeases().flatMap(\.packages))
        var skipped = Set<PackageBuild>()
        while total > budget {
            let candidates = remaining.filter { package in
                !skipped.contains(package.key) && !leased.contains(package.key.description)
                    && dependants(of: package.key, among: remaining).isEmpty
            }.sorted { ($0.lastUsed, $0.key) < ($1.lastUsed, $1.key) }
            guard let victim = candidates.first else { break }
            if !dryRun {
                do { try remove(victim.key, force: false) } catch {
                    switch error {
                    case .leased, .required, .notInstalled:
                        skipped.insert(victim.key)
                        continue
                    default: throw error
                    }
                }
            }
            remaining.removeAll { $0.key == victim.key }
            report.removed.append(victim.key)
            report.freedBytes += victim.record.size
            total -= victim.record.size
        }
        report.sizeAfter = total
        return report
    }

    /// `10G`, `512M`, `100k`, `1T` or plain bytes (powers of 1024).
    public static func parseSize(_ text: String) throws(SoftwareAreaError) -> UInt64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [Character: UInt64] = [
            "k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30,
            "t": 1 << 40, "T": 1 << 40
        ]
        var digits = Substring(trimmed)
        var multiplier: UInt64 = 1
        if digits.hasSuffix("iB") || digits.hasSuffix("B") { digits = digits.dropLast(digits.hasSuffix("iB") ? 2 : 1) }
        if let last = digits.last, let unit = units[last] {
            multiplier = unit
            digits = digits.dropLast()
        }
        guard let value = UInt64(digits), value <= UInt64.max / multiplier else {
            throw .invalidArgument(name: "size", expected: "a size such as 20G, 512M or 1000000", got: text)
        }
        return value * multiplier
    }
}
