import AlienModel
import Crypto

extension DelegatedRole {
    /// Whether this role is trusted for `targetPath` (python-tuf's `is_delegated_path`): a
    /// `path_hash_prefixes` entry prefixes the hex sha256 of the path, or a `paths` pattern
    /// matches it component by component (same number of '/'-separated parts, each matched as
    /// `fnmatch.fnmatchcase`: `*` and `?` never cross a '/', `[...]` classes, `[!...]` negation).
    public func isDelegatedPath(_ targetPath: String) -> Bool {
        switch paths {
        case let .pathHashPrefixes(prefixes):
            let digest = Hex.lowercase(SHA256.hash(data: Array(targetPath.utf8)))
            return prefixes.contains { digest.hasPrefix($0) }
        case let .paths(patterns):
            return patterns.contains { PathPattern.matches(targetPath, pattern: $0) }
        }
    }
}

extension Delegations {
    /// The roles to visit for `targetPath`, in priority order, each with its terminating flag
    /// (python-tuf's `get_roles_for_target`; a succinct bin is always terminating).
    public func roles(for targetPath: String) -> [(name: String, terminating: Bool)] {
        if let succinctRoles { return [(succinctRoles.roleName(for: targetPath), true)] }
        return roles.filter { $0.isDelegatedPath(targetPath) }.map { ($0.name, $0.terminating) }
    }
}

/// Shell-style pattern matching as Python's `fnmatch.fnmatchcase`, applied per path component.
enum PathPattern {
    static func matches(_ path: String, pattern: String) -> Bool {
        let pathParts = path.split(separator: "/", omittingEmptySubsequences: false)
        let patternParts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard pathParts.count == patternParts.count else { return false }
        return zip(pathParts, patternParts).allSatisfy { fnmatch(Array($0.unicodeScalars), Array($1.unicodeScalars)) }
    }

    private enum Token {
        case literal(Unicode.Scalar)
        case any  // ?
        case star  // *
        case set(negated: Bool, items: [(Unicode.Scalar, Unicode.Scalar)])
    }

    private static func tokens(_ pattern: [Unicode.Scalar]) -> [Token] {
        var result: [Token] = []
        var index = 0
        while index < pattern.count {
            let scalar = pattern[index]
            index += 1
            switch scalar {
            case "*": result.append(.star)
            case "?": result.append(.any)
            case "[":
                // Python: '!' negates, a ']' right after '[' or '[!' is literal, no ']' → literal '['.
                var cursor = index
                if cursor < pattern.count, pattern[cursor] == "!" { cursor += 1 }
                if cursor < pattern.count, pattern[cursor] == "]" { cursor += 1 }
                while cursor < pattern.count, pattern[cursor] != "]" { cursor += 1 }
                guard cursor < pattern.count else {
                    result.append(.literal("["))
                    continue
                }
                var body = Array(pattern[index..<cursor])
                index = cursor + 1
                var negated = false
                if body.first == "!" {
                    negated = true
                    body.removeFirst()
                }
                var items: [(Unicode.Scalar, Unicode.Scalar)] = []
                var position = 0
                while position < body.count {
                    if position + 2 < body.count, body[position + 1] == "-" {
                        items.append((body[position], body[position + 2]))
                        position += 3
                    } else {
                        items.append((body[position], body[position]))
                        position += 1
                    }
                }
                result.append(.set(negated: negated, items: items))
            default: result.append(.literal(scalar))
            }
        }
        return result
    }

    private static func matchesOne(_ token: Token, _ scalar: Unicode.Scalar) -> Bool {
        switch token {
        case let .literal(expected): scalar == expected
        case .any: true
        case .star: true
        case let .set(negated, items): items.contains { $0.0.value <= scalar.value && scalar.value <= $0.1.value } != negated
        }
    }

    /// Iterative wildcard matching with backtracking to the last '*'.
    static func fnmatch(_ text: [Unicode.Scalar], _ pattern: [Unicode.Scalar]) -> Bool {
        let tokens = tokens(pattern)
        var t = 0, p = 0
        var starToken = -1, starText = 0
        while t < text.count {
            if p < tokens.count, case .star = tokens[p] {
                starToken = p
                starText = t
                p += 1
            } else if p < tokens.count, matchesOne(tokens[p], text[t]) {
                t += 1
                p += 1
            } else if starToken >= 0 {
                p = starToken + 1
                starText += 1
                t = starText
            } else {
                return false
            }
        }
        while p < tokens.count, case .star = tokens[p] { p += 1 }
        return p == tokens.count
    }
}
