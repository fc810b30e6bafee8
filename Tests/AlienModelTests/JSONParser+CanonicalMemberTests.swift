import Testing
@testable import AlienModel
import TestSupport

/// `JSONValue.parsing(_:canonicalBytesOf:)`: the member's bytes are handed back only when they
/// are exactly what `canonicalBytes` would write — a wrong "yes" would let a signature be
/// checked over bytes other than the canonical form.
@Suite struct JSONParserCanonicalMemberTests {
    private func member(_ text: String, _ name: String = "signed") throws -> [UInt8]? {
        try JSONValue.parsing(Array(text.utf8), canonicalBytesOf: name).canonicalMember.map(Array.init)
    }

    @Test func canonicalBytesAreHandedBackAsReceived() throws {
        let signed = #"{"_type":"targets","spec":"1.0","targets":{"a/b":{"hashes":{"sha256":"ab"},"length":-3}},"v":[true,null,"\"q\\"]}"#
        // Whitespace and order outside the member do not matter.
        let text = "{\n  \"signatures\": [ {\"keyid\": \"k\"} ],\n  \"signed\": \(signed)\n}\n"
        let bytes = try #require(try member(text))
        #expect(bytes == Array(signed.utf8))
        #expect(bytes == (try JSONValue(parsing: signed)).canonicalBytes)
        #expect(try member(text, "missing") == nil)
        #expect(try member(#"{"signed":7}"#) == Array("7".utf8))
    }

    @Test func everyDepartureFromTheCanonicalFormIsNoticed() throws {
        for departing in [
            #"{"a":1, "b":2}"#,  // whitespace
            #"{"b":1,"a":2}"#,  // keys out of order
            #"{"a":"x\/y"}"#,  // an escape canonical JSON does not write
            #"{"a":"\u0041"}"#,
            #"{"a":"line\n"}"#,
            #"{"a":-0}"#,  // written 0
            #"[1 ]"#,
            #"{"Z":1,"a":{"d":1,"c":2}}"#  // out of order one level down
        ] {
            #expect(try member(#"{"signed":"# + departing + "}") == nil, "\(departing)")
        }
    }

    /// Random values written canonically are always recognized; with whitespace or a key swap
    /// put in, the answer is nil or still exactly the canonical bytes.
    @Test func agreesWithCanonicalBytesOnRandomValues() throws {
        var random = SeededGenerator(seed: 17)
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: depth > 3 ? 0...3 : 0...5, using: &random) {
            case 0: return .integer(Int64.random(in: -1_000...1_000, using: &random))
            case 1:
                return .string(
                    String(
                        (0..<Int.random(in: 0...6, using: &random)).map { _ in
                            "ab\"\\é/\u{1}z".randomElement(using: &random)!
                        }))
            case 2: return .bool(Bool.random(using: &random))
            case 3: return .null
            case 4: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth + 1) })
            default:
                var members: [String: JSONValue] = [:]
                for _ in 0..<Int.random(in: 0...4, using: &random) {
                    members[["a", "b", "ab", "é", "B", "_t"].randomElement(using: &random)!] = value(depth + 1)
                }
                return .object(members)
            }
        }
        for _ in 0..<500 {
            let signed = value(0)
            let canonical = signed.canonicalBytes
            // Canonical JSON writes control characters raw, which JSON text may not hold.
            guard !canonical.contains(where: { $0 < 0x20 }) else { continue }
            let text = Array(#"{"signatures":[],"signed":"#.utf8) + canonical + Array("}".utf8)
            #expect(try JSONValue.parsing(text, canonicalBytesOf: "signed").canonicalMember.map(Array.init) == canonical)
            var changed = text
            changed.insert(UInt8(ascii: " "), at: Int.random(in: 26..<text.count - 1, using: &random))
            if let parsed = try? JSONValue.parsing(changed, canonicalBytesOf: "signed"), let bytes = parsed.canonicalMember,
                case let .object(members) = parsed.value
            {
                #expect(Array(bytes) == members["signed"]?.canonicalBytes)
            }
        }
    }
}
