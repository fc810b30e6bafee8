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

/// Several VOs on one packmand (router mode): two repositories signed with different keys, the
/// same package name and version in both, each installed in its own VO's area; routing by the
/// owner prefix, tokens limited to VOs, and the VO on jobs, audit entries, listings and metrics.
@Suite struct PackManDaemonVOsTests {
    static let limitedToken = "token-for-vo-a-only"
    static let limitedAdminToken = "admin-token-for-vo-a-only"

    /// VO_A (the default: fixture `a`, zlib and ROOT), VO_B (fixture `b`, zlib only), and VO_X: A's
    /// repository under B's trusted root (nothing of it can be trusted).
    static func config(_ a: PackManFixture, _ b: PackManFixture) throws -> DaemonConfig {
        var config = a.config()
        config.vo = "VO_A"
        var voB = VOConfig(name: "VO_B", area: b.area)
        voB.repository = "file://" + b.repo.path
        voB.trustedRoot = b.rootFile
        var voX = VOConfig(name: "VO_X", area: b.base.appendingPathComponent("area-x").path)
        voX.repository = "file://" + a.repo.path
        voX.trustedRoot = b.rootFile
        config.vos = [voB, voX]
        let tokens = """
            agent job \(Tokens.hash(PackManFixture.jobToken))
            admin admin \(Tokens.hash(PackManFixture.adminToken))
            onlyA job \(Tokens.hash(limitedToken)) vos=VO_A
            adminA admin \(Tokens.hash(limitedAdminToken)) vos=VO_A

            """
        try tokens.write(to: a.base.appendingPathComponent("tokens"), atomically: true, encoding: .utf8)
        return config
    }

    static func install(_ client: some TestClientProtocol, _ packages: String, token: String = PackManFixture.jobToken) async throws -> (Int, String) {
        try await client.execute(
            uri: "/v1/install?wait=3600", method: .post, headers: bearer(token), body: json(#"{"packages":[\#(packages)]}"#)
        ) { ($0.status.code, $0.text) }
    }

    @Test func aTokenLimitedToAnUnknownVOStopsTheStart() async throws {
        let a = try PackManFixture("vo-token-a"), b = try PackManFixture("vo-token-b")
        defer { a.cleanUp(); b.cleanUp() }
        let config = try Self.config(a, b)
        try "typo job \(Tokens.hash("t")) vos=VO_A,VO_BB\n".write(to: a.base.appendingPathComponent("tokens"), atomically: true, encoding: .utf8)
        do {
            _ = try await PackMan.PackManDaemon.open(config: config)
            Issue.record("started with a token for an unknown VO")
        } catch {
            #expect(
                error.description == "\(a.base.appendingPathComponent("tokens").path): typo: vos: VO_BB is not a VO of this site (known: VO_A, VO_B, VO_X)",
                "\(error)")
        }
        #expect(throws: Never.self) { try Tokens.parse("t job \(Tokens.hash("t")) vos=VO_B\n", file: "t").check(vos: ["VO_A", "VO_B"], file: "t") }
    }

