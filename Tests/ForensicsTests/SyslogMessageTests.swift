import Testing
@testable import Forensics

@Suite struct SyslogMessageTests {
    @Test func formatsRFC5424WithStructuredData() {
        let message = SyslogMessage(
            facility: .local0, severity: .notice, time: 1_733_425_200, host: "wn01", processID: 4242, messageID: "usage",
            parameters: [("kind", "run-jdl"), ("job", "a\"b\\c]d")], text: "line one\nline two")
        #expect(
            String(decoding: message.bytes, as: UTF8.self)
                == #"<133>1 2024-12-05T19:00:00Z wn01 alien-install 4242 usage [alienUsage@32473 kind="run-jdl" job="a\"b\\c\]d"] line one line two"#)
        let bare = SyslogMessage(time: 0, host: "", app: "a b", processID: 1, messageID: "", parameters: [], text: "")
        #expect(String(decoding: bare.bytes, as: UTF8.self) == "<14>1 1970-01-01T00:00:00Z - ab 1 - -")
    }

    @Test func aUsageRecordCarriesItsFieldsAsParameters() {
        let record = UsageRecordTests.record()
        let message = SyslogMessage(usage: record, host: "fallback", processID: 7)
        let text = String(decoding: message.bytes, as: UTF8.self)
        #expect(
            text.hasPrefix(
                "<14>1 2024-12-05T12:00:00Z wn01.example.org alien-install 7 usage [alienUsage@32473 kind=\"run-jdl\" uid=\"1000\" user=\"alice\" job=\"42\""))
        #expect(text.contains(#"batchSystem="slurm" batchJob="4711""#))
        #expect(text.contains(#"package="VO_ALICE@ROOT::v6-32-06-1 sha256:aaaa"#))
        #expect(text.contains(#"seconds="12.500" exitStatus="0"]"#))
        #expect(text.hasSuffix("] run-jdl by uid 1000: VO_ALICE@ROOT::v6-32-06-1"))
    }

    @Test func namesAreReducedToWhatTheGrammarAllows() {
        #expect(SyslogMessage.parameterName("a b=c]\"d") == "abcd")
        #expect(SyslogMessage.parameterName(String(repeating: "n", count: 40)).count == 32)
        #expect(SyslogMessage.headerField("héllo wörld", limit: 48) == "hllowrld")
    }
}
