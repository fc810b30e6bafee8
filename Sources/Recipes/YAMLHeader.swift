import Yams

/// Turns a recipe header into `RecipeValue`s with PyYAML's SafeLoader semantics, keeping
/// the line of every mapping entry for error messages.
///
/// Limits: collections nest at most ``maximumDepth`` levels (libyaml, in Yams, stops at
/// about 1000 on its own); the values made from
/// the composed tree, where each alias counts again for everything it stands for, are at
/// most ``maximumValues``. Composing shares an anchored node among its aliases, so a small
/// header whose aliases repeat each other ("billion laughs") is cheap until it is expanded,
/// and is refused before that.
enum YAMLHeader {
    /// The most values one header may expand to. alidist's largest headers hold a few
    /// thousand.
    static let maximumValues = 100_000
    /// The deepest nesting of lists and mappings accepted (alidist's headers nest 3 deep).
    static let maximumDepth = 100

    static func parse(_ header: String, file: String) throws(RecipeError) -> RecipeValue {
        // alidist's headers are plain block YAML: a parser of that subset decides them (about
        // 5x faster than composing with Yams); anything else, or in doubt, goes to Yams.
        if let value = BlockYAMLHeader.parse(header) { return value }
        return try parseWithYams(header, file: file)
    }

    /// The header through Yams and PyYAMLScalar, whatever YAML it is.
    static func parseWithYams(_ header: String, file: String) throws(RecipeError) -> RecipeValue {
        let node: Node?
        do {
            // Yams' own typing is not PyYAML's: every untagged plain scalar resolves to a
            // private tag (Yams resolves key tags while checking for duplicates), and
            // PyYAMLScalar types it.
            node = try Yams.compose(yaml: header, plainResolver, .default, .utf8)
        } catch let error as YamlError {
            throw describe(error, file: file)
        } catch {
            throw .invalidYAML(SourceLocation(file: file, line: 1), column: 1, problem: "\(error)")
        }
        guard let node else { return .null }
        var budget = maximumValues
        return try value(of: node, file: file, depth: 1, budget: &budget)
    }

    static let plainTag = "tag:alien-install,2026:plain"
    static let plainResolver = try! Resolver.basic.appending(Tag.Name(rawValue: plainTag), "^")

    private static func value(of node: Node, file: String, depth: Int, budget: inout Int) throws(RecipeError) -> RecipeValue {
        let line = node.mark?.line ?? 0
        budget -= 1
        guard budget >= 0 else { throw .aliasExpansion(SourceLocation(file: file, line: line), limit: maximumValues) }
        guard depth <= maximumDepth else {
            throw .unsupportedValue(SourceLocation(file: file, line: line), "lists and mappings nesting deeper than \(maximumDepth) levels")
        }
        switch node {
        case let .scalar(scalar):
            do {
                let tag = scalar.tag.rawValue
                if tag.isEmpty || tag == plainTag, scalar.style == .plain || scalar.style == .any {
                    return try PyYAMLScalar.resolvePlain(scalar.string)
                }
                if tag.isEmpty || tag == "!" { return .string(scalar.string) }
                return try PyYAMLScalar.construct(scalar.string, tag: tag)
            } catch {
                guard case let .unsupported(message) = error else { throw .unsupportedValue(SourceLocation(file: file, line: line), "\(error)") }
                throw .unsupportedValue(SourceLocation(file: file, line: line), message)
            }
        case let .sequence(sequence):
            try checkCollectionTag(sequence.tag.rawValue, expected: "seq", file: file, line: line)
            var items: [RecipeValue] = []
            for item in sequence { items.append(try value(of: item, file: file, depth: depth + 1, budget: &budget)) }
            return .list(items)
        case let .mapping(mapping):
            try checkCollectionTag(mapping.tag.rawValue, expected: "map", file: file, line: line)
            var map = RecipeMap()
            for (key, item) in mapping {
                let keyValue = try value(of: key, file: file, depth: depth + 1, budget: &budget)
                if case .list = keyValue {
                    throw .unsupportedValue(SourceLocation(file: file, line: key.mark?.line ?? line), "a list cannot be a mapping key")
                }
                if case .map = keyValue {
                    throw .unsupportedValue(SourceLocation(file: file, line: key.mark?.line ?? line), "a mapping cannot be a mapping key")
                }
                map[keyValue, line: key.mark?.line ?? line] = try value(of: item, file: file, depth: depth + 1, budget: &budget)
            }
            return .map(map)
        case .alias:
            throw .unsupportedValue(SourceLocation(file: file, line: line), "unresolved YAML alias")
        }
    }

    private static func checkCollectionTag(_ tag: String, expected: String, file: String, line: Int) throws(RecipeError) {
        guard tag.isEmpty || tag == "!" || tag == PyYAMLScalar.yamlTag + expected else {
            throw .unsupportedValue(SourceLocation(file: file, line: line), "tag '\(tag)' is not supported in recipes")
        }
    }

    private static func describe(_ error: YamlError, file: String) -> RecipeError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let text = context.map { "\($0.text) (line \($0.mark.line)): \(problem)" } ?? problem
            return .invalidYAML(SourceLocation(file: file, line: mark.line), column: mark.column, problem: text)
        case let .duplicatedKeysInMapping(duplicates, context):
            return .invalidYAML(
                SourceLocation(file: file, line: context.mark.line), column: context.mark.column,
                problem: "duplicate keys \(duplicates.joined(separator: ", ")) in one mapping")
        case let .reader(problem, _, _, _):
            return .invalidYAML(SourceLocation(file: file, line: 1), column: 1, problem: problem)
        default:
            return .invalidYAML(SourceLocation(file: file, line: 1), column: 1, problem: "\(error)")
        }
    }
}
