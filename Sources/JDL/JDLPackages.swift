public import AlienModel

/// One entry of a JDL's `Packages`: the text as written, the parsed identity, where it was.
public struct JDLPackageEntry: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    public let id: PackageID
    /// Nil when the document was built in code.
    public let location: JDLLocation?

    public var description: String { text }
}

/// Something odd about a `Packages` list that does not stop the submission.
public enum JDLPackageFinding: Hashable, Sendable, CustomStringConvertible {
    /// The same package (after qualifying the owner) listed twice.
    case duplicate(String, first: JDLLocation?, second: JDLLocation?)
    /// One package listed with different versions; the entries in order.
    case conflictingVersions(name: String, entries: [String])

    public var description: String {
        switch self {
        case let .duplicate(package, first, second):
            "\(second.map { "\($0): " } ?? "")package \(package) is listed twice"
                + (first.map { " (first at \($0))" } ?? "")
        case let .conflictingVersions(name, entries):
            "package \(name) is listed with different versions: \(entries.joined(separator: ", "))"
        }
    }
}

/// A JDL's `Packages` attribute (a list of strings, or a single string) as package identities.
public struct JDLPackages: Sendable, Equatable {
    public let entries: [JDLPackageEntry]
    public let findings: [JDLPackageFinding]
    /// The owner filled in for entries written without one (`AliPhysics::v1` → `VO_ALICE@...`).
    public let defaultOwner: String

    /// Reads `Packages` from `document` (no attribute: no entries).
    ///
    /// - Throws: ``JDLError/packageNotString(_:found:)`` for a non-string entry and
    ///   ``JDLError/invalidPackage(_:entry:reason:)`` for a string that is not a package,
    ///   each with the entry's location.
    public init(document: JDLDocument, defaultOwner: String = PackageID.defaultOwner) throws(JDLError) {
        self.defaultOwner = defaultOwner
        guard let attribute = document.attribute(named: "Packages") else {
            entries = []
            findings = []
            return
        }
        let values: [JDLValue]
        let locations: [JDLLocation?]
        if case let .list(items) = attribute.value {
            values = items
            locations = items.indices.map { attribute.elementLocations.indices.contains($0) ? attribute.elementLocations[$0] : nil }
        } else {
            values = [attribute.value]
            locations = [attribute.valueLocation]
        }
        let unknown = JDLLocation(line: 0, column: 0)
        var parsed: [JDLPackageEntry] = []
        for (value, location) in zip(values, locations) {
            guard let text = value.stringValue else {
                throw .packageNotString(location ?? unknown, found: value.kindDescription)
            }
            do {
                parsed.append(JDLPackageEntry(text: text, id: try PackageID(parsing: text), location: location))
            } catch {
                throw .invalidPackage(location ?? unknown, entry: text, reason: Self.reason(error))
            }
        }
        entries = parsed
        findings = Self.findings(parsed, defaultOwner: defaultOwner)
    }

    /// Each entry fully qualified (`OWNER@Name::Version`, the default owner filled in);
    /// `::latest` stays symbolic. Duplicates are kept as listed.
    public var qualified: [String] { entries.map { $0.id.qualified(defaultOwner: defaultOwner) } }

    /// ``qualified`` without repeats, first occurrence kept.
    public var uniqueQualified: [String] {
        var seen: Set<String> = []
        return qualified.filter { seen.insert($0).inserted }
    }

    private static func findings(_ entries: [JDLPackageEntry], defaultOwner: String) -> [JDLPackageFinding] {
        var result: [JDLPackageFinding] = []
        var firstOf: [String: JDLPackageEntry] = [:]
        var versions: [String: [String]] = [:]
        var order: [String] = []
        firstOf.reserveCapacity(entries.count)
        versions.reserveCapacity(entries.count)
        for entry in entries {
            let qualified = entry.id.qualified(defaultOwner: defaultOwner)
            if let first = firstOf[qualified] {
                result.append(.duplicate(qualified, first: first.location, second: entry.location))
                continue
            }
            firstOf[qualified] = entry
            let name = "\(entry.id.owner ?? defaultOwner)@\(entry.id.name)"
            if versions[name] == nil { order.append(name) }
            versions[name, default: []].append(qualified)
        }
        for name in order where (versions[name]?.count ?? 0) > 1 {
            result.append(.conflictingVersions(name: name, entries: versions[name] ?? []))
        }
        return result
    }

    private static func reason(_ error: ModelError) -> String {
        switch error {
        case let .invalidPackageID(_, reason), let .invalidPackageName(_, reason), let .invalidVersion(_, reason),
            let .invalidArchitecture(_, reason), let .invalidHash(_, reason):
            reason
        }
    }
}
