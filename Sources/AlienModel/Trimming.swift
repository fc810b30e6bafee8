/// Trimming text at its edges without Foundation (the environment path links
/// FoundationEssentials only, which has no `trimmingCharacters(in:)`).
public enum Trimming {
    /// Foundation's `CharacterSet.whitespaces`: Unicode general category Zs, tab, and (as
    /// Foundation has it) U+200B ZERO WIDTH SPACE.
    @inlinable
    public static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII without the Unicode tables: only space and tab.
        if scalar.isASCII { return scalar == " " || scalar == "\t" }
        return scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
    }

    /// `text` without the scalars at its start and end for which `drop` holds.
    @inlinable
    public static func trimmed<S: StringProtocol>(_ text: S, where drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// `text.trimmingCharacters(in: .whitespaces)`.
    @inlinable
    public static func whitespace<S: StringProtocol>(_ text: S) -> String {
        trimmed(text, where: isWhitespace)
    }
}
