import Testing
import Basics

@Suite struct UTCTimestampTests {
    @Test func formatsAndParsesBothWays() {
        for (seconds, text) in [
            (Int64(0), "1970-01-01T00:00:00Z"), (1_733_425_200, "2024-12-05T19:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"), (-1, "1969-12-31T23:59:59Z")
        ] {
            #expect(UTCTimestamp.format(seconds) == text)
            #expect(UTCTimestamp.parse(text) == seconds)
        }
    }

    @Test(arguments: [
        "", "2024-12-05", "2024-12-05T19:00:00", "2024-12-05 19:00:00Z", "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z", "2024-12-05T24:00:00Z", "0000-01-01T00:00:00Z", "2024-1a-05T19:00:00Z"
    ])
    func refusesAnyOtherForm(text: String) {
        #expect(UTCTimestamp.parse(text) == nil)
    }
}
