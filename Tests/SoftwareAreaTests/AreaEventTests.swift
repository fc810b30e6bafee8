import SoftwareArea
import Testing
import Trust

/// Events as the CLI prints them: a line, or one JSON object.
@Suite struct AreaEventTests {
    @Test func textAndJSON() {
        let key = PackageKey(name: "ROOT", version: "v6-32-06", revision: "1")
        #expect(AreaEvent.downloaded(key, bytes: 42).text == "ROOT/v6-32-06-1: downloaded 42 bytes (verified)")
        #expect(AreaEvent.downloaded(key, bytes: 42).json == .object(["event": .string("downloaded"), "package": .string("ROOT/v6-32-06-1"),
                                                                      "bytes": .integer(42)]))
        #expect(AreaEvent.resolved([key]).text == "resolved 1 package(s): ROOT/v6-32-06-1")
        #expect(key.qualified == "VO_ALICE@ROOT::v6-32-06-1")
    }
}
