public import AlienModel

/// What became of one `Packages` entry when checked against a repository.
public enum JDLPackageStatus: Hashable, Sendable {
    /// Defined; `resolved` is `Name::Version-Revision` (`::latest` and bare names resolved).
    case defined(resolved: String)
    /// Not defined for the architecture; close names or versions, best first.
    case undefined(suggestions: [String])
    /// Not defined for the architecture, but for these others.
    case otherArchitectures([String])
}

/// One checked entry.
public struct JDLPackageResult: Hashable, Sendable, CustomStringConvertible {
    public let entry: JDLPackageEntry
    public let status: JDLPackageStatus
    public let arch: String

    public var isDefined: Bool { if case .defined = status { true } else { false } }

    /// The entry, fully qualified and resolved when defined.
    public func qualified(defaultOwner: String) -> String {
        guard case let .defined(resolved) = status else { return entry.id.qualified(defaultOwner: defaultOwner) }
        return "\(entry.id.owner ?? defaultOwner)@\(resolved)"
    }

    public var description: String {
        let written = entry.id.description
        switch status {
        case let .defined(resolved):
            return entry.id.version == .latest || entry.id.version == .any ? "\(written) → \(resolved)" : "\(written) defined"
        case let .undefined(suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: " or "))?"
            return "\(written) not defined for \(arch)\(hint)"
        case let .otherArchitectures(archs):
            return "\(written) not defined for \(arch); only for \(archs.joined(separator: ", "))"
        }
    }
}

/// A JDL's packages checked against what a repository offers (pure: the list comes in).
public struct JDLRepositoryCheck: Hashable, Sendable {
    public let arch: String
    public let results: [JDLPackageResult]
    public var succeeded: Bool { results.allSatisfy(\.isDefined) }

    /// Checks each entry of `packages` against `available` (the signed metadata of what a
    /// repository offers, every architecture; entries for
    /// `arch` count). Within one name, `available` is taken to be ordered newest first, as
    /// `PackageCatalog.available()` returns it: `::latest` and bare names pick the first match.
    public init(packages: JDLPackages, available: [PackageTargetMetadata], arch: String) {
        self.arch = arch
        let here = available.filter { $0.arch == arch }
        results = packages.entries.map { entry in
            JDLPackageResult(entry: entry, status: Self.status(of: entry.id, here: here, everywhere: available), arch: arch)
        }
    }

    /// Results checked elsewhere, combined (each package checked in its VO's repository).
    public init(arch: String, results: [JDLPackageResult]) {
        self.arch = arch
        self.results = results
    }

    static func status(of id: PackageID, here: [PackageTargetMetadata], everywhere: [PackageTargetMetadata]) -> JDLPackageStatus {
        let name = id.name.rawValue
        if let match = here.first(where: { $0.name == name && id.version.matches(version: $0.version, revision: $0.revision) }) {
            return .defined(resolved: match.spelling)
        }
        let elsewhere = everywhere.filter { $0.name == name && id.version.matches(version: $0.version, revision: $0.revision) }
        var archs: [String] = []
        for package in elsewhere where !archs.contains(package.arch) { archs.append(package.arch) }
        if !archs.isEmpty { return .otherArchitectures(archs.sorted()) }
        return .undefined(suggestions: JDLSuggestions.suggest(for: id, among: here))
    }
}

/// Close names and versions for a package a repository does not define.
public enum JDLSuggestions {
    /// Levenshtein distance (insertions, deletions, substitutions), by Unicode scalars.
    public static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.unicodeScalars), b = Array(rhs.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Up to `limit` spellings `Name::Version-Revision`: when the name is known, its versions
    /// closest to the one asked for; otherwise, for each close name (case-insensitive edit
    /// distance at most a third of the name, at least 2), its version closest to the one asked
    /// for (its newest when none was given).
    public static func suggest(for id: PackageID, among available: [PackageTargetMetadata], limit: Int = 3) -> [String] {
        let name = id.name.rawValue
        let sameName = available.filter { $0.name == name }
        if !sameName.isEmpty { return Array(rankVersions(sameName, wanted: id.version).prefix(limit).map(\.spelling)) }
        var names: [String] = []
        for package in available where !names.contains(package.name) { names.append(package.name) }
        let threshold = max(2, name.count / 3)
        let wanted = name.lowercased()
        var close: [(name: String, distance: Int)] = []
        for candidate in names {
            let lowered = candidate.lowercased()
            let distance = editDistance(lowered, wanted)
            if distance <= threshold || lowered.hasPrefix(wanted) || wanted.hasPrefix(lowered) { close.append((candidate, distance)) }
        }
        close.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.name < $1.name }
        var result: [String] = []
        for candidate in close.prefix(limit) {
            let versions = available.filter { $0.name == candidate.name }
            if let best = rankVersions(versions, wanted: id.version).first { result.append(best.spelling) }
        }
        return result
    }

    /// Versions ordered by closeness to `wanted`: those starting with it (or it with their
    /// version) first, newest first; then the others by edit distance; no version wanted
    /// keeps the given order (newest first).
    static func rankVersions(_ packages: [PackageTargetMetadata], wanted: VersionSelector) -> [PackageTargetMetadata] {
        guard case let .exact(text) = wanted else { return packages }
        var scored: [(package: PackageTargetMetadata, prefix: Int, distance: Int, index: Int)] = []
        for (index, package) in packages.enumerated() {
            let full = package.build.description
            let prefix = full.hasPrefix(text) || text.hasPrefix(package.version)
            scored.append((package, prefix ? 0 : 1, prefix ? 0 : editDistance(full, text), index))
        }
        scored.sort { ($0.prefix, $0.distance, $0.index) < ($1.prefix, $1.distance, $1.index) }
        return scored.map(\.package)
    }
}

extension JDLRepositoryCheck {
    /// The entries fully qualified, `::latest` resolved when defined; first occurrence kept.
    public func resolvedQualified(defaultOwner: String) -> [String] {
        var seen: Set<String> = []
        return results.map { $0.qualified(defaultOwner: defaultOwner) }.filter { seen.insert($0).inserted }
    }

    /// A JSON array of `{"package", "status", "resolved"|"suggestions"|"architectures"}`.
    public func json(defaultOwner: String) -> String {
        func string(_ text: String) -> String { JDLPrinter.quote(text, escapingControls: true) }
        func list(_ items: [String]) -> String { "[" + items.map(string).joined(separator: ",") + "]" }
        let items = results.map { result -> String in
            let package = string(result.entry.id.qualified(defaultOwner: defaultOwner))
            switch result.status {
            case let .defined(resolved):
                return "{\"package\":\(package),\"resolved\":\(string("\(result.entry.id.owner ?? defaultOwner)@\(resolved)")),\"status\":\"defined\"}"
            case let .undefined(suggestions):
                return "{\"package\":\(package),\"status\":\"undefined\",\"suggestions\":\(list(suggestions))}"
            case let .otherArchitectures(archs):
                return "{\"architectures\":\(list(archs)),\"package\":\(package),\"status\":\"other-architecture\"}"
            }
        }
        return "[" + items.joined(separator: ",") + "]"
    }
}
