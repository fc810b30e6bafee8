import AlienModel
import Forensics
import Foundation
import Hummingbird
import HummingbirdTesting
import PackMan
import PackManAPI
import Publisher
import SoftwareArea
import Testing
import TestSupport

/// packmand and revocations: one refresh alerts once (webhook captured), applies the policy, and
/// from then on installs, leases and environments of the revoked build are 409 with the reason.
@Suite struct PackManDaemonRevocationsTests {
    static let reason = "wrong results in TMath"

    @Test func oneRefreshAlertsOnceAndRefusesNewUse() async throws {
        let fixture = try PackManFixture("revocations")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let receiver = try WebhookReceiver(in: fixture.base)
        defer { receiver.stop() }
        let hooks = receiver.file
        var config = fixture.config()
        config.notifications.webhook = receiver.url
        config.revocationPolicy = .quarantine
        let daemon = try await fixture.daemon(config)
        _ = try await daemon.area.install([try PackageID(parsing: "ROOT")])
        try daemon.area.acquireLease(holder: "job-1", packages: [try PackageID(parsing: "ROOT")], ttl: 600)
        // A job ran ROOT (named by its tarball's sha256), another zlib alone.
        let root = try PackageBuild(parsing: "ROOT/v6-32-06-1"), zlib = try PackageBuild(parsing: "zlib/v1.3.1-1")
        for (job, key) in [("grid-77", root), ("grid-78", zlib)] {
            daemon.recordUse(
                UsageRecord(
                    kind: .runJDL, started: 1_800_000_000, host: "wn07", uid: 1234, user: "alice", jobID: job,
                    packages: daemon.area.layout.usedPackages([key])))
        }
        try fixture.repository.revoke(try PackageID(parsing: "ROOT::v6-32-06-1"), reason: Self.reason, signers: fixture.signers)

        // Concurrent refreshes (the service, an install, the admin) alert once between them.
        async let first = daemon.refreshRevocations()
        async let second = daemon.refreshRevocations()
        let results = try await [first, second]
        #expect(results.flatMap(\.alerted) == ["revoked-package:ROOT/v6-32-06-1"], "\(results.map(\.alerted))")
        let report = results[0].report
        #expect(report.present.map(\.action) == [.quarantined])
        let lines = try String(contentsOf: hooks, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(Self.reason) && lines[0].contains("job-1") && lines[0].contains("quarantined"), "\(lines)")
        // The alert names the jobs that used the build.
        #expect(lines[0].contains("used here 1 time(s), the latest: job grid-77 (alice@wn07, 2027-01-15T08:00:00Z)"), "\(lines)")
        #expect(!lines[0].contains("grid-78"), "\(lines)")
        #expect(try await daemon.refreshRevocations().alerted.isEmpty, "alerted once")
        // A restart remembers what it alerted of.
        let restarted = try await fixture.daemon(config)
        #expect(try await restarted.refreshRevocations().alerted.isEmpty)
        #expect(try String(contentsOf: hooks, encoding: .utf8).split(separator: "\n").count == 1)

        try await PackManFixture.app(restarted).test(.router) { client in
            try await client.execute(
                uri: "/v1/install", method: .post, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"packages":["ROOT::v6-32-06-1"]}"#)
            ) {
                #expect($0.status == .conflict && $0.text.contains(Self.reason), "\($0.text)")
            }
            try await client.execute(
                uri: "/v1/leases", method: .post, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"holder":"job-2","packages":["ROOT"],"ttl":60}"#)
            ) {
                #expect($0.status == .conflict && $0.text.contains(Self.reason), "\($0.text)")
            }
            try await client.execute(uri: "/v1/env?packages=ROOT", method: .get) {
                #expect($0.status == .conflict && $0.text.contains("quarantined"), "\($0.text)")
            }
            // zlib is not revoked: still leased and used.
            try await client.execute(
                uri: "/v1/leases", method: .post, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"holder":"job-3","packages":["zlib"],"ttl":60}"#)
            ) {
                #expect($0.status == .ok, "\($0.text)")
            }
            let list = try await client.execute(uri: "/v1/revocations", method: .get) { try $0.decode(RevocationList.self) }
            #expect(list.policy == "quarantine" && list.revocations.map(\.package) == ["ROOT::v6-32-06-1"])
            #expect(
                list.present == [
                    .init(
                        package: "ROOT/v6-32-06-1", reason: Self.reason, time: list.revocations[0].time, state: "quarantined",
                        leases: ["job-1"])
                ])
            try await client.execute(uri: "/v1/revocations/refresh", method: .post, headers: bearer(PackManFixture.jobToken)) {
                #expect($0.status == .forbidden, "admin only: \($0.text)")
            }
            try await client.execute(uri: "/", method: .get) {
                #expect($0.text.contains("Revoked packages still present (1)") && $0.text.contains(Self.reason), "\($0.text)")
            }
            let audit = try await client.execute(uri: "/v1/audit", method: .get) { try $0.decode([AuditEntry].self) }
            #expect(audit.contains { $0.action == "revocation" && $0.subject == "ROOT::v6-32-06-1" }, "\(audit)")
            #expect(audit.contains { $0.action == "install" && $0.result.hasPrefix("refused") })
        }
        #expect(FileManager.default.fileExists(atPath: daemon.area.layout.record(report.present[0].package)), "kept for forensics")
    }

    /// synchronize installs the newest build of each name that is not revoked.
    @Test func synchronizeSkipsRevokedBuilds() async throws {
        let fixture = try PackManFixture("revocations-sync")
        defer { fixture.cleanUp() }
        let zlib = FixturePackage(name: "zlib", version: "v1.3.1")
        var zlib2 = zlib
        zlib2.revision = "2"
        try fixture.publish([zlib, zlib2])
        try fixture.repository.revoke(try PackageID(parsing: "zlib::v1.3.1-2"), reason: Self.reason, signers: fixture.signers)
        try await PackManFixture.app(try await fixture.daemon()).test(.router) { client in
            let job = try await client.execute(uri: "/v1/synchronize?wait=3600", method: .post, headers: bearer(PackManFixture.adminToken)) {
                try $0.decode(JobStatus.self)
            }
            #expect(job.state == .succeeded && job.installed == ["zlib/v1.3.1-1"], "\(job)")
            // What a request resolves to skips the revoked build; only revoked matches: 409.
            let resolved = try await client.execute(uri: "/v1/packages?package=zlib::latest", method: .get) { try $0.decode([PackageInfo].self) }
            #expect(resolved.map(\.id) == ["VO_ALICE@zlib::v1.3.1-1"], "\(resolved)")
            try await client.execute(uri: "/v1/packages?package=zlib::v1.3.1-2", method: .get) {
                #expect($0.status == .conflict && $0.text.contains(Self.reason), "\($0.text)")
            }
        }
    }

    @Test func configReadsTheRevocationKeys() throws {
        let config = try DaemonConfig.parse("area: /a\nlisten: {unix: /s}\nrevocation:\n  policy: remove\n  refresh: 60\n", file: "f.yaml")
        #expect(config.revocationPolicy == .remove && config.revocationRefresh == 60)
        #expect(try DaemonConfig.parse("area: /a\nlisten: {unix: /s}\n", file: "f.yaml").revocationPolicy == nil)
        for (text, message) in [
            ("revocation:\n  policy: kill\n", "f.yaml:4: revocation.policy: expected alert, quarantine or remove, got 'kill'"),
            ("revocation:\n  refresh: 0\n", "f.yaml:4: revocation.refresh"),
            ("revocation:\n  every: 1\n", "f.yaml:4: revocation.every: unknown key")
        ] {
            do {
                _ = try DaemonConfig.parse("area: /a\nlisten: {unix: /s}\n" + text, file: "f.yaml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.hasPrefix(message), "\(error)")
            }
        }
    }
}
