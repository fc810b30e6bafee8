public import AlienModel

/// One entry of `requires:` or `build_requires:`: `Name`, `Name:<regex>` (kept when the regex
/// matches the architecture at its start) or `Name:defaults=<regex>` (kept when it matches
/// the defaults name).
public struct Requirement: Hashable, Sendable, CustomStringConvertible {
    public enum Condition: Hashable, Sendable {
        case architecture(pattern: String)
        case defaults(pattern: String)
    }

    public let name: PackageName
    public let condition: Condition
    /// The entry as written.
    public let text: String

    public init(parsing text: String, location: SourceLocation, key: String = "requires") throws(RecipeError) {
        let nameText: Substring
        if let colon = text.firstIndex(of: ":") {
            nameText = text[..<colon]
            let matcher = String(text[text.index(after: colon)...])
            condition =
                matcher.hasPrefix("defaults=")
                ? .defaults(pattern: String(matcher.dropFirst("defaults=".count)))
                : .architecture(pattern: matcher)
        } else {
            nameText = Substring(text)
            condition = .architecture(pattern: ".*")
        }
        do {
            name = try PackageName(String(nameText))
        } catch {
            throw .invalidRequirement(location, key: key, entry: text, reason: error)
        }
        self.text = text
    }

    public var description: String { text }
}
