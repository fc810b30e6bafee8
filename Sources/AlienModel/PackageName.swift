#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A package's name as recipes spell it: `ROOT`, `AliEn-Runtime`, `defaults-release`.
///
/// Case matters (aliBuild requires `requires:` entries to match the recipe's spelling);
/// the recipe file name is the lower-cased name.
public struct PackageName: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let rawValue: String

    public init(_ text: String) throws(ModelError) {
        guard let first = text.unicodeScalars.first else {
            throw .invalidPackageName(text, reason: "the name is empty")
        }
        guard Self.isAlphanumeric(first) else {
            throw .invalidPackageName(text, reason: "a name starts with a letter or a digit")
        }
        for scalar in text.unicodeScalars where !(Self.isAlphanumeric(scalar) || "-_.+".unicodeScalars.contains(scalar)) {
            throw .invalidPackageName(text, reason: "character \(quoted(String(scalar))) is not allowed (letters, digits, '-', '_', '.', '+')")
        }
        rawValue = text
    }

    /// The name of the recipe file that defines this package: `<lower(name)>.sh`.
    public var recipeFileName: String { rawValue.lowercased() + ".sh" }

    /// The prefix of the variables a package exports in init.sh: `AliEn-Runtime` → `ALIEN_RUNTIME`.
    public var environmentPrefix: String {
        // Names are ASCII (see `init`): a byte map, no Unicode case mapping (`env` asks for the
        // prefix of every package of a closure, more than once).
        let mapped = rawValue.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            return String(unsafeUninitializedCapacity: bytes.count) { out in
                for (offset, byte) in bytes.enumerated() {
                    out[offset] = byte == 0x2D ? 0x5F : (0x61...0x7A).contains(byte) ? byte - 0x20 : byte
                }
                return bytes.count
            }
        }
        if let mapped, let mapped { return mapped }
        return String(rawValue.uppercased().map { $0 == "-" ? "_" : $0 })
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
