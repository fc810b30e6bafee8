import Testing
@testable import AlienModel

@Suite struct JSONParserTests {
    private func error(_ text: String) -> CanonicalJSONError? {
        do {
            _ = try JSONValue(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesEveryKindWithWhitespace() throws {
        let value = try JSONValue(parsing: " {\n\t\"a\" : [ true , false , null , \"s\" , -12 , {} , [] ] \r\n} ")
        #expect(value == .object(["a": .array([.bool(true), .bool(false), .null, .string("s"), .integer(-12), .object([:]), .array([])])]))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue(parsing: #""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\u0000""#)
        #expect(value == .string("\"\\/\u{8}\u{C}\n\r\té😀\u{0}"))
    }

    @Test func keepsRawUTF8() throws {
        #expect(try JSONValue(parsing: "\"é😀\u{2028}\"") == .string("é😀\u{2028}"))
    }

    @Test func refusesFloats() {
        for text in ["1.0", "1e3", "-0.5", "[1E-2]", "{\"a\": 2.5}"] {
            guard case .floatNotAllowed = error(text) else {
                Issue.record("\(text) was not refused as a float: \(String(describing: error(text)))")
                continue
            }
        }
    }

    @Test func refusesIntegersOutsideInt64() throws {
        #expect(error("9223372036854775808") == .integerOutOfRange(offset: 0, text: "9223372036854775808"))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .integer(.min))
    }

    @Test func refusesDuplicateKeys() {
        #expect(error(#"{"a": 1, "b": 2, "a": 3}"#) == .duplicateKey(offset: 17, key: "a"))
        #expect(error(#"{"x": {"a": 1, "a": 1}}"#) == .duplicateKey(offset: 15, key: "a"))
    }

    @Test func refusesCanonicallyEquivalentKeysAsDuplicates() {
        // Swift strings compare by canonical equivalence, so "é" and "e\u{301}" are one key here.
        #expect(error("{\"\u{E9}\": 1, \"e\u{301}\": 2}") == .duplicateKey(offset: 10, key: "e\u{301}"))
    }

    @Test func refusesMalformedText() {
        let bad = [
            "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "-", "+1", "tru", "NaN", "Infinity", "\"abc",
            "1 2", "{1: 2}", "\"\\x\"", "\"\\u12\"", "\"a\u{1}b\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "'a'"
        ]
        for text in bad {
            #expect(error(text) != nil, "\(text.debugDescription) should be refused")
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: CanonicalJSONError.self) { try JSONValue(parsing: [0x22, 0xFF, 0x22]) }
    }

    @Test func refusesDeepNesting() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(error(text) == .tooDeep(offset: 64, limit: 64))
    }

    @Test func errorMessagesSayWhatWasExpected() {
        #expect(error("[1,]")?.description == "JSON byte 3: expected a JSON value, got ']'")
        #expect(error("1.5")?.description.contains("expected an integer") == true)
        #expect(error(#"{"a":1,"a":2}"#)?.description.contains("expected unique keys") == true)
    }
}
