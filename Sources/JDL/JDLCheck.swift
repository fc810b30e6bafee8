public import AlienModel

/// What `alien-install jdl check --syntax-only` finds in a JDL: the parsed document, its
/// packages, the problems that make a submission pointless, and AliEn's composed
/// `Requirements` (packages as written; resolving `::latest` needs a repository).
public struct JDLCheck: Sendable {
    public let document: JDLDocument
    public let packages: JDLPackages
    /// Problems that fail the check (two versions of one package, duplicates, a TTL that is
    /// not a number of seconds in range).
    public var problems: [String] {
        var problems = packages.findings.map(\.description)
        if case let .failure(problem)? = JDLTTL.of(document) { problems.append(problem.description) }
        return problems
    }
    /// The `TTL` when it is present and valid.
    public var ttl: JDLTTL? { try? JDLTTL.of(document)?.get() }
    /// Things worth saying that do not fail the check (an attribute set twice).
    public var warnings: [String] { document.warnings.map(\.description) }
    public var requirements: String {
        JDLRequirements.compose(packages: packages.uniqueQualified, userRequirements: JDLRequirements.userRequirements(in: document))
    }
    public var succeeded: Bool { problems.isEmpty }

    /// The composed `Requirements` with the packages as a repository resolved them
    /// (`::latest` replaced by the version found).
    public func requirements(resolvedBy check: JDLRepositoryCheck) -> String {
        JDLRequirements.compose(
            packages: check.resolvedQualified(defaultOwner: packages.defaultOwner),
            userRequirements: JDLRequirements.userRequirements(in: document))
    }

    /// Parses `text` with `$1..$n` taken from `arguments` and checks its packages.
    public init(text: String, arguments: [String], defaultOwner: String = PackageID.defaultOwner) throws(JDLError) {
        document = try JDLDocument(parsing: text, arguments: arguments)
        packages = try JDLPackages(document: document, defaultOwner: defaultOwner)
    }

    /// The same from a file's bytes, which must be UTF-8 (see ``JDLDocument/init(parsing:arguments:)-(some Collection<UInt8>,_)``).
    public init(bytes: some Collection<UInt8>, arguments: [String], defaultOwner: String = PackageID.defaultOwner) throws(JDLError) {
        try self.init(text: try JDLDocument.decode(bytes), arguments: arguments, defaultOwner: defaultOwner)
    }

    /// A JSON object: attributes (as printed JDL values), packages, problems, warnings and
    /// the composed requirements. Keys are sorted.
    public var json: String { json(repository: nil) }

    /// ``json`` with, when checked against a repository, `"repository"`: the per-package
    /// results and `"requirements"`/`"valid"` taking the resolution into account.
    public func json(repository check: JDLRepositoryCheck?) -> String {
        func string(_ text: String) -> String { JDLPrinter.quote(text, escapingControls: true) }
        let attributes = document.attributes.sorted { $0.key < $1.key }
            .map { "\(string($0.name)):\(string(JDLPrinter.render($0.value, indent: nil)))" }.joined(separator: ",")
        func list(_ items: [String]) -> String { "[" + items.map(string).joined(separator: ",") + "]" }
        let composed = check.map { requirements(resolvedBy: $0) } ?? requirements
        let valid = succeeded && (check?.succeeded ?? true)
        let repository = check.map { ",\"repository\":{\"arch\":\(string($0.arch)),\"packages\":\($0.json(defaultOwner: packages.defaultOwner))}" } ?? ""
        return "{\"attributes\":{\(attributes)},\"packages\":\(list(packages.uniqueQualified)),\"problems\":\(list(problems))\(repository),"
            + "\"requirements\":\(string(composed)),\"valid\":\(valid),\"warnings\":\(list(warnings))}"
    }
}
