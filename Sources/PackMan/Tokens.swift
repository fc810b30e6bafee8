import AlienModel
import Crypto
import Foundation

/// What a credential may do: `job` installs, tests and leases; `admin` also removes and synchronizes.
public enum Role: String, Sendable, Hashable, Comparable {
    case job, admin

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs == .job && rhs == .admin }
}

/// The tokens file: one credential a line, `NAME ROLE SHA256HEX [vos=VO_A,VO_B]` (whitespace
/// between; `#` comments). Only hashes are stored: `printf %s "$TOKEN" | sha256sum` makes one.
/// With `vos=` the token acts only on those VOs' packages (without it: every VO of the site).
public struct Tokens: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var role: Role
        public var hash: [UInt8]
        /// The VOs the token may act on; nil: all.
        public var vos: Set<String>?

        /// Whether the token may act on `vo`'s packages.
        public func allows(vo: String) -> Bool { vos?.contains(vo) ?? true }
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
            guard fields.count == 3 || fields.count == 4 else {
                throw ConfigError(
                    file: file, line: index + 1, key: nil, message: "expected NAME ROLE SHA256HEX [vos=VO,...], got \(fields.count) field(s)")
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
            var vos: Set<String>?
            if fields.count == 4 { vos = try Self.vos(fields[3], file: file, line: index + 1, name: fields[0]) }
            entries.append(Entry(name: fields[0], role: role, hash: hash, vos: vos))
        }
        return Tokens(entries: entries)
    }

    /// `vos=VO_A,VO_B`: one or more VO names (letters, digits, '_', '.', '-').
    static func vos(_ field: String, file: String, line: Int, name: String) throws(ConfigError) -> Set<String> {
        guard field.hasPrefix("vos=") else {
            throw ConfigError(file: file, line: line, key: name, message: "4th field: expected vos=VO_A,VO_B, got '\(field)'")
        }
        let names = field.dropFirst(4).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for vo in names {
            guard !vo.isEmpty, vo.count <= 100,
                vo.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_.-".unicodeScalars.contains($0)) })
            else {
                throw ConfigError(file: file, line: line, key: name, message: "vos: expected VO names of letters, digits, '_', '.', '-', got '\(vo)'")
            }
        }
        return Set(names)
    }

    /// Refuses a `vos=` naming a VO the site does not have (a typo would lock the token out).
    public func check(vos known: [String], file: String) throws(ConfigError) {
        for entry in entries {
            if let unknown = entry.vos?.subtracting(known).sorted(), !unknown.isEmpty {
                throw ConfigError(
                    file: file, line: nil, key: entry.name,
                    message: "vos: \(unknown.joined(separator: ", ")) is not a VO of this site (known: \(known.joined(separator: ", ")))")
            }
        }
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
