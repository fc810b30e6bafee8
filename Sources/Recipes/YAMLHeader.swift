import Yams

/// Turns a recipe header into `RecipeValue`s with PyYAML's SafeLoader semantics, keeping
/// the line of every mapping entry for error messages.
enum YAMLHeader {
    static func parse(_ header: String, file: String) throws(RecipeError) -> RecipeValue {
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
        return try value(of: node, file: file)
    }

    static let plainTag = "tag:alien-install,2026:plain"
    static let plainResolver = try! Resolver.basic.appending(Tag.Name(rawValue: plainTag), "^")

    private static func value(of node: Node, file: String) throws(RecipeError) -> RecipeValue {
        let line = node.mark?.line ?? 0
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
            for item in sequence { items.append(try value(of: item, file: file)) }
            return .list(items)
        case let .mapping(mapping):
            try checkCollectionTag(mapping.tag.rawValue, expected: "map", file: file, line: line)
            var map = RecipeMap()
            for (key, item) in mapping {
                let keyValue = try value(of: key, file: file)
                if case .list = keyValue {
                    throw .unsupportedValue(SourceLocation(file: file, line: key.mark?.line ?? line), "a list cannot be a mapping key")
                }
                if case .map = keyValue {
                    throw .unsupportedValue(SourceLocation(file: file, line: key.mark?.line ?? line), "a mapping cannot be a mapping key")
                }
                map[keyValue, line: key.mark?.line ?? line] = try value(of: item, file: file)
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
