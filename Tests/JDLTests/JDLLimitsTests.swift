import JDL
import Testing

/// Parser limits (issue 15 §3): nesting depth, size, and work linear in the text. Times are
/// measured by `jdl-bench --big N` (BENCHMARKS.md); these tests check behaviour only.
@Suite struct JDLLimitsTests {
    static let limit = 64

    @Test func deeplyNestedListsAreRefusedNotCrashed() {
        // Without a limit this recursed until SIGSEGV at about 1 870 levels.
        for depth in [Self.limit + 1, 1_870, 100_000] {
            let text = "L = " + String(repeating: "{", count: depth) + String(repeating: "}", count: depth) + ";"
            #expect(throws: JDLError.self) { try JDLDocument(parsing: text) }
            do { _ = try JDLDocument(parsing: text) } catch {
                #expect(error.location?.line == 1)
                #expect(error.location?.column == 5 + Self.limit)
                #expect(error.description.contains("nested more than 64 levels deep"), "\(error)")
            }
        }
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let text = "L = " + String(repeating: "{", count: Self.limit) + "\"x\"" + String(repeating: "}", count: Self.limit) + ";"
        var value = try #require(JDLDocument(parsing: text)["L"])
        var depth = 0
        while case let .list(items) = value, let first = items.first {
            value = first
            depth += 1
        }
        #expect(depth == Self.limit)
        #expect(value == .string("x"))
    }

    @Test func deeplyNestedBracketsAreRefused() {
        let text = "R = " + String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000) + ";"
        #expect(throws: JDLError.tooDeep(JDLLocation(line: 1, column: 5 + Self.limit, lineText: text), limit: Self.limit)) {
            try JDLDocument(parsing: text)
        }
        let list = "L = {" + String(repeating: "(", count: Self.limit) + "a" + String(repeating: ")", count: Self.limit) + "};"
        #expect(throws: JDLError.self) { try JDLDocument(parsing: list) }
    }

    @Test func tooLargeBytesAreRefusedBeforeParsing() {
        let bytes = [UInt8](repeating: 0x20, count: JDLDocument.maximumSize + 1)
        #expect(throws: JDLError.tooLarge(bytes: JDLDocument.maximumSize + 1, limit: JDLDocument.maximumSize)) {
            try JDLDocument(parsing: bytes)
        }
    }

    @Test func aHundredThousandPackagesOnOneLine() throws {
        let count = 100_000
        let text = "Packages = {" + (0..<count).map { "\"VO_ALICE@P\($0)::v1\"" }.joined(separator: ",") + "};"
        let check = try JDLCheck(text: text, arguments: [])
        #expect(check.packages.entries.count == count)
        #expect(check.packages.entries.last?.location?.column == text.count - "\"VO_ALICE@P99999::v1\"};".count + 1)
        #expect(check.succeeded)
    }

    @Test func aHundredThousandAttributes() throws {
        let count = 100_000
        let text = (0..<count).map { "A\($0) = \($0);" }.joined(separator: "\n") + "\nA5 = 6;\n"
        let document = try JDLDocument(parsing: text)
        #expect(document.attributes.count == count)
        #expect(document["a99999"] == .number("99999"))
        #expect(document["A5"] == .number("6"))
        #expect(document.warnings == [.duplicateAttribute(name: "A5", firstLine: 6, secondLine: count + 1)])
        var edited = document
        #expect(edited.remove("a0")?.name == "A0")
        #expect(edited["A1"] == .number("1"))
        #expect(edited.attributes.first?.name == "A1")
        try edited.set(JDLAttribute(name: "a99999", value: .number("0")))
        #expect(edited.attributes.last?.value == .number("0"))
        #expect(edited.attributes.count == count - 1)
    }
}
