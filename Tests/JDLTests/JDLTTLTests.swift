import JDL
import Testing

/// `TTL` values: issue 15 §3 (`TTL = 9223372036854775807` trapped `run --jdl` on overflow).
@Suite struct JDLTTLTests {
    static func ttl(_ value: String) throws -> Result<JDLTTL, JDLTTL.Problem>? {
        JDLTTL.of(try JDLDocument(parsing: "Executable = \"x\";\nTTL = \(value);\n"))
    }

    static func seconds(_ value: String) throws -> Int64? {
        try ttl(value)?.get().seconds
    }

    @Test func validValues() throws {
        #expect(try Self.seconds("72000") == 72000)
        #expect(try Self.seconds("\"28000\"") == 28000)
        #expect(try Self.seconds("\" 600 \"") == 600)
        #expect(try Self.seconds("+5") == 5)
        #expect(try Self.seconds("0000000000000000000000000000060") == 60)
        #expect(try Self.seconds("\(JDLTTL.maximum)") == JDLTTL.maximum)
        #expect(JDLTTL.of(try JDLDocument(parsing: "Executable = \"x\";")) == nil)
    }

    @Test func outOfRangeIsRefusedWithItsPlace() throws {
        for value in [
            "9223372036854775807", "9223372036854775808", "99999999999999999999999999", "\(JDLTTL.maximum + 1)",
            "0", "-1", "-9223372036854775808", "\"9223372036854775807\""
        ] {
            guard case let .failure(problem)? = try Self.ttl(value) else {
                Issue.record("\(value) accepted")
                continue
            }
            #expect(problem.description.hasPrefix("2:7: TTL \(value) is out of range: it must be from 1 to 31622400 seconds"))
        }
    }

    @Test func nonNumbersAreRefused() throws {
        for value in ["\"abc\"", "1.5", "1e9", "{1}", "other.TTL", "\"\""] {
            guard case let .failure(problem)? = try Self.ttl(value) else {
                Issue.record("\(value) accepted")
                continue
            }
            #expect(problem.description.contains("is not a whole number of seconds"), "\(problem)")
        }
    }

    @Test func checkReportsItAsAProblem() throws {
        let check = try JDLCheck(text: "Executable = \"x\";\nTTL = 9223372036854775807;\n", arguments: [])
        #expect(!check.succeeded)
        #expect(check.problems == ["2:7: TTL 9223372036854775807 is out of range: it must be from 1 to 31622400 seconds (366 days)"])
        #expect(check.ttl == nil)
        let good = try JDLCheck(text: "Executable = \"x\";\nTTL = 72000;\n", arguments: [])
        #expect(good.succeeded)
        #expect(good.ttl?.seconds == 72000)
    }
}
