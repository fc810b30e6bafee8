import Testing
@testable import AlienModel

@Suite struct JSONValueTests {
    private func canonical(_ value: JSONValue) -> String {
        String(decoding: value.canonicalBytes, as: UTF8.self)
    }

    @Test func sortsKeysAndWritesNoWhitespace() {
        let value = JSONValue.object(["b": .integer(1), "a": .array([.null, .bool(true), .bool(false)]), "A": .object([:])])
        #expect(canonical(value) == #"{"A":{},"a":[null,true,false],"b":1}"#)
    }

    @Test func sortsKeysByCodePointNotByCollation() {
        // Python's sorted(): "Z" (0x5A) < "a" < "é" (0xE9) < "\u{2028}" < "😀" (0x1F600); a prefix sorts first.
        let value = JSONValue.object(["😀": .null, "é": .null, "a": .null, "Z": .null, "ab": .null, "\u{2028}": .null, "e": .null])
        #expect(canonical(value) == "{\"Z\":null,\"a\":null,\"ab\":null,\"e\":null,\"é\":null,\"\u{2028}\":null,\"😀\":null}")
    }

    @Test func escapesOnlyQuoteAndBackslash() {
        let value = JSONValue.string("q\"b\\s/\n\t\u{0}\u{1F}\u{7F}é😀")
        #expect(canonical(value) == "\"q\\\"b\\\\s/\n\t\u{0}\u{1F}\u{7F}é😀\"")
        #expect(value.canonicalBytes.contains(0x00))
    }

    @Test func compactJSONEscapesControlCharactersOnly() {
        let value = JSONValue.object(["k\n": .string("a\u{1}\"é")])
        #expect(String(decoding: value.compactJSONBytes, as: UTF8.self) == #"{"k\u000a":"a\u0001\"é"}"#)
        #expect(JSONValue.object(["x": .string("é/")]).compactJSONBytes == JSONValue.object(["x": .string("é/")]).canonicalBytes)
    }

    @Test func writesIntegersIncludingNegativeAndExtremes() {
        let value = JSONValue.array([.integer(0), .integer(-1), .integer(42), .integer(.max), .integer(.min)])
        #expect(canonical(value) == "[0,-1,42,9223372036854775807,-9223372036854775808]")
    }

    @Test func encodesNestedValues() {
        let value = JSONValue.object(["z": .array([.object(["y": .array([]), "x": .string("")])]), "m": .object(["n": .object(["o": .integer(-7)])])])
        #expect(canonical(value) == #"{"m":{"n":{"o":-7}},"z":[{"x":"","y":[]}]}"#)
    }

    @Test func canonicalFormParsesBackWhenItHasNoControlCharacters() throws {
        let text = #"{ "b" : [1, -2, {"c": "\u00e9\"\\"}], "a": null }"#
        let value = try JSONValue(parsing: text)
        #expect(canonical(value) == #"{"a":null,"b":[1,-2,{"c":"é\"\\"}]}"#)
        #expect(try JSONValue(parsing: value.canonicalBytes) == value)
    }

    @Test func kindNamesEveryCase() {
        #expect(
            [JSONValue.object([:]), .array([]), .string(""), .integer(0), .bool(true), .null].map(\.kind)
                == ["object", "array", "string", "integer", "boolean", "null"])
    }
}
