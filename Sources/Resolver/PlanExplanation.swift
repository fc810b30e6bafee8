public import AlienModel

/// Answers "why does this package have this hash?" and "why does it rebuild?".
public enum PlanExplanation {
    /// Every input of a package's hash, in the order it is hashed, then the hashes.
    public static func explain(_ name: PackageName, in plan: BuildPlan) -> String? {
        guard let package = plan[name] else { return nil }
        var out = "\(package.name) \(package.version) from \(package.recipeFile)\n"
        out += "hash inputs, in order (SHA-1 over their concatenation):\n"
        for input in package.hashInputs {
            out += "  \(input.label): " + describe(input.value) + "\n"
        }
        out += "remote hash: \(package.remoteHash)  (every dependency from a shared store)\n"
        out += "local hash:  \(package.localHash)  (everything built here; inputs as above with local dependency hashes, then \"local\")\n"
        return out
    }

    /// Compares a new plan with an earlier one (its JSON) and says, for each package whose
    /// hash changed, which of its own inputs changed or which dependency carried the change.
    public static func diff(old: PlanDocument, new plan: BuildPlan) -> String {
        let new = PlanDocument(plan)
        var lines: [String] = []
        var unchanged = 0
        for name in new.buildOrder {
            guard let current = new.packages[name] else { continue }
            guard let previous = old.packages[name] else {
                lines.append("\(name): new in this plan")
                continue
            }
            if previous.remoteHash == current.remoteHash {
                unchanged += 1
                continue
            }
            lines.append("\(name): \(previous.remoteHash.prefix(12)) → \(current.remoteHash.prefix(12))")
            let before = Dictionary(previous.hashInputs.map { ($0.label, $0.value) }, uniquingKeysWith: { first, _ in first })
            let after = Dictionary(current.hashInputs.map { ($0.label, $0.value) }, uniquingKeysWith: { first, _ in first })
            for input in current.hashInputs {
                guard let old = before[input.label] else {
                    lines.append("    + \(input.label): \(describe(input.value))")
                    continue
                }
                guard old != input.value else { continue }
                if input.label.hasPrefix("requires ") {
                    lines.append("    \(input.label): dependency hash changed (see \(input.label.dropFirst("requires ".count)))")
                } else {
                    lines.append("    \(input.label): \(describe(old)) → \(describe(input.value))")
                }
            }
            for input in previous.hashInputs where after[input.label] == nil {
                lines.append("    - \(input.label): \(describe(input.value))")
            }
        }
        for name in old.packages.keys.sorted() where new.packages[name] == nil {
            lines.append("\(name): no longer in the plan")
        }
        let changed = lines.isEmpty ? "no package hash changed" : lines.joined(separator: "\n")
        return changed + "\n\(unchanged) package(s) unchanged\n"
    }

    /// One line for short values; long or multi-line values are summarised.
    static func describe(_ value: String) -> String {
        if value.isEmpty { return "(empty)" }
        let lines = value.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count == 1 { return value }
        return "\(lines.count) line(s), \(value.utf8.count) bytes, starting \"\(lines[0].prefix(60))\""
    }
}
