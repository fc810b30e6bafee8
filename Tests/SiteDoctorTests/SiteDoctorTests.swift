import Testing
@testable import SiteDoctor

/// The parts of the checklist that need no server (the CLI tests run the rest against nginx).
@Suite struct SiteDoctorTests {
    @Test func httpDatesParseAsIMFFixdate() {
        #expect(SiteDoctor.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(SiteDoctor.parseHTTPDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(SiteDoctor.parseHTTPDate("yesterday") == nil)
        #expect(SiteDoctor.parseHTTPDate("Sunday, 06-Nov-94 08:49:37 GMT") == nil, "obsolete forms are not guessed")
    }

    @Test func sizesReadLikeDf() {
        #expect(SiteDoctor.size(512) == "512 B")
        #expect(SiteDoctor.size(3 << 30) == "3.0 GiB")
    }

    @Test func aMissingAreaFailsWithAHintAndSkipsWhatNeedsIt() async {
        var options = SiteDoctor.Options(area: "/nonexistent/alien-area-\(UInt64.random(in: 0...UInt64.max))")
        options.proxy = ""
        let report = await SiteDoctor(options: options).run()
        #expect(report.check("area-exists")?.status == .fail)
        #expect(report.check("area-exists")?.hint?.contains("--root ROOT_JSON") == true)
        #expect(report.check("trusted-root")?.status == .skip)
        #expect(report.check("repository")?.status == .fail)
        #expect(report.check("metadata-fresh")?.status == .skip)
        #expect(report.failed)
    }
}
