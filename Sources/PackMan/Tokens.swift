import AlienModel
import Crypto
import Foundation

/// What a credential may do: `job` installs, tests and leases; `admin` also removes and synchronizes.
public enum Role: String, Sendable, Hashable, Comparable {
    case job, admin

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs == .job && rhs == .admin }
}

/// The tokens file: one credential a line, `NAME ROLE SHA256HEX` (whitespace between; `#`
/// comments). Only hashes are stored: `printf %s "$TOKEN" | sha256sum` makes one.
public struct Tokens: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var role: Role
        public var hash: [UInt8]
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    public static func load(file: String) throws(ConfigError) -> Tokens {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ConfigError(file: file, line: nil, key: "tokens", message: "cannot read the tokens file")
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> Tokens {
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count == 3 else {
                throw ConfigError(file: file, line: index + 1, key: nil, message: "expected NAME ROLE SHA256HEX, got \(fields.count) field(s)")
            }
            guard let role = Role(rawValue: fields[1]) else {
                throw ConfigError(file: file, line: index + 1, key: fields[0], message: "role: expected job or admin, got '\(fields[1])'")
            }
            guard let hash = Hex.decode(String(fields[2])), hash.count == 32 else {
                throw ConfigError(file: file, line: index + 1, key: fields[0], message: "expected 64 hex digits (sha256 of the token)")
            }
            guard !entries.contains(where: { $0.name == fields[0] }) else {
                throw ConfigError(file: file, line: index + 1, key: fields[0], message: "name given twice")
            }
            entries.append(Entry(name: fields[0], role: role, hash: hash))
        }
        return Tokens(entries: entries)
    }

    /// The entry whose hash matches the token (every entry compared in constant time).
    public func authenticate(_ token: String) -> Entry? {
        let digest = Array(SHA256.hash(data: Data(token.utf8)))
        var found: Entry?
        for entry in entries {
            var difference: UInt8 = 0
            for (a, b) in zip(entry.hash, digest) { difference |= a ^ b }
            if difference == 0 { found = entry }
        }
        return found
    }

    /// The hex sha256 of a token (what the tokens file stores).
    public static func hash(_ token: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data(token.utf8)))
    }
}
