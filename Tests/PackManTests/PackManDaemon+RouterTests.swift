import AlienModel
import Forensics
import Foundation
import Hummingbird
import HummingbirdTesting
import PackMan
import PackManAPI
@testable import SoftwareArea
import TestSupport
import Testing

/// Every endpoint through HummingbirdTesting's router mode (no sockets), errors included.
@Suite struct PackManRouterTests {
    @Test func installJoinsIdenticalRequestsAndReportsTheJob() async throws {
        let fixture = try PackManFixture("install")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let daemon = try await fixture.daemon()
        // Another installer holds ROOT's lock, so the job cannot finish before all ten requests
        // are in, however loaded the machine (a request after the job finished is a job of its own).
        let held = try FileLock.acquire(daemon.area.layout.lock(try PackageBuild(parsing: "ROOT/v6-32-06-1")))
        defer { held.unlock() }
        try await PackManFixture.app(daemon).test(.router) { client in
            // Ten identical requests at once: one job.
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await client.execute(
                            uri: "/v1/install", method: .post, headers: bearer(PackManFixture.jobToken),
                            body: json(#"{"packages":["ROOT"]}"#)
                        ) { response in
                            #expect(response.status == .accepted, "\(response.text)")
                            return try response.decode(JobStatus.self).id
                        }
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            let id = try #require(ids.first)
            #expect(await daemon.engine.job(id)?.state.isFinished == false, "the job waits for ROOT's lock")
            held.unlock()
            let done = try await client.execute(
                uri: "/v1/install?wait=3600", method: .post, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"packages":["ROOT"],"lease":{"holder":"job-1","ttl":600}}"#)
            ) { response in
                try response.decode(JobStatus.self)
            }
            #expect(done.state == .succeeded, "\(done)")
            let job = try await client.execute(uri: "/v1/jobs/\(id)", method: .get) { try $0.decode(JobStatus.self) }
            #expect(job.state == .succeeded && job.progress == 1 && job.installed.sorted() == ["ROOT/v6-32-06-1", "zlib/v1.3.1-1"], "\(job)")
            #expect(job.identity == "agent")
            try await client.execute(uri: "/v1/jobs/nope", method: .get) { #expect($0.status == .notFound) }

            let installed = try await client.execute(uri: "/v1/installed", method: .get) { try $0.decode([InstalledInfo].self) }
            #expect(installed.map(\.module) == ["ROOT/v6-32-06-1", "zlib/v1.3.1-1"])
            #expect(installed.first?.leasedBy == ["job-1"], "the later request joined or re-ran with its lease: \(installed)")

            let log = try await client.execute(uri: "/v1/packages/ROOT/log", method: .get) { try $0.decode(PackageLog.self) }
            #expect(log.lines.contains { $0.text.contains("installed in") && $0.job == id }, "\(log)")
            let audit = try await client.execute(uri: "/v1/audit", method: .get) { try $0.decode([AuditEntry].self) }
            #expect(audit.contains { $0.action == "install" && $0.result == "accepted" && $0.job == id && $0.identity == "agent" })
            #expect(audit.contains { $0.action == "install" && $0.result == "joined" })
            #expect(audit.contains { $0.action == "install" && $0.result == "succeeded" && $0.job == id })
        }
    }

    @Test func readEndpoints() async throws {
        let fixture = try PackManFixture("reads")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let daemon = try await fixture.daemon()
        try await PackManFixture.app(daemon).test(.router) { client in
            let defined = try await client.execute(uri: "/v1/packages", method: .get) { try $0.decode([PackageInfo].self) }
            #expect(defined.map(\.id) == ["VO_ALICE@ROOT::v6-32-06-1", "VO_ALICE@zlib::v1.3.1-1"] && defined.allSatisfy { !$0.installed })
            let one = try await client.execute(uri: "/v1/packages?name=zlib", method: .get) { try $0.decode([PackageInfo].self) }
            #expect(one.map(\.name) == ["zlib"])
            let latest = try await client.execute(uri: "/v1/packages?package=ROOT::latest", method: .get) { try $0.decode([PackageInfo].self) }
            #expect(latest.map(\.id) == ["VO_ALICE@ROOT::v6-32-06-1"])
            let otherArch = try await client.execute(uri: "/v1/packages?arch=el7_x86-64", method: .get) { try $0.decode([PackageInfo].self) }
            #expect(otherArch.isEmpty)
            try await client.execute(uri: "/v1/packages?package=Nope::latest", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/packages?package=@@", method: .get) { #expect($0.status == .badRequest) }

            let dependencies = try await client.execute(uri: "/v1/packages/VO_ALICE@ROOT::latest/dependencies", method: .get) {
                try $0.decode(DependencyList.self)
            }
            #expect(dependencies == DependencyList(package: "ROOT/v6-32-06-1", dependencies: ["zlib/v1.3.1-1"]))
            try await client.execute(uri: "/v1/packages/Nope/dependencies", method: .get) { #expect($0.status == .notFound) }

            let health = try await client.execute(uri: "/v1/health", method: .get) { try $0.decode(Health.self) }
            #expect(health.status == "ok" && health.installed == 0 && health.arch == PackManFixture.arch)
            let metrics = try await client.execute(uri: "/metrics", method: .get) { $0.text }
            #expect(metrics.contains("packmand_jobs_queued_count") && metrics.contains("packmand_disk_used_bytes"), "\(metrics)")
            let page = try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                return response.text
            }
            #expect(page.contains("<h2>Disk</h2>") && page.contains("trusted metadata expires in"), "\(page)")
            #expect(page.contains("<meta http-equiv=\"refresh\" content=\"60\">") && page.contains("<h2>Last 24 hours</h2>"))
            #expect(page.components(separatedBy: "<svg ").count == 4, "three charts")
            #expect(try await client.execute(uri: "/v1/jobs", method: .get) { try $0.decode([JobStatus].self) }.isEmpty)
            #expect(try await client.execute(uri: "/v1/leases", method: .get) { try $0.decode([LeaseInfo].self) }.isEmpty)
            try await client.execute(uri: "/v1/nothing", method: .get) { response in
                #expect(response.status == .notFound)
                let answer = try response.decode(ErrorBody.self)
                #expect(answer.error.contains("no such endpoint"))
            }
        }
    }

    @Test func environmentTestRemoveAndLeases() async throws {
        let fixture = try PackManFixture("env")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let daemon = try await fixture.daemon()
        try await PackManFixture.app(daemon).test(.router) { client in
            let job = try await client.execute(
                uri: "/v1/install?wait=3600", method: .post, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"packages":["VO_ALICE@ROOT::v6-32-06-1"]}"#)
            ) { try $0.decode(JobStatus.self) }
            #expect(job.state == .succeeded, "\(job)")
            let sh = try await client.execute(uri: "/v1/env?packages=ROOT&shell=sh", method: .get) { $0.text }
            #expect(sh.contains("export ROOTSYS=") || sh.contains("export PATH="), "\(sh)")
            let csh = try await client.execute(uri: "/v1/env?packages=ROOT&shell=csh", method: .get) { $0.text }
            #expect(csh.contains("setenv PATH "), "\(csh)")
            let asJSON = try await client.execute(uri: "/v1/env?packages=ROOT&shell=json", method: .get) { $0.text }
            #expect(asJSON.contains("\"PATH\""))
            // Each hand-out is a use (the cached one too): a record in packmand's database, ROOT and zlib stamped.
            _ = try await client.execute(uri: "/v1/env?packages=ROOT&shell=sh", method: .get) { $0.text }
            let uses = try daemon.store.usages(matching: UsageQuery())
            #expect(uses.count == 4 && uses.allSatisfy { $0.kind == .environment && $0.packages.contains { $0.id.hasPrefix("VO_ALICE@zlib::") } }, "\(uses)")
            for name in ["ROOT/v6-32-06-1", "zlib/v1.3.1-1"] {
                #expect(FileManager.default.fileExists(atPath: "\(daemon.area.layout.used)/\(daemon.area.layout.arch)/\(name)"), "\(name)")
            }
            try await client.execute(uri: "/v1/env?packages=ROOT&shell=cmd", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/v1/env", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/v1/env?packages=Missing", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/env?packages=bad%20name!", method: .get) { #expect($0.status == .badRequest) }

            let tested = try await client.execute(uri: "/v1/packages/ROOT/test", method: .post, headers: bearer(PackManFixture.jobToken)) {
                try $0.decode(TestResult.self)
            }
            #expect(tested.ok && tested.checks.contains("bin/root-hello: script for /bin/sh"), "\(tested)")
            try await client.execute(uri: "/v1/packages/xz/test", method: .post, headers: bearer(PackManFixture.jobToken)) {
                #expect($0.status == .notFound)
            }

            // A lease protects from removal; zlib is needed by ROOT.
            let lease = try await client.execute(
                uri: "/v1/leases", method: .post, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"holder":"job-9","packages":["ROOT"],"ttl":600}"#)
            ) { try $0.decode(LeaseInfo.self) }
            #expect(lease.packages == ["ROOT/v6-32-06-1"])
            try await client.execute(uri: "/v1/installed/ROOT", method: .delete, headers: bearer(PackManFixture.adminToken)) { response in
                #expect(response.status == .conflict && response.text.contains("leased by job-9"), "\(response.text)")
                // HTTP has no command-line flags: the refusal names none.
                #expect(!response.text.contains("--force"), "\(response.text)")
            }
            try await client.execute(uri: "/v1/installed/zlib", method: .delete, headers: bearer(PackManFixture.adminToken)) {
                #expect($0.status == .conflict && $0.text.contains("needed by installed ROOT/v6-32-06-1; not removed"), "\($0.text)")
                #expect(!$0.text.contains("--"), "\($0.text)")
            }
            try await client.execute(
                uri: "/v1/leases", method: .delete, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"holder":"job-9"}"#)
            ) { response in
                let left = try response.decode([LeaseInfo].self)
                #expect(left.isEmpty)
            }
            let removed = try await client.execute(uri: "/v1/installed/ROOT%2Fv6-32-06-1", method: .delete, headers: bearer(PackManFixture.adminToken)) {
                try $0.decode(RemoveResult.self)
            }
            #expect(removed.removed == "ROOT/v6-32-06-1")
            try await client.execute(uri: "/v1/installed/ROOT", method: .delete, headers: bearer(PackManFixture.adminToken)) {
                #expect($0.status == .notFound)
            }
            try await client.execute(
                uri: "/v1/leases", method: .post, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"holder":"job-9","packages":["ROOT"],"ttl":600}"#)
            ) { #expect($0.status == .notFound) }
            try await client.execute(
                uri: "/v1/leases", method: .post, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"holder":"job-9","packages":["zlib"]}"#)
            ) { #expect($0.status == .badRequest) }
        }
    }