    /// A revocation published in VO_B's repository reaches VO_B's area only: alerted once with
    /// the VO, its policy applied there, new installs of B's build refused with the reason; the
    /// same name and version of VO_A stay usable.
    @Test func aRevocationOfOneVOReachesThatVOOnly() async throws {
        let a = try PackManFixture("vo-rev-a"), b = try PackManFixture("vo-rev-b")
        defer { a.cleanUp(); b.cleanUp() }
        try a.publish()
        try b.publish([PackManFixture.standardPackages[0]])
        let receiver = try WebhookReceiver(in: a.base)
        defer { receiver.stop() }
        var config = try Self.config(a, b)
        config.vos.removeAll { $0.name == "VO_X" }
        config.notifications.webhook = receiver.url
        config.revocationPolicy = .quarantine
        let daemon = try await PackMan.PackManDaemon.open(config: config)
        let zlib = try PackageID(parsing: "zlib::v1.3.1-1")
        _ = try await daemon.sites[0].area.install([zlib])
        _ = try await daemon.sites[1].area.install([zlib])
        let reason = "miscompiled inflate"
        try b.repository.revoke(zlib, reason: reason, signers: b.signers)

        #expect(try await daemon.refreshRevocations(in: daemon.sites[0]).alerted.isEmpty, "nothing revoked in VO_A")
        let (report, alerted) = try await daemon.refreshRevocations(in: daemon.sites[1])
        #expect(alerted == ["revoked-package:VO_B/zlib/v1.3.1-1"] && report.present.map(\.action) == [.quarantined], "\(alerted)")
        let lines = try String(contentsOf: receiver.file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("VO_B: zlib") && lines[0].contains(reason), "\(lines)")

        try await PackManFixture.app(daemon).test(.router) { client in
            let (refused, text) = try await Self.install(client, #""VO_B@zlib::v1.3.1-1""#)
            #expect(refused == 409 && text.contains(reason), "\(text)")
            let (accepted, _) = try await Self.install(client, #""VO_A@zlib::v1.3.1-1""#)
            #expect(accepted == 200)
            let listB = try await client.execute(uri: "/v1/revocations?vo=VO_B", method: .get) { try $0.decode(RevocationList.self) }
            #expect(listB.present.map(\.package) == ["zlib/v1.3.1-1"] && listB.present.map(\.state) == ["quarantined"])
            let listA = try await client.execute(uri: "/v1/revocations", method: .get) { try $0.decode(RevocationList.self) }
            #expect(listA.revocations.isEmpty && listA.present.isEmpty)
            let auditB = try await client.execute(uri: "/v1/audit?vo=VO_B", method: .get) { try $0.decode([AuditEntry].self) }
            #expect(auditB.contains { $0.action == "revocation" && $0.result.contains(reason) }, "\(auditB)")
        }
    }

    /// Uses of a VO's packages are recorded with the VO's name: an environment through packmand
    /// (stamped in the VO's area) and what the CLI wrote to the VO's area log (which names the
    /// default owner: the CLI does not know the area's VO) when packmand imports it.
    @Test func usesOfAVOArePackagesOfThatVO() async throws {
        let a = try PackManFixture("vo-use-a"), b = try PackManFixture("vo-use-b")
        defer { a.cleanUp(); b.cleanUp() }
        try a.publish()
        try b.publish([PackManFixture.standardPackages[0]])
        var config = try Self.config(a, b)
        config.vos.removeAll { $0.name == "VO_X" }
        let daemon = try await PackMan.PackManDaemon.open(config: config)
        // Each area knows its VO, so the CLI on it names uses with it too.
        #expect(daemon.sites.map(\.area.configuration.vo) == ["VO_A", "VO_B"])
        #expect(try SoftwareArea.Configuration.read(from: "\(b.area)/.alien/config.json").vo == "VO_B")
        let zlib = try PackageID(parsing: "zlib::v1.3.1-1")
        _ = try await daemon.sites[1].area.install([zlib])
        let cli = try daemon.sites[1].area.environmentArea()
        _ = try cli.environment(for: [zlib], base: ["PATH": "/usr/bin"], recording: EnvironmentUse(.enter, jobID: "cli-43"))
        // A record written before the area knew its VO (it names the default owner) is given it at import.
        let written = UsageRecord(
            kind: .run, started: 1_700_000_000, host: "wn01", uid: 1000, user: "alice", jobID: "cli-42",
            packages: [UsageRecord.Package(id: "VO_ALICE@zlib::v1.3.1-1")])
        #expect(daemon.sites[1].area.recordUse(written) == nil)

        try await PackManFixture.app(daemon).test(.router) { client in
            try await client.execute(uri: "/v1/env?packages=VO_B@zlib", method: .get) { #expect($0.status == .ok, "\($0.text)") }
            let uses = try await client.execute(uri: "/v1/usage?package=VO_B@zlib", method: .get, headers: bearer(PackManFixture.adminToken)) {
                try $0.decode([UsageRecord].self)
            }
            #expect(Set(uses.map(\.kind)) == [.environment, .run, .enter], "\(uses)")
            #expect(uses.allSatisfy { $0.vo == "VO_B" }, "\(uses)")
            #expect(uses.allSatisfy { $0.packages.map(\.id) == ["VO_B@zlib::v1.3.1-1"] }, "\(uses.map(\.packages))")
            #expect(uses.first { $0.kind == .environment }?.packages.first?.sha256 != nil)
            let asDefault = try await client.execute(uri: "/v1/usage?package=VO_A@zlib", method: .get, headers: bearer(PackManFixture.adminToken)) {
                try $0.decode([UsageRecord].self)
            }
            #expect(asDefault.isEmpty, "\(asDefault)")
        }
        #expect(FileManager.default.fileExists(atPath: "\(b.area)/.alien/used/\(PackManFixture.arch)/zlib/v1.3.1-1"))
        #expect(!FileManager.default.fileExists(atPath: "\(a.area)/.alien/used/\(PackManFixture.arch)/zlib/v1.3.1-1"))
    }

    /// A token limited to VO_A reports and reads only VO_A's uses, and cannot act for the whole site.
    @Test func aVOLimitedTokenReportsAndReadsOnlyItsVOsUses() async throws {
        let a = try PackManFixture("vo-token-a"), b = try PackManFixture("vo-token-b")
        defer { a.cleanUp(); b.cleanUp() }
        var config = try Self.config(a, b)
        config.vos.removeAll { $0.name == "VO_X" }
        let daemon = try await PackMan.PackManDaemon.open(config: config)
        try await PackManFixture.app(daemon).test(.router) { client in
            func report(_ vo: String?, _ package: String, token: String) async throws -> HTTPResponse.Status {
                var record = UsageRecord(
                    kind: .runJDL, started: 1_800_000_000, host: "wn07", uid: 1234, user: "alice", jobID: "job-\(vo ?? "none")",
                    packages: [UsageRecord.Package(id: package)])
                record.vo = vo
                return try await client.execute(
                    uri: "/v1/usage", method: .post, headers: bearer(token), body: json(String(decoding: record.jsonLine, as: UTF8.self))
                ) { $0.status }
            }
            #expect(try await report("VO_B", "VO_B@zlib::v1.3.1-1", token: Self.limitedToken) == .forbidden)
            #expect(try await report("VO_Z", "VO_Z@zlib::v1.3.1-1", token: PackManFixture.jobToken) == .notFound)
            #expect(try await report("VO_A", "VO_A@zlib::v1.3.1-1", token: Self.limitedToken) == .created)
            #expect(try await report(nil, "zlib::v1.3.1-1", token: Self.limitedToken) == .created, "no VO: the default VO's")
            #expect(try await report("VO_B", "VO_B@zlib::v1.3.1-1", token: PackManFixture.jobToken) == .created)

            func uses(_ token: String) async throws -> [UsageRecord] {
                try await client.execute(uri: "/v1/usage", method: .get, headers: bearer(token)) { try $0.decode([UsageRecord].self) }
            }
            #expect(try await uses(PackManFixture.adminToken).map(\.vo) == ["VO_A", "VO_A", "VO_B"])
            #expect(try await uses(Self.limitedAdminToken).map(\.jobID) == ["job-VO_A", "job-none"])
            // Notifications are the site's: a VO's admin may not send them (the site's admin gets
            // past authorization, to "nothing configured").
            try await client.execute(uri: "/v1/notifications/test", method: .post, headers: bearer(Self.limitedAdminToken)) {
                #expect($0.status == .forbidden && $0.text.contains("concerns every VO of the site"), "\($0.text)")
            }
            try await client.execute(uri: "/v1/notifications/test", method: .post, headers: bearer(PackManFixture.adminToken)) {
                #expect($0.status == .conflict, "\($0.text)")
            }
        }
    }

    @Test func theSameNameAndVersionInTwoVOsAreTwoPackagesInTwoAreas() async throws {
        let a = try PackManFixture("vo-a"), b = try PackManFixture("vo-b")
        defer { a.cleanUp(); b.cleanUp() }
        try a.publish()
        try b.publish([PackManFixture.standardPackages[0]])
        let daemon = try await PackMan.PackManDaemon.open(config: try Self.config(a, b))
        #expect(daemon.voNames == ["VO_A", "VO_B", "VO_X"])
        #expect(daemon.seeder.areas.map(\.layout.root) == daemon.sites.map(\.area.layout.root), "every VO's kept tarballs are seeded")
        try await PackManFixture.app(daemon).test(.router) { client in
            let (statusA, textA) = try await Self.install(client, #""VO_A@zlib::v1.3.1-1""#)
            let jobA = try JSONDecoder().decode(JobStatus.self, from: Data(textA.utf8))
            #expect(statusA == 200 && jobA.state == .succeeded && jobA.vo == "VO_A", "\(textA)")
            let (statusB, textB) = try await Self.install(client, #""VO_B@zlib::v1.3.1-1""#)
            let jobB = try JSONDecoder().decode(JobStatus.self, from: Data(textB.utf8))
            #expect(statusB == 200 && jobB.state == .succeeded && jobB.vo == "VO_B" && jobB.installed == ["zlib/v1.3.1-1"], "\(textB)")

            let installed = try await client.execute(uri: "/v1/installed", method: .get) { try $0.decode([InstalledInfo].self) }
            #expect(installed.map(\.id) == ["VO_A@zlib::v1.3.1-1", "VO_B@zlib::v1.3.1-1"], "\(installed)")
            #expect(installed.map(\.vo) == ["VO_A", "VO_B"])
            #expect(installed[0].path.hasPrefix(a.area + "/") && installed[1].path.hasPrefix(b.area + "/"), "\(installed.map(\.path))")
            let onlyB = try await client.execute(uri: "/v1/installed?vo=VO_B", method: .get) { try $0.decode([InstalledInfo].self) }
            #expect(onlyB.map(\.path) == [installed[1].path])

            // ROOT is only A's: asked as B's it is unknown there (never taken from A's repository).
            try await client.execute(uri: "/v1/packages?package=VO_B@ROOT::v6-32-06-1", method: .get) { response in
                #expect(response.status == .notFound && response.text.contains("ROOT"), "\(response.text)")
            }
            let (_, rootAsB) = try await Self.install(client, #""VO_B@ROOT::v6-32-06-1""#)
            let failed = try JSONDecoder().decode(JobStatus.self, from: Data(rootAsB.utf8))
            #expect(failed.state == .failed && failed.vo == "VO_B" && (failed.error ?? "").contains("ROOT"), "\(rootAsB)")
            #expect(!FileManager.default.fileExists(atPath: "\(b.area)/\(PackManFixture.arch)/ROOT"))
            // An id without a prefix is the default VO's.
            let defined = try await client.execute(uri: "/v1/packages?package=ROOT::latest", method: .get) { try $0.decode([PackageInfo].self) }
            #expect(defined.map(\.id) == ["VO_A@ROOT::v6-32-06-1"])
            let listedB = try await client.execute(uri: "/v1/packages?vo=VO_B", method: .get) { try $0.decode([PackageInfo].self) }
            #expect(listedB.map(\.id) == ["VO_B@zlib::v1.3.1-1"] && listedB.allSatisfy(\.installed))

            // A's signed bytes under B's root: nothing is trusted, nothing installed.
            let (_, crossed) = try await Self.install(client, #""VO_X@zlib::v1.3.1-1""#)
            let refused = try JSONDecoder().decode(JobStatus.self, from: Data(crossed.utf8))
            #expect(refused.state == .failed && refused.vo == "VO_X", "\(crossed)")
            #expect(try await client.execute(uri: "/v1/installed?vo=VO_X", method: .get) { try $0.decode([InstalledInfo].self) }.isEmpty)

            // Unknown VO, two VOs in one request.
            try await client.execute(uri: "/v1/install", method: .post, headers: bearer(PackManFixture.jobToken), body: json(#"{"packages":["VO_C@zlib"]}"#)) {
                #expect($0.status == .notFound && $0.text.contains("VO_C is not a VO of this site (known: VO_A, VO_B, VO_X)"), "\($0.text)")
            }
            try await client.execute(
                uri: "/v1/install", method: .post, headers: bearer(PackManFixture.jobToken), body: json(#"{"packages":["VO_A@zlib","VO_B@zlib"]}"#)
            ) {
                #expect($0.status == .badRequest && $0.text.contains("packages of VO_A and VO_B in one request"), "\($0.text)")
            }
            try await client.execute(uri: "/v1/installed?vo=VO_C", method: .get) { #expect($0.status == .notFound) }

            // A token limited to VO_A: 403 on B's packages (audited with the VO), fine on A's.
            let (limitedB, limitedText) = try await Self.install(client, #""VO_B@zlib""#, token: Self.limitedToken)
            #expect(limitedB == 403 && limitedText.contains("token onlyA is limited to VO_A"), "\(limitedText)")
            let (limitedA, _) = try await Self.install(client, #""zlib""#, token: Self.limitedToken)
            #expect(limitedA == 200)
            try await client.execute(uri: "/v1/installed/VO_B@zlib", method: .delete, headers: bearer(Self.limitedToken)) {
                #expect($0.status == .forbidden)
            }

            let auditB = try await client.execute(uri: "/v1/audit?vo=VO_B", method: .get) { try $0.decode([AuditEntry].self) }
            #expect(auditB.allSatisfy { $0.vo == "VO_B" } && auditB.contains { $0.action == "install" && $0.result == "succeeded" && $0.job == jobB.id })
            #expect(auditB.contains { $0.identity == "onlyA" && $0.result == "denied: token limited to VO_A" }, "\(auditB)")
            let jobsB = try await client.execute(uri: "/v1/jobs?vo=VO_B", method: .get) { try $0.decode([JobStatus].self) }
            #expect(Set(jobsB.map(\.id)) == [jobB.id, failed.id] && jobsB.allSatisfy { $0.vo == "VO_B" }, "\(jobsB)")
            let job = try await client.execute(uri: "/v1/jobs/\(jobB.id)", method: .get) { try $0.decode(JobStatus.self) }
            #expect(job.vo == "VO_B" && job.state == .succeeded)

            let health = try await client.execute(uri: "/v1/health", method: .get) { try $0.decode(Health.self) }
            #expect(health.vo == "VO_A" && health.vos == ["VO_A", "VO_B", "VO_X"])
            let metrics = try await client.execute(uri: "/metrics", method: .get) { $0.text }
            #expect(metrics.contains(#"packmand_vo_installed_count{vo="VO_B"} 1"#), "\(metrics)")
            let page = try await client.execute(uri: "/", method: .get) { $0.text }
            #expect(page.contains("<h2>VOs (3)</h2>") && page.contains("VO_A (default)") && page.contains(b.area))

            // Removing B's zlib leaves A's.
            try await client.execute(uri: "/v1/installed/VO_B@zlib", method: .delete, headers: bearer(PackManFixture.adminToken)) {
                #expect($0.status == .ok, "\($0.text)")
            }
            let left = try await client.execute(uri: "/v1/installed", method: .get) { try $0.decode([InstalledInfo].self) }
            #expect(left.map(\.id) == ["VO_A@zlib::v1.3.1-1"])
        }
    }
}
