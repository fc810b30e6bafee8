public import Foundation

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
            // Foundation says "not valid JSON" for a number no field type holds (1e20, 1.5 for an
            // integer): name the field instead.
            if case let .dataCorrupted(context) = error, context.codingPath.isEmpty, let number = Self.unrepresentable(dictionary) {
                throw WireError(number)
            }
            throw WireError(Self.describe(error))
        } catch {
            throw WireError("\(error)")
        }
    }

    /// "field 'ttl': 1e+20 is out of range (a whole number up to 9223372036854775807 expected)"
    /// for the first number (depth first, keys sorted) that is not a 64-bit whole number.
    static func unrepresentable(_ value: Any, path: String = "") -> String? {
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                if let found = unrepresentable(object[key]!, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() {
                if let found = unrepresentable(element, path: "\(path)[\(index)]") { return found }
            }
        } else if !(value is Bool), !(value is String), let number = value as? NSNumber {
            let double = number.doubleValue
            if double != double.rounded() {
                return "field '\(path)': expected a whole number, got \(number)"
            }
            if !(Double(Int64.min)...Double(Int64.max)).contains(double) || number.description.count > 19 && Int64(number.description) == nil {
                return "field '\(path)': \(number) is out of range (a whole number up to \(Int64.max) expected)"
            }
        }
        return nil
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