    @Test func synchronizeInstallsDefinedAndRemovesUndefined() async throws {
        let fixture = try PackManFixture("sync")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let daemon = try await fixture.daemon()
        try await PackManFixture.app(daemon).test(.router) { client in
            let job = try await client.execute(uri: "/v1/synchronize?wait=3600", method: .post, headers: bearer(PackManFixture.adminToken)) {
                try $0.decode(JobStatus.self)
            }
            #expect(job.state == .succeeded && job.installed.sorted() == ["ROOT/v6-32-06-1", "zlib/v1.3.1-1"], "\(job)")
            let again = try await client.execute(
                uri: "/v1/synchronize?wait=3600", method: .post, headers: bearer(PackManFixture.adminToken),
                body: json(#"{"packages":["zlib"],"remove_undefined":false}"#)
            ) { try $0.decode(JobStatus.self) }
            #expect(again.state == .succeeded && again.installed.isEmpty && again.removed.isEmpty, "\(again)")
            // A release: one top-level package whose closure the site must have.
            let release = try await client.execute(
                uri: "/v1/synchronize?wait=3600", method: .post, headers: bearer(PackManFixture.adminToken),
                body: json(#"{"release":"VO_ALICE@ROOT::v6-32-06-1","remove_undefined":false}"#)
            ) {
                try $0.decode(JobStatus.self)
            }
            #expect(release.state == .succeeded && release.packages == ["VO_ALICE@ROOT::v6-32-06-1"], "\(release)")
            try await client.execute(
                uri: "/v1/synchronize", method: .post, headers: bearer(PackManFixture.adminToken),
                body: json(#"{"release":"ROOT","packages":["zlib"]}"#)
            ) { #expect($0.status == .badRequest) }
        }
    }

    @Test func mutationsNeedTheRightCredential() async throws {
        let fixture = try PackManFixture("auth")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let daemon = try await fixture.daemon()
        try await PackManFixture.app(daemon).test(.router) { client in
            let mutations: [(String, HTTPRequest.Method, String?, Role)] = [
                ("/v1/install", .post, #"{"packages":["zlib"]}"#, .job),
                ("/v1/packages/zlib/test", .post, nil, .job),
                ("/v1/leases", .post, #"{"holder":"h","packages":["zlib"],"ttl":60}"#, .job),
                ("/v1/leases", .delete, #"{"holder":"h"}"#, .job),
                ("/v1/installed/zlib", .delete, nil, .admin),
                ("/v1/synchronize", .post, nil, .admin),
                ("/v1/notifications/test", .post, nil, .admin)
            ]
            for (uri, method, body, role) in mutations {
                try await client.execute(uri: uri, method: method, headers: [.contentType: "application/json"], body: body.map(json)) {
                    #expect($0.status == .unauthorized, "\(method) \(uri) without a token: \($0.status)")
                }
                try await client.execute(uri: uri, method: method, headers: bearer("wrong"), body: body.map(json)) {
                    #expect($0.status == .unauthorized, "\(method) \(uri) with a wrong token: \($0.status)")
                }
                if role == .admin {
                    try await client.execute(uri: uri, method: method, headers: bearer(PackManFixture.jobToken), body: body.map(json)) {
                        #expect($0.status == .forbidden, "\(method) \(uri) with a job token: \($0.status)")
                    }
                }
            }
            #expect(try await client.execute(uri: "/v1/installed", method: .get) { try $0.decode([InstalledInfo].self) }.isEmpty)
            #expect(try await client.execute(uri: "/v1/jobs", method: .get) { try $0.decode([JobStatus].self) }.isEmpty)
            let audit = try await client.execute(uri: "/v1/audit?limit=1000", method: .get) { try $0.decode([AuditEntry].self) }
            #expect(audit.filter { $0.result.hasPrefix("denied") }.count == 17, "\(audit)")
            #expect(audit.allSatisfy { $0.result.hasPrefix("denied") })
        }
    }

    /// `POST /v1/notifications/test`: a digest through a real webhook receiver (a Python HTTP
    /// server recording each POST) and a sendmail stand-in; a sink that fails is named; no sink: 409.
    @Test func notificationsTestReachesEverySink() async throws {
        let fixture = try PackManFixture("notify")
        defer { fixture.cleanUp() }
        let mails = fixture.base.appendingPathComponent("mails")
        let receiver = try WebhookReceiver(in: fixture.base)
        defer { receiver.stop() }
        let sendmail = fixture.base.appendingPathComponent("sendmail")
        try "#!/bin/sh\ncat >> '\(mails.path)'\n".write(to: sendmail, atomically: true, encoding: .utf8)
        chmod(sendmail.path, 0o755)

        var config = fixture.config()
        config.notifications.webhook = receiver.url
        config.notifications.mail = "admin@example.org"
        config.notifications.sendmail = sendmail.path
        try await PackManFixture.app(try await fixture.daemon(config)).test(.router) { client in
            let result = try await client.execute(uri: "/v1/notifications/test", method: .post, headers: bearer(PackManFixture.adminToken)) {
                #expect($0.status == .ok)
                return try $0.decode(NotificationTest.self)
            }
            #expect(result.sinks == ["webhook \(receiver.url)", "mail admin@example.org"] && result.failures.isEmpty, "\(result)")
            let hook = try String(contentsOf: receiver.file, encoding: .utf8)
            #expect(hook.contains(#""key":"test""#) && hook.contains("asked for by admin"), "\(hook)")
            let mail = try String(contentsOf: mails, encoding: .utf8)
            #expect(mail.contains("To: admin@example.org") && mail.contains("- a test of packmand's notifications, asked for by admin"), "\(mail)")
            let audit = try await client.execute(uri: "/v1/audit", method: .get) { try $0.decode([AuditEntry].self) }
            #expect(audit.contains { $0.action == "notifications.test" && $0.result == "delivered" && $0.identity == "admin" })
        }

        // A webhook nobody answers: the answer names it; the mail still goes out.
        config.notifications.webhook = "http://127.0.0.1:9/hook"
        try await PackManFixture.app(try await fixture.daemon(config)).test(.router) { client in
            let result = try await client.execute(uri: "/v1/notifications/test", method: .post, headers: bearer(PackManFixture.adminToken)) {
                try $0.decode(NotificationTest.self)
            }
            #expect(result.failures.count == 1 && result.failures[0].hasPrefix("webhook http://127.0.0.1:9/hook"), "\(result)")
        }

        // Nothing configured: 409 with what to set.
        try await PackManFixture.app(try await fixture.daemon()).test(.router) { client in
            try await client.execute(uri: "/v1/notifications/test", method: .post, headers: bearer(PackManFixture.adminToken)) {
                #expect($0.status == .conflict && $0.text.contains("notifications.webhook"), "\($0.text)")
            }
        }
    }

    @Test func badBodiesAre4xxWithAMessage() async throws {
        let fixture = try PackManFixture("bodies")
        defer { fixture.cleanUp() }
        var config = fixture.config()
        config.maxBody = 256
        let daemon = try await fixture.daemon(config)
        try await PackManFixture.app(daemon).test(.router) { client in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("{not json", .badRequest, "malformed JSON"),
                (#"{"packages":["zlib"],"force":true}"#, .badRequest, "unknown field 'force'"),
                (#"{"packages":["zlib"],"lease":{"holder":"h","ttl":5,"x":1}}"#, .badRequest, "unknown field 'lease.x'"),
                (#"{"packages":"zlib"}"#, .badRequest, "field 'packages'"),
                (#"{}"#, .badRequest, "missing field 'packages'"),
                (#"[1,2]"#, .badRequest, "expected a JSON object"),
                (#"{"packages":[]}"#, .badRequest, "no package given"),
                (#"{"packages":["bad name!"]}"#, .badRequest, "bad name!"),
                (#"{"packages":["zlib"],"lease":{"holder":"../x","ttl":5}}"#, .badRequest, "lease.holder"),
                ("{\"packages\":[\"" + String(repeating: "a", count: 400) + "\"]}", .contentTooLarge, "larger than 256 bytes"),
                ("", .badRequest, "expected a JSON body")
            ]
            for (body, status, message) in cases {
                try await client.execute(uri: "/v1/install", method: .post, headers: bearer(PackManFixture.jobToken), body: json(body)) { response in
                    #expect(response.status == status, "\(body): \(response.status) \(response.text)")
                    let answer = try response.decode(ErrorBody.self)
                    #expect(answer.error.contains(message), "\(body): \(response.text)")
                }
            }
            try await client.execute(
                uri: "/v1/install?wait=soon", method: .post, headers: bearer(PackManFixture.jobToken),
                body: json(#"{"packages":["zlib"]}"#)
            ) { #expect($0.status == .badRequest) }
        }
    }

    /// `ttl: 1e20` names the field and the range; `audit?limit=` out of 1…10000 is refused; the
    /// `Bearer` scheme is matched without regard to case.
    @Test func numbersLimitsAndTheBearerScheme() async throws {
        let fixture = try PackManFixture("api-fixes")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let daemon = try await fixture.daemon()
        try await PackManFixture.app(daemon).test(.router) { client in
            for (body, message) in [
                (#"{"holder":"h","packages":["zlib"],"ttl":1e20}"#, "field 'ttl': 1e+20 is out of range"),
                (#"{"holder":"h","packages":["zlib"],"ttl":99999999999999999999}"#, "is out of range"),
                (#"{"holder":"h","packages":["zlib"],"ttl":1.5}"#, "field 'ttl': expected a whole number")
            ] {
                try await client.execute(uri: "/v1/leases", method: .post, headers: bearer(PackManFixture.jobToken), body: json(body)) { response in
                    #expect(response.status == .badRequest)
                    let error = try response.decode(ErrorBody.self).error
                    #expect(error.contains(message), "\(body): \(error)")
                    #expect(!error.contains("not valid JSON"))
                }
            }
            for limit in ["-1", "0", "10001", "ten"] {
                try await client.execute(uri: "/v1/audit?limit=\(limit)", method: .get) { response in
                    #expect(response.status == .badRequest, "limit=\(limit): \(response.status)")
                    #expect(response.text.contains("limit"))
                }
            }
            try await client.execute(uri: "/v1/audit?limit=10000", method: .get) { #expect($0.status == .ok) }
            for scheme in ["bearer", "BEARER", "Bearer", "bEaReR"] {
                let headers: HTTPFields = [.authorization: "\(scheme)   \(PackManFixture.jobToken) ", .contentType: "application/json"]
                try await client.execute(uri: "/v1/leases", method: .delete, headers: headers, body: json(#"{"holder":"h"}"#)) { response in
                    #expect(response.status == .ok, "\(scheme): \(response.status) \(response.text)")
                }
            }
            for header in ["Basic \(PackManFixture.jobToken)", "Bearer", "Bearer ", PackManFixture.jobToken, "Bearer\(PackManFixture.jobToken)"] {
                let headers: HTTPFields = [.authorization: header, .contentType: "application/json"]
                try await client.execute(uri: "/v1/leases", method: .delete, headers: headers, body: json(#"{"holder":"h"}"#)) { response in
                    #expect(response.status == .unauthorized, "\(header): \(response.status)")
                }
            }
        }
    }
}
