import Basics

/// A TUF `expires` time: whole seconds in UTC, written `2030-01-01T00:00:00Z` (the only form
/// python-tuf reads and writes: `%Y-%m-%dT%H:%M:%SZ`).
public struct Expiry: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let secondsSince1970: Int64

    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (years 0001–9999), refusing any other form.
    public init(parsing text: String) throws(TrustError) {
        guard let seconds = UTCTimestamp.parse(text) else {
            throw .invalidValue(context: "signed", field: "expires", expected: "a time like 2030-01-01T00:00:00Z", got: "'\(text)'")
        }
        secondsSince1970 = seconds
    }

    public var description: String { UTCTimestamp.format(secondsSince1970) }

    /// Whether this expiry has passed at `now` (python-tuf: expired when `now >= expires`).
    public func isExpired(at now: Expiry) -> Bool {
        now.secondsSince1970 >= secondsSince1970
    }

    public static func < (lhs: Expiry, rhs: Expiry) -> Bool {
        lhs.secondsSince1970 < rhs.secondsSince1970
    }
}
