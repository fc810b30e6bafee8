import AlienModel
import Foundation
import PackMan
import PackManAPI
import SoftwareArea
import Testing
import TestSupport

/// The health watch over every VO of a site: each VO judged on its own area, jobs and budget.
@Suite struct PackManDaemonNotificationsTests {
    @Test func eachVOsHealthIsJudgedOnItsOwnAndNamesItsVO() async throws {
        let a = try PackManFixture("health-a"), b = try PackManFixture("health-b")
        defer { a.cleanUp(); b.cleanUp() }
        try a.publish()
        try b.publish([PackManFixture.standardPackages[0]])
        var config = try PackManDaemonVOsTests.config(a, b)
        config.vos.removeAll { $0.name == "VO_X" }
        // Any use of a budget or of the filesystem is above a threshold of 0.
        config.notifications.diskThreshold = 0
        config.vos[0].diskBudget = 1 << 40
        let daemon = try await PackMan.PackManDaemon.open(config: config)
        _ = try await daemon.sites[1].area.install([try PackageID(parsing: "zlib")])
        // Four failed jobs in VO_B (a package its repository does not define), none in VO_A.
        for _ in 0..<4 {
            let (job, _) = try await daemon.sites[1].engine.install(["nope"], lease: nil, identity: "test")
            let finished = await daemon.sites[1].engine.wait(job.id, seconds: 3600)  // returns when finished; the bound only catches a hang
            #expect(finished?.state == .failed, "\(String(describing: finished))")
        }

        let alerts = await daemon.healthAlerts()
        let keys = alerts.map(\.key)
        #expect(keys.contains("VO_B/disk-budget") && !keys.contains("disk-budget"), "VO_A has no budget: \(keys)")
        #expect(alerts.first { $0.key == "VO_B/disk-budget" }?.message.hasPrefix("VO_B: packages use ") == true, "\(alerts)")
        #expect(keys.contains("VO_B/failure-rate") && !keys.contains("failure-rate"), "\(keys)")
        #expect(alerts.first { $0.key == "VO_B/failure-rate" }?.message == "VO_B: 4 of the last 4 jobs failed", "\(alerts)")
        // Both areas are on one filesystem: it is judged once, with the default VO.
        #expect(keys.filter { $0.hasSuffix("disk-full") } == ["disk-full"], "\(keys)")
    }
}
