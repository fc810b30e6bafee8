public import AlienModel
import Trust

/// One line of the site checklist: what was checked, how it went, and what to do about it.
public struct SiteCheck: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case pass, warn, fail
        /// Not applicable here (e.g. no packmand configured), with the reason in `detail`.
        case skip
    }

    /// A short stable identifier ("area-writable"), for monitoring.
    public var id: String
    public var status: Status
    /// What was found: "12.3 GiB free, budget 10.0 GiB".
    public var detail: String
    /// What to do when the check did not pass.
    public var hint: String?

    public init(_ id: String, _ status: Status, _ detail: String, hint: String? = nil) {
        self.id = id
        self.status = status
        self.detail = detail
        self.hint = status == .pass || status == .skip ? nil : hint
    }

    var mark: String {
        switch status {
        case .pass: "✓"
        case .warn: "!"
        case .fail: "✗"
        case .skip: "-"
        }
    }
}

/// The whole checklist.
public struct SiteReport: Sendable, Hashable {
    public var checks: [SiteCheck]

    public init(checks: [SiteCheck]) {
        self.checks = checks
    }

    public var failed: Bool { checks.contains { $0.status == .fail } }

    public func check(_ id: String) -> SiteCheck? { checks.first { $0.id == id } }

    /// One line per check (`✓ id: detail`), the hint indented below a ✗ or !, and a summary.
    public var text: String {
        var lines: [String] = []
        for check in checks {
            lines.append("\(check.mark) \(check.id): \(check.detail)")
            if let hint = check.hint { lines.append("    hint: \(hint)") }
        }
        let count = { (status: SiteCheck.Status) in checks.filter { $0.status == status }.count }
        lines.append("\(count(.pass)) passed, \(count(.warn)) warnings, \(count(.fail)) failed, \(count(.skip)) skipped")
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: JSONValue {
        .object([
            "ok": .bool(!failed),
            "checks": .array(
                checks.map { check in
                    var fields: [String: JSONValue] = [
                        "id": .string(check.id), "status": .string(check.status.rawValue),
                        "detail": .string(check.detail)
                    ]
                    if let hint = check.hint { fields["hint"] = .string(hint) }
                    return .object(fields)
                })
        ])
    }
}
