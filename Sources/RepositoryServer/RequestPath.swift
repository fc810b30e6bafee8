/// A request target reduced to the path components of a file below the repository root, or the
/// reason it names none. Pure: no file system access.
///
/// Rules: the path is percent-decoded once (`%2e%2e` is `..`); malformed escapes are a bad
/// request; after decoding, a NUL byte, a `.` or `..` component, or a component that starts with
/// a dot (hidden files, the publisher's temporary names) names nothing; empty components
/// (`//`) are skipped. The query string is ignored.
public enum RequestPath: Equatable, Sendable {
    /// Path components below the root, in order; empty for the root itself.
    case file([String])
    /// Percent escapes that do not decode to UTF-8.
    case malformed
    /// NUL, `.`, `..` or a hidden component: refused as not found.
    case refused

    public init(target: String) {
        var raw = Substring(target)
        if let query = raw.firstIndex(where: { $0 == "?" || $0 == "#" }) { raw = raw[..<query] }
        guard let decoded = Self.percentDecoded(raw) else {
            self = .malformed
            return
        }
        var components: [String] = []
        for part in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            if part.contains("\0") || part.hasPrefix(".") {
                self = .refused
                return
            }
            components.append(String(part))
        }
        self = .file(components)
    }

    /// `%XX` → byte, the result read as UTF-8; nil for a bad escape or invalid UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
