/// What a `Range` request header asks of a representation of `size` bytes (RFC 9110 §14).
/// Only single byte ranges are honoured: `bytes=A-B`, `bytes=A-` and the suffix `bytes=-N`.
/// A header that is not a single byte range (other units, several ranges, bad syntax) is ignored
/// and the whole file is sent, as the RFC allows.
public enum ByteRange: Equatable, Sendable {
    /// Send the whole file with 200.
    case whole
    /// Send bytes `lower...upper` (inclusive) with 206.
    case partial(lower: Int, upper: Int)
    /// 416 with `Content-Range: bytes */size`.
    case unsatisfiable

    public init(header: String?, size: Int) {
        guard let header else {
            self = .whole
            return
        }
        let trimmed = header.trimmingSpaces
        guard trimmed.lowercased().hasPrefix("bytes="), !trimmed.contains(",") else {
            self = .whole
            return
        }
        let spec = trimmed.dropFirst("bytes=".count).trimmingSpaces
        guard let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash].trimmingSpaces, last = spec[spec.index(after: dash)...].trimmingSpaces
        if first.isEmpty {
            // Suffix: the last N bytes (all of them when N exceeds the size).
            guard let count = Self.digits(last) else {
                self = .whole
                return
            }
            self = count == 0 || size == 0 ? .unsatisfiable : .partial(lower: max(0, size - count), upper: size - 1)
            return
        }
        guard let lower = Self.digits(first) else {
            self = .whole
            return
        }
        var upper = size - 1
        if !last.isEmpty {
            guard let end = Self.digits(last), end >= lower else {
                self = .whole
                return
            }
            upper = min(end, size - 1)
        }
        self = lower >= size ? .unsatisfiable : .partial(lower: lower, upper: upper)
    }

    /// Decimal digits only; a value beyond `Int.max` saturates (it is beyond any file anyway).
    private static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(text) ?? Int.max
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let scalars = Substring(self)
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return scalars[start...end]
    }
}
