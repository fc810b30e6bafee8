import AlienModel
import Foundation

/// `<area>/.alien/packmand.json`: where the packmand serving an area listens, written by the
/// daemon while it listens on a unix socket (removed when it stops), read by the CLI to install
/// and lease through it. The one reader and writer:
///
/// ```
/// {"endpoint":"unix:/run/packmand.sock"}
/// ```
///
/// Compact JSON, then a newline; unknown keys are ignored.
public struct PackManEndpointFile: Sendable, Hashable {
    /// `unix:/path` or `http://host:port`, as `PackManClient(endpoint:)` takes it.
    public var endpoint: String

    /// The file is a few dozen bytes; anything past this is not one.
    public static let maximumBytes = 64 << 10

    public init(endpoint: String) {
        self.endpoint = endpoint
    }

    /// `<area>/.alien/packmand.json`.
    public static func path(area: String) -> String {
        (area.hasSuffix("/") ? String(area.dropLast()) : area) + "/.alien/packmand.json"
    }

    /// Parses the file's bytes; `path` names the file in errors.
    public init(jsonBytes bytes: [UInt8], path: String) throws(PackManEndpointFileError) {
        guard bytes.count <= Self.maximumBytes else {
            throw PackManEndpointFileError(path: path, reason: "expected at most \(Self.maximumBytes) bytes, got \(bytes.count)")
        }
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw PackManEndpointFileError(path: path, reason: error.description) }
        guard case let .object(object) = value else {
            throw PackManEndpointFileError(path: path, reason: "expected a JSON object, got \(value.kind)")
        }
        guard case let .string(endpoint)? = object["endpoint"], !endpoint.isEmpty else {
            throw PackManEndpointFileError(path: path, reason: "endpoint: expected a non-empty string, got \(object["endpoint"]?.kind ?? "nothing")")
        }
        self.endpoint = endpoint
    }

    /// The file's content.
    public var jsonBytes: [UInt8] {
        JSONValue.object(["endpoint": .string(endpoint)]).compactJSONBytes + [0x0A]
    }

    /// The file of the area at `area`; nil when there is none (no packmand serves the area).
    public static func read(area: String) throws(PackManEndpointFileError) -> PackManEndpointFile? {
        let path = path(area: area)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try PackManEndpointFile(jsonBytes: [UInt8](data), path: path)
    }
}

/// A `packmand.json` that does not parse.
public struct PackManEndpointFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
