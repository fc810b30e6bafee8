/// A JDL's `TTL`: the job's maximum run time in seconds, a whole number (or a string holding
/// one) from 1 to ``maximum``. What lies outside is refused, never wrapped or clamped
/// silently: `run --jdl` leases the job's packages for the TTL plus an hour.
public struct JDLTTL: Hashable, Sendable {
    /// The longest TTL accepted: one year. Far above any grid queue's limit, far below
    /// anything that overflows a time computation.
    public static let maximum: Int64 = 366 * 86_400

    /// What is wrong with a `TTL`.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case notANumber(JDLLocation?, text: String)
        case outOfRange(JDLLocation?, text: String)

        public var description: String {
            switch self {
            case let .notANumber(location, text):
                "\(location.map { "\($0): " } ?? "")TTL \(text) is not a whole number of seconds"
            case let .outOfRange(location, text):
                "\(location.map { "\($0): " } ?? "")TTL \(text) is out of range: it must be from 1 to \(JDLTTL.maximum) seconds (366 days)"
            }
        }
    }

    /// The TTL in seconds, within 1...``maximum``.
    public let seconds: Int64

    /// The document's `TTL`: nil when it has none.
    public static func of(_ document: JDLDocument) -> Result<JDLTTL, Problem>? {
        guard let attribute = document.attribute(named: "TTL") else { return nil }
        let location = attribute.valueLocation
        let text: String
        switch attribute.value {
        case let .number(value): text = value
        case let .string(value): text = value
        default: return .failure(.notANumber(location, text: attribute.value.description))
        }
        let digits = text.trimmingBlanks
        let unsigned = digits.hasPrefix("+") || digits.hasPrefix("-") ? digits.dropFirst() : Substring(digits)
        guard !unsigned.isEmpty, unsigned.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else {
            return .failure(.notANumber(location, text: attribute.value.description))
        }
        // Any number of digits: compare without converting what may not fit in an Int64.
        let significant = unsigned.drop { $0 == "0" }
        guard !digits.hasPrefix("-"), !significant.isEmpty, significant.count <= 19,
            let seconds = Int64(significant), seconds <= maximum
        else {
            return .failure(.outOfRange(location, text: attribute.value.description))
        }
        return .success(JDLTTL(seconds: seconds))
    }
}

extension String {
    fileprivate var trimmingBlanks: String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }
}
