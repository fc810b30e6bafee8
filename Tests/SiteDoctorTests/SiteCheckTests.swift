import AlienModel
import Testing
import Trust
@testable import SiteDoctor

@Suite struct SiteCheckTests {
    static let report = SiteReport(checks: [
        SiteCheck("area-exists", .pass, "/sw", hint: "never shown for a pass"),
        SiteCheck("clock", .fail, "300 s ahead of the repository", hint: "synchronise it"),
        SiteCheck("trusted-root", .warn, "expires in 3 days", hint: "rotate"),
        SiteCheck("packmand", .skip, "no packmand configured (--packman)", hint: "never shown for a skip")
    ])

    @Test func textMarksEachCheckAndIndentsHints() {
        #expect(
            Self.report.text == """
                ✓ area-exists: /sw
                ✗ clock: 300 s ahead of the repository
                    hint: synchronise it
                ! trusted-root: expires in 3 days
                    hint: rotate
                - packmand: no packmand configured (--packman)
                1 passed, 1 warnings, 1 failed, 1 skipped

                """)
        #expect(Self.report.failed)
        #expect(!SiteReport(checks: [SiteCheck("a", .warn, "x"), SiteCheck("b", .skip, "y")]).failed, "warnings do not fail")
    }

    @Test func jsonCarriesStatusAndHintsForMonitoring() {
        guard case let .object(top) = Self.report.json, case let .array(checks)? = top["checks"] else {
            Issue.record("not an object with checks: \(Self.report.json)")
            return
        }
        #expect(top["ok"] == .bool(false))
        #expect(checks.count == 4)
        #expect(
            checks[1]
                == .object([
                    "id": .string("clock"), "status": .string("fail"), "detail": .string("300 s ahead of the repository"),
                    "hint": .string("synchronise it")
                ]))
        #expect(checks[0] == .object(["id": .string("area-exists"), "status": .string("pass"), "detail": .string("/sw")]))
    }
}
