import Foundation

/// A request body type whose JSON keys are known: any other key is refused.
public protocol StrictFields: Decodable {
    static var fields: Set<String> { get }
    /// Keys of nested objects by field (checked one level down).
    static var nested: [String: Set<String>] { get }
}

extension StrictFields {
    public static var nested: [String: Set<String>] { [:] }
}

/// Why a request body was refused (HTTP 400).
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

public enum WireDecoding {
    /// `data` as `T`: a JSON object with only `T.fields` (and nested known keys), types as declared.
    public static func decode<T: StrictFields>(_ type: T.Type, from data: Data) throws(WireError) -> T {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw WireError("malformed JSON: \(Self.reason(error))")
        }
        guard let dictionary = object as? [String: Any] else { throw WireError("expected a JSON object") }
        for key in dictionary.keys.sorted() where !T.fields.contains(key) {
            throw WireError("unknown field '\(key)' (expected: \(T.fields.sorted().joined(separator: ", ")))")
        }
        for (field, known) in T.nested {
            guard let inner = dictionary[field] as? [String: Any] else { continue }
            for key in inner.keys.sorted() where !known.contains(key) {
                throw WireError("unknown field '\(field).\(key)' (expected: \(known.sorted().joined(separator: ", ")))")
            }
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            throw WireError(Self.describe(error))
        } catch {
            throw WireError("\(error)")
        }
    }

    static func reason(_ error: any Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        return text ?? "not JSON"
    }

    /// "field 'lease.ttl': expected Int64, got a string" style texts.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .typeMismatch(type, context): return "field '\(path(context.codingPath))': expected \(type)"
        case let .valueNotFound(type, context): return "field '\(path(context.codingPath))': expected \(type), got null"
        case let .keyNotFound(key, context):
            let prefix = path(context.codingPath)
            return "missing field '\(prefix.isEmpty ? key.stringValue : prefix + "." + key.stringValue)'"
        case let .dataCorrupted(context): return "malformed JSON at '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
