import Foundation
import PackManAPI
import Testing
import TestSupport

/// Issue 18 §2 end to end with real processes: a repository published by the CLI and served by
/// nginx, two sites — one run by a real packmand (policy quarantine, a webhook receiver), one
/// by the CLI alone (policy remove) —, a job holding the package at each, then `revoke`. One
/// refresh later both refuse new use (409 with the reason / exit 1), packmand alerts once
/// through the webhook naming the running job, and each applies its policy.
@Suite(.serialized) struct RevocationCLITests {
    static let arch = AreaCLITests.arch
    static let revoked = "ROOT::v6-32-06-1"
    static let reason = "miscompiled: wrong results in TMath"

    /// `curl` against packmand: (HTTP status, body).
    static func http(_ method: String, _ url: String, token: String? = nil, body: String? = nil) throws -> (Int, String) {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, url]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data", body] }
        let result = try Interop.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments)
        let text = result.text
        guard let newline = text.lastIndex(of: "\n"), let status = Int(text[text.index(after: newline)...]) else { return (0, text) }
        return (status, String(text[..<newline]))
    }

    @Test func revocationReachesBothSites() throws {
        let site = try AreaCLITests.site("revocation")
        defer { site.stop() }
        let receiver = try WebhookReceiver(in: site.base)
        defer { receiver.stop() }

        // Site A: packmand (quarantine; refreshes only when asked, so the test sees one refresh).
        let areaA = site.area("site-a")
        let daemon = try PackmandProcess(
            directory: site.base, area: areaA, arch: Self.arch, repository: site.repoURL, rootFile: site.rootFile,
            extra: """
                notifications:
                  webhook: \(receiver.url)
                revocation:
                  policy: quarantine
                  refresh: 86400
                """)
        defer { daemon.stop() }
        let installed = try daemon.client().install(["ROOT::latest"], wait: 120)
        #expect(installed.state == .succeeded, "\(installed)")
        let leased = try Self.http(
            "POST", daemon.tcp + "/v1/leases", token: PackmandProcess.jobToken,
            body: #"{"holder":"job-a1","packages":["ROOT"],"ttl":600}"#)
        #expect(leased.0 == 200, "\(leased)")

        // Site B: the CLI alone (remove), a job holding ROOT.
        let areaB = site.area("site-b")
        let install = try AreaCLITests.cli(["install", "ROOT", "--area", areaB, "--repo", site.repoURL, "--root", site.rootFile, "--arch", Self.arch])
        try #require(install.status == 0, "\(install.stderr)")
        let configB = "\(areaB)/.alien/config.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configB))) as? [String: Any])
        config["revocation_policy"] = "remove"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configB))
        let lease = try AreaCLITests.cli(["lease", "acquire", "ROOT", "--holder", "job-b1", "--ttl", "600", "--area", areaB])
        #expect(lease.status == 0, "\(lease.stderr)")
        let ranBefore = try AreaCLITests.cli(["run", "ROOT", "--area", areaB, "--", "true"])
        #expect(ranBefore.status == 0, "\(ranBefore.stderr)")

        // The release manager revokes.
        let keys = site.base.appendingPathComponent("keys").path, repo = site.base.appendingPathComponent("repo").path
        let revoke = try AreaCLITests.cli(["revoke", "--repo", repo, Self.revoked, "--reason", Self.reason, "--keys-dir", keys, "--json"])
        #expect(
            revoke.status == 0 && revoke.text.contains(#""revokes":"slc9_x86-64/ROOT/ROOT-v6-32-06-1.slc9_x86-64.tar.gz""#),
            "\(revoke.text) \(revoke.stderr)")

        // Site A, one refresh: alert (once), quarantine, 409s with the reason.
        let refresh = try Self.http("POST", daemon.tcp + "/v1/revocations/refresh", token: PackmandProcess.adminToken)
        #expect(refresh.0 == 200 && refresh.1.contains(#""alerted":["revoked-package:ROOT/v6-32-06-1"]"#), "\(refresh)")
        #expect(refresh.1.contains(#""state":"quarantined""#) && refresh.1.contains(#""leases":["job-a1"]"#), "\(refresh)")
        let alerts = receiver.lines
        #expect(
            alerts.count == 1 && alerts[0].contains("revoked-package:ROOT") && alerts[0].contains(Self.reason)
                && alerts[0].contains("job-a1") && alerts[0].contains("quarantined"), "\(alerts)")
        let again = try Self.http("POST", daemon.tcp + "/v1/revocations/refresh", token: PackmandProcess.adminToken)
        #expect(again.0 == 200 && again.1.contains(#""alerted":[]"#) && receiver.lines.count == 1, "alerted once: \(again) \(receiver.lines)")
        let newInstall = try Self.http("POST", daemon.tcp + "/v1/install", token: PackmandProcess.jobToken, body: #"{"packages":["ROOT::v6-32-06-1"]}"#)
        #expect(newInstall.0 == 409 && newInstall.1.contains(Self.reason), "\(newInstall)")
        let newLease = try Self.http(
            "POST", daemon.tcp + "/v1/leases", token: PackmandProcess.jobToken,
            body: #"{"holder":"job-a2","packages":["ROOT"],"ttl":600}"#)
        #expect(newLease.0 == 409 && newLease.1.contains(Self.reason), "\(newLease)")
        let env = try Self.http("GET", daemon.tcp + "/v1/env?packages=ROOT")
        #expect(env.0 == 409 && env.1.contains("quarantined"), "\(env)")
        #expect(FileManager.default.fileExists(atPath: "\(areaA)/\(Self.arch)/ROOT/v6-32-06-1/.alien-install.json"), "kept for forensics")
        let page = try Self.http("GET", daemon.tcp + "/")
        #expect(page.1.contains("Revoked packages still present (1)") && page.1.contains("ROOT/v6-32-06-1"), "\(page.1)")
        let doctor = try AreaCLITests.cli(["doctor", "--site", "--area", areaA])
        #expect(doctor.text.contains("! revoked-present: 1 revoked package(s) installed") && doctor.text.contains(Self.reason), "\(doctor.text)")

        // Site B, one refresh: refused for new use, removal waits for job-b1, then happens.
        let applied = try AreaCLITests.cli(["revocations", "--area", areaB])
        #expect(
            applied.status == 0 && applied.text.contains("ROOT/v6-32-06-1: kept-leased (policy remove); leased by job-b1"), "\(applied.text) \(applied.stderr)")
        #expect(applied.text.contains("  used here 1 time(s), the latest: run ("), "who ran it, from the area's log: \(applied.text)")
        let listed = try AreaCLITests.cli(["list", "--available", "--area", areaB])
        #expect(listed.text.contains("VO_ALICE@ROOT::v6-32-06-1  ") && listed.text.contains("(revoked: \(Self.reason))"), "\(listed.text)")
        let refused = try AreaCLITests.cli(["install", "ROOT::v6-32-06-1", "--area", areaB])
        #expect(
            refused.status == 1 && refused.stderr.contains("revoked by the repository") && refused.stderr.contains(Self.reason)
                && refused.stderr.contains("ROOT alone picks the newest not revoked"), "\(refused.stderr)")
        let run = try AreaCLITests.cli(["run", "ROOT", "--area", areaB, "--", "sh", "-c", "echo ran"])
        #expect(run.status == 1 && !run.text.contains("ran") && run.stderr.contains("quarantined"), "\(run.text) \(run.stderr)")
        let newLeaseB = try AreaCLITests.cli(["lease", "acquire", "ROOT", "--holder", "job-b2", "--ttl", "600", "--area", areaB])
        #expect(newLeaseB.status == 1 && newLeaseB.stderr.contains(Self.reason), "\(newLeaseB.stderr)")
        let released = try AreaCLITests.cli(["lease", "release", "--holder", "job-b1", "--area", areaB])
        #expect(released.status == 0, "\(released.stderr)")
        let removed = try AreaCLITests.cli(["revocations", "--area", areaB])
        #expect(removed.text.contains("ROOT/v6-32-06-1: removed"), "\(removed.text)")
        #expect(!FileManager.default.fileExists(atPath: "\(areaB)/\(Self.arch)/ROOT/v6-32-06-1"))
    }
}
