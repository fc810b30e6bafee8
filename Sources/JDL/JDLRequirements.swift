/// The `Requirements` expression AliEn's submitter composed from a job's packages.
public enum JDLRequirements {
    /// The machine clause every composed expression starts with.
    public static let machineClause = #"(other.Type == "machine")"#

    /// Composes the requirements exactly as AliEn did:
    ///
    ///     (other.Type == "machine") && (member(other.Packages, "P1")) && (member(other.Packages, "P2")) && (USER)
    ///
    /// - `(other.Type == "machine")` always comes first;
    /// - then, for each entry of `packages` in order, ` && (member(other.Packages, "P"))`
    ///   with `P` the resolved, qualified package (`VO_ALICE@AliPhysics::v5-09-45a-01-1`),
    ///   quoted as a JDL string (a `"` or `\` in it escaped);
    /// - then, when the user gave a non-blank `Requirements`, ` && (USER)` with the user's
    ///   expression text as written (surrounding blanks removed).
    ///
    /// One space on each side of `&&`; a space after the comma in `member(...)`.
    public static func compose(packages: [String], userRequirements: String? = nil) -> String {
        var text = machineClause
        for package in packages {
            text += " && (member(other.Packages, \(JDLPrinter.quote(package))))"
        }
        if let user = userRequirements.map(trimmed), !user.isEmpty {
            text += " && (\(user))"
        }
        return text
    }

    /// The user's `Requirements` as expression text: an expression or number as written,
    /// a boolean as `true`/`false`, a string's content; nil when absent or a list.
    public static func userRequirements(in document: JDLDocument) -> String? {
        switch document["Requirements"] {
        case let .expression(text), let .number(text), let .string(text): text
        case let .boolean(flag): flag ? "true" : "false"
        case .list, nil: nil
        }
    }

    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars[...]
        let blanks: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n"]
        while let first = scalars.first, blanks.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, blanks.contains(last) { scalars.removeLast() }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }
}
