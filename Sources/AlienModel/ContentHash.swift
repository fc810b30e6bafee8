/// A hex digest with its algorithm: aliBuild package hashes are SHA-1, file hashes SHA-256.
public struct ContentHash: Hashable, Sendable, CustomStringConvertible, Codable {
    public enum Algorithm: String, Sendable, Codable {
        case sha1, sha256

        var hexLength: Int { self == .sha1 ? 40 : 64 }
    }

    public let algorithm: Algorithm
    /// Lower-case hexadecimal digits.
    public let hex: String

    public init(_ algorithm: Algorithm, hex: String) throws(ModelError) {
        guard hex.count == algorithm.hexLength else {
            throw .invalidHash(hex, reason: "a \(algorithm.rawValue) digest has \(algorithm.hexLength) hex digits, got \(hex.count)")
        }
        guard hex.unicodeScalars.allSatisfy({ "0123456789abcdef".unicodeScalars.contains($0) }) else {
            throw .invalidHash(hex, reason: "only lower-case hex digits are allowed")
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    /// From raw digest bytes.
    public init<Bytes: Sequence>(_ algorithm: Algorithm, bytes: Bytes) where Bytes.Element == UInt8 {
        self.algorithm = algorithm
        self.hex = Hex.lowercase(bytes)
    }

    public var description: String { hex }

    private enum CodingKeys: String, CodingKey { case algorithm, hex }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(container.decode(Algorithm.self, forKey: .algorithm), hex: container.decode(String.self, forKey: .hex))
    }
}
