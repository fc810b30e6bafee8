import Foundation
import AlienModel

/// Text renderings of a plan for people and tools. Pure: returns strings.
public enum PlanRenderer {
    public enum Format: String, CaseIterable, Sendable {
        case table, json, dot, hashes
    }

    public static func render(_ plan: BuildPlan, as format: Format) throws -> String {
        switch format {
        case .table: table(plan)
        case .json: try json(plan)
        case .dot: dot(plan)
        case .hashes: hashes(plan)
        }
    }

    /// `name version remote_hash`, one per line, sorted by name, without defaults-release.
    public static func hashes(_ plan: BuildPlan) -> String {
        plan.packages.values.filter { $0.name.rawValue != "defaults-release" }
            .sorted { $0.name < $1.name }
            .map { "\($0.name) \($0.version) \($0.remoteHash)\n" }.joined()
    }

    /// Build order with versions, hashes and direct dependencies, then what was left out.
    public static func table(_ plan: BuildPlan) -> String {
        let rows = plan.orderedPackages.map { package in
            [
                package.name.rawValue, package.version, String(package.remoteHash.prefix(12)),
                package.requires.map(\.rawValue).filter { $0 != "defaults-release" }.joined(separator: ", ")
            ]
        }
        var out =
            "Plan for \(plan.targets.map(\.rawValue).joined(separator: " ")) "
            + "(defaults \(plan.defaults), \(plan.architecture)): \(plan.packages.count) packages\n"
        out += aligned([["PACKAGE", "VERSION", "HASH", "REQUIRES"]] + rows)
        if !plan.fromSystem.isEmpty {
            out += "From the system: \(plan.fromSystem.map(\.rawValue).joined(separator: ", "))\n"
        }
        let others = Set(plan.disabled).subtracting(plan.fromSystem.map(\.rawValue))
        if !others.isEmpty { out += "Disabled: \(others.sorted().joined(separator: ", "))\n" }
        if !plan.failedRequirements.isEmpty {
            out += "Missing system requirements: \(plan.failedRequirements.map(\.rawValue).joined(separator: ", "))\n"
        }
        return out
    }

    /// Graphviz: runtime dependencies solid, build-only dependencies dashed.
    public static func dot(_ plan: BuildPlan) -> String {
        var out = "digraph plan {\n  rankdir=LR;\n  node [shape=box];\n"
        for package in plan.orderedPackages {
            out += "  \"\(package.name)\" [label=\"\(package.name)\\n\(package.version)\"];\n"
        }
        for package in plan.orderedPackages {
            for dependency in package.runtimeRequires { out += "  \"\(package.name)\" -> \"\(dependency)\";\n" }
            for dependency in package.buildRequires { out += "  \"\(package.name)\" -> \"\(dependency)\" [style=dashed];\n" }
        }
        return out + "}\n"
    }

    public static func json(_ plan: BuildPlan) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(PlanDocument(plan)), as: UTF8.self) + "\n"
    }

    /// Left-aligned columns separated by two spaces.
    static func aligned(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }.joined()
    }
}
