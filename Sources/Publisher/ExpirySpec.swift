public import Trust

/// When a role's metadata expires: a duration from now (`7d`, `12h`, `30m`, `90s`, `2w`) or a
/// fixed date (`2030-01-01` or `2030-01-01T00:00:00Z`).
public enum ExpirySpec: Hashable, Sendable, CustomStringConvertible {
    case after(seconds: Int64)
    case at(Expiry)

    public init(parsing text: String) throws(PublisherError) {
        if text.count >= 10, text.first?.isNumber == true, text.contains("-") {
            let full = text.count == 10 ? text + "T00:00:00Z" : text
            do { self = .at(try Expiry(parsing: full)) } catch {
                throw .invalidExpiry(text, reason: "expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")
            }
            return
        }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400]
        guard let unit = text.last, let factor = units[unit], let count = Int64(text.dropLast()), count > 0,
            count <= 100 * 365 * 86400 / factor
        else {
            throw .invalidExpiry(text, reason: "expected a positive number followed by s, m, h, d or w (e.g. 7d, 12h), or a date YYYY-MM-DD")
        }
        self = .after(seconds: count * factor)
    }

    /// The expiry for metadata signed at `now`.
    public func expiry(from now: Expiry) -> Expiry {
        switch self {
        case let .after(seconds): Expiry(secondsSince1970: now.secondsSince1970 + seconds)
        case let .at(date): date
        }
    }

    public var description: String {
        switch self {
        case let .after(seconds):
            seconds % 86400 == 0 ? "\(seconds / 86400)d" : seconds % 3600 == 0 ? "\(seconds / 3600)h" : "\(seconds)s"
        case let .at(date): date.description
        }
    }
}

/// The lifetime given to each top-level role when it is (re-)signed.
public struct RoleExpiries: Hashable, Sendable {
    public var root: ExpirySpec
    public var targets: ExpirySpec
    public var snapshot: ExpirySpec
    public var timestamp: ExpirySpec

    /// root 365 days, targets 90 days, snapshot 7 days, timestamp 1 day.
    public static let defaults = RoleExpiries(
        root: .after(seconds: 365 * 86400), targets: .after(seconds: 90 * 86400),
        snapshot: .after(seconds: 7 * 86400), timestamp: .after(seconds: 86400))

    public init(root: ExpirySpec, targets: ExpirySpec, snapshot: ExpirySpec, timestamp: ExpirySpec) {
        self.root = root
        self.targets = targets
        self.snapshot = snapshot
        self.timestamp = timestamp
    }

    /// The defaults with `ROLE=DURATION` overrides applied (`targets=30d`, `timestamp=12h`).
    public init(overrides: [String]) throws(PublisherError) {
        self = .defaults
        for item in overrides {
            guard let equals = item.firstIndex(of: "=") else {
                throw .invalidExpiry(item, reason: "expected ROLE=DURATION, e.g. timestamp=1d")
            }
            let spec = try ExpirySpec(parsing: String(item[item.index(after: equals)...]))
            switch item[..<equals] {
            case "root": root = spec
            case "targets": targets = spec
            case "snapshot": snapshot = spec
            case "timestamp": timestamp = spec
            case let other: throw .invalidExpiry(item, reason: "unknown role '\(other)'; expected root, targets, snapshot or timestamp")
            }
        }
    }
}
