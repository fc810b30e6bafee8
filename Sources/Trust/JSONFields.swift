import AlienModel

/// Reads the fields of a JSON object one by one; what is left afterwards are the unrecognized
/// fields, kept so that parse → serialize preserves them (as python-tuf does).
struct JSONFields {
    let context: String
    private(set) var remaining: [String: JSONValue]

    init(_ value: JSONValue, context: String) throws(TrustError) {
        guard case let .object(members) = value else {
            throw .wrongType(context: context, field: "", expected: "an object", got: value.kind)
        }
        self.context = context
        remaining = members
    }

    mutating func optional(_ field: String) -> JSONValue? {
        remaining.removeValue(forKey: field)
    }

    mutating func required(_ field: String) throws(TrustError) -> JSONValue {
        guard let value = remaining.removeValue(forKey: field) else { throw .missingField(context: context, field: field) }
        return value
    }

    func typeError(_ field: String, _ expected: String, _ value: JSONValue) -> TrustError {
        .wrongType(context: context, field: field, expected: expected, got: value.kind)
    }

    mutating func string(_ field: String) throws(TrustError) -> String {
        let value = try required(field)
        guard case let .string(text) = value else { throw typeError(field, "a string", value) }
        return text
    }

    mutating func integer(_ field: String, minimum: Int64) throws(TrustError) -> Int64 {
        let value = try required(field)
        guard case let .integer(number) = value else { throw typeError(field, "an integer", value) }
        guard number >= minimum else {
            throw .invalidValue(context: context, field: field, expected: "an integer ≥ \(minimum)", got: String(number))
        }
        return number
    }

    mutating func optionalBool(_ field: String) throws(TrustError) -> Bool? {
        guard let value = optional(field) else { return nil }
        guard case let .bool(flag) = value else { throw typeError(field, "a boolean", value) }
        return flag
    }

    mutating func object(_ field: String) throws(TrustError) -> [String: JSONValue] {
        let value = try required(field)
        guard case let .object(members) = value else { throw typeError(field, "an object", value) }
        return members
    }

    mutating func array(_ field: String) throws(TrustError) -> [JSONValue] {
        let value = try required(field)
        guard case let .array(elements) = value else { throw typeError(field, "an array", value) }
        return elements
    }

    func strings(_ field: String, _ elements: [JSONValue]) throws(TrustError) -> [String] {
        var result: [String] = []
        for element in elements {
            guard case let .string(text) = element else { throw typeError(field, "an array of strings", element) }
            result.append(text)
        }
        return result
    }

    mutating func stringArray(_ field: String) throws(TrustError) -> [String] {
        try strings(field, try array(field))
    }

    mutating func stringMap(_ field: String) throws(TrustError) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in try object(field) {
            guard case let .string(text) = value else { throw typeError("\(field).\(key)", "a string", value) }
            result[key] = text
        }
        return result
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// The object with `fields` added over it (used to put recognized fields back on top of
    /// the unrecognized ones when serializing).
    func adding(_ fields: [String: JSONValue?]) -> JSONValue {
        var result = self
        for (key, value) in fields {
            if let value { result[key] = value }
        }
        return .object(result)
    }
}
