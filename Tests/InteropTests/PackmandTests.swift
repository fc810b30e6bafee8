import Foundation
import PackManAPI
import Testing
import TestSupport

/// A real packmand on 127.0.0.1 and a unix socket, installing from a repository published by
/// the CLI and served by nginx: 200 concurrent clients, kill -9 and restart, SIGTERM during
/// installs, credentials on every mutating endpoint, leases against gc and synchronize.
@Suite(.serialized) struct PackmandTests {
    static let arch = AreaCLITests.arch

    /// nginx that sends at most `rate` per connection (slow installs to interrupt).
    static func slowServer(_ rate: String) -> String {
        """
        server {
            listen @LISTEN@;
            root @ROOT@;
            location / { limit_rate \(rate); }
        }
        """
    }

    static func start(_ site: AreaCLITests.Site, extra: String = "", area: String = "area") throws -> PackmandProcess {
        try PackmandProcess(directory: site.base, area: site.area(area), arch: arch, repository: site.repoURL, rootFile: site.rootFile, extra: extra)
    }

    @Test func twoHundredConcurrentClientsDownloadEachPackageOnce() throws {
        let site = try AreaCLITests.site("packmand-200")
        defer { site.stop() }
        let daemon = try Self.start(site, extra: "parallel_jobs: 4\n")
        defer { daemon.stop() }
        let patterns = [["AliPhysics"], ["ROOT"], ["Python"], ["zlib", "xz"], ["AliPhysics::latest"], ["ROOT", "Python"], ["xz"], ["VO_ALICE@zlib::v1.3.1-1"]]
        let results = Results()
        let group = DispatchGroup()
        for index in 0..<200 {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    let client = try daemon.client(unix: index % 2 == 0)
                    let job = try client.install(patterns[index % patterns.count], wait: 170)
                    results.add(job.state == .succeeded ? nil : "\(index): \(job)")
                } catch {
                    results.add("\(index): \(error)")
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        #expect(group.wait(timeout: .now() + 240) == .success, "clients did not finish")
        #expect(results.failures.isEmpty, "\(results.failures.prefix(5))")
        #expect(results.count == 200)
        let downloads = site.tarballDownloads
        #expect(downloads.count == 5 && downloads.values.allSatisfy { $0 == 1 }, "\(downloads)")
        let installed = try daemon.client().listInstalled()
        #expect(installed.count == 5)
        let verify = try AreaCLITests.cli(["verify", "--area", site.area()])
        #expect(verify.status == 0, "\(verify.text) \(verify.stderr)")
    }

    /// A job stuck behind another process's package lock: health says "degraded" and why,
    /// while the daemon keeps answering; once the lock is free the job completes and health is ok.
    @Test func aJobWaitingOnALockMakesHealthDegraded() throws {
        let site = try AreaCLITests.site("packmand-lock-wait")
        defer { site.stop() }
        let daemon = try Self.start(site, extra: "lock_wait_warning: 1\n")
        defer { daemon.stop() }
        let lock = "\(site.area())/.alien/locks/\(Self.arch)/zlib/v1.3.1-1.lock"
        try FileManager.default.createDirectory(atPath: (lock as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let holder = try BackgroundProcess(
            "/usr/bin/python3",
            [
                "-c",
                """
                import fcntl, os, sys, time
                f = open(sys.argv[1], "w"); fcntl.flock(f, fcntl.LOCK_EX); f.write("%d\\n" % os.getpid()); f.flush()
                print("held", flush=True); time.sleep(600)
                """, lock
            ], output: site.base.appendingPathComponent("holder.log"))
        defer { holder.kill() }
        #expect(holder.wait(for: "held"))
        let job = try daemon.client().install(["zlib"])
        var health = try daemon.client().health()
        for _ in 0..<3000 where health.status != "degraded" {  // ≥ 300 s: a hang catcher
            usleep(100_000)
            health = try daemon.client().health()
        }
        #expect(health.status == "degraded", "\(health)")
        #expect(
            health.reasons.contains { $0.contains("job \(job.id) has waited") && $0.contains("for the lock of zlib/v1.3.1-1 held by pid \(holder.pid)") },
            "\(health.reasons)")
        holder.kill()
        let done = try daemon.client().install(["zlib"], wait: 600)
        #expect(done.state == .succeeded, "\(done)")
        #expect(try daemon.client().health().status == "ok")
    }

    @Test func killDashNineMidInstallThenRestartResumes() throws {
        let site = try AreaCLITests.site("packmand-kill", blobSize: 24 << 20, serverBlock: Self.slowServer("8m"))
        defer { site.stop() }
        var daemon = try Self.start(site)
        let started = try daemon.client().install(["AliPhysics"])
        // Wait until bytes of a big tarball arrive, then kill -9 (the rate-limited server keeps
        // the job running for several seconds a tarball; the deadline is a hang catcher).
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            let job = try daemon.client().job(started.id)
            if job.state == .running, job.bytes > 1 << 20 { break }
            #expect(!job.state.isFinished, "finished before the kill: \(job)")
            usleep(50_000)
        }
        #expect(daemon.stop(signal: SIGKILL) == 128 + SIGKILL)
        daemon = try Self.start(site)
        defer { daemon.stop() }
        #expect(daemon.log.contains("resumed 1 interrupted job(s): \(started.id)"), "\(daemon.log)")
        let finished = try daemon.client().install(["AliPhysics"], wait: 170)
        // The restarted job kept its id; a new identical request joins it.
        #expect(finished.id == started.id && finished.state == .succeeded, "\(finished)")
        let verify = try AreaCLITests.cli(["verify", "--area", site.area()])
        #expect(verify.status == 0, "\(verify.text) \(verify.stderr)")
        let stage = (try? FileManager.default.contentsOfDirectory(atPath: site.area() + "/.alien/stage")) ?? []
        #expect(stage.isEmpty, "\(stage)")
        let audit = try daemon.client().audit()
        let forJob = audit.filter { $0.job == started.id }.map { "\($0.action): \($0.result)" }
        #expect(forJob == ["install: accepted", "resume: interrupted by a stop; queued again", "install: joined", "install: succeeded"], "\(forJob)")
        #expect(audit.first { $0.job == started.id }?.identity == "agent")
    }

    @Test func sigtermDuringInstallsStopsCleanly() throws {
        let site = try AreaCLITests.site("packmand-term", blobSize: 16 << 20, serverBlock: Self.slowServer("8m"))
        defer { site.stop() }
        let daemon = try Self.start(site, extra: "shutdown_grace: 120\n")
        let started = try daemon.client().install(["ROOT"])
        // The install is running (its first bytes arrived) before the SIGTERM; a hang catcher bounds the wait.
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline, try daemon.client().job(started.id).bytes == 0 { usleep(50_000) }
        #expect(try daemon.client().job(started.id).bytes > 0, "the install never started")
        let status = daemon.stop(signal: SIGTERM)
        #expect(status == 0, "\(daemon.log)")
        #expect(daemon.log.contains("stopped"))
        // The running install reached its end; the area is consistent.
        let verify = try AreaCLITests.cli(["verify", "--area", site.area()])
        #expect(verify.status == 0, "\(verify.text) \(verify.stderr)")
        let listed = try AreaCLITests.cli(["list", "--installed", "--area", site.area()])
        #expect(listed.text.contains("ROOT::v6-32-06-1"), "\(listed.text)")
        #expect(!FileManager.default.fileExists(atPath: daemon.socket) || (try? daemon.client().health()) == nil)
    }

    @Test func everyMutationNeedsACredentialAndChangesNothingWithout() throws {
        let site = try AreaCLITests.site("packmand-auth")
        defer { site.stop() }
        let daemon = try Self.start(site)
        defer { daemon.stop() }
        for unix in [true, false] {
            for token: String? in [nil, "wrong"] {
                let client = try daemon.client(token, unix: unix)
                let calls: [() throws -> Void] = [
                    { _ = try client.install(["zlib"]) },
                    { _ = try client.test("zlib") },
                    { _ = try client.acquireLease(LeaseRequest(holder: "h", packages: ["zlib"], ttl: 60)) },
                    { _ = try client.releaseLease(LeaseRequest(holder: "h")) },
                    { _ = try client.remove("zlib") },
                    { _ = try client.synchronize(SynchronizeRequest()) }
                ]
                for (index, call) in calls.enumerated() {
                    #expect(Self.refusal(call)?.status == 401, "call \(index), token \(token ?? "none"), unix: \(unix)")
                }
            }
        }
        let jobClient = try daemon.client(PackmandProcess.jobToken, unix: true)
        let removal = Self.refusal { _ = try jobClient.remove("zlib") }
        #expect(removal?.status == 403 && removal?.message.contains("needs admin") == true, "\(String(describing: removal))")
        #expect(Self.refusal { _ = try jobClient.synchronize(SynchronizeRequest()) }?.status == 403)
        #expect(try daemon.client().listInstalled().isEmpty)
        #expect(site.tarballDownloads.isEmpty)
        let audit = try daemon.client().audit(limit: 1000)
        #expect(audit.count >= 26 && audit.allSatisfy { $0.result.hasPrefix("denied") }, "\(audit)")
        // On the unix socket the kernel's peer credentials name the caller.
        #expect(audit.contains { $0.identity == "uid=\(getuid())" && $0.result == "denied: no credential" }, "\(audit.map(\.identity))")
        #expect(audit.contains { $0.identity == "agent uid=\(getuid())" && $0.action == "remove" })
        #expect(audit.contains { $0.identity == "anonymous" })
    }

    @Test func packManVerbsThroughTheCLI() throws {
        let site = try AreaCLITests.site("packmand-cli")
        defer { site.stop() }
        let daemon = try Self.start(site)
        defer { daemon.stop() }
        let tokens = site.base.appendingPathComponent("cli-tokens")
        try "\(PackmandProcess.jobToken)\n".write(to: tokens.appendingPathExtension("job"), atomically: true, encoding: .utf8)
        try "\(PackmandProcess.adminToken)\n".write(to: tokens.appendingPathExtension("admin"), atomically: true, encoding: .utf8)
        func packman(_ arguments: [String], token: String? = "job", tcp: Bool = false) throws -> Interop.Result {
            var words = ["packman"] + arguments + ["--packman", tcp ? daemon.tcp : "unix:" + daemon.socket]
            if let token { words += ["--token-file", tokens.appendingPathExtension(token).path] }
            return try AreaCLITests.cli(words)
        }
        let list = try packman(["list"], token: nil)
        #expect(list.status == 0 && list.text.contains("VO_ALICE@AliPhysics::v5-09-45a-01-1"), "\(list.stderr)")
        let refused = try packman(["install", "ROOT"], token: nil)
        #expect(refused.status == 1 && refused.stderr.contains("HTTP 401"), "\(refused.stderr)")
        let install = try packman(["install", "ROOT", "--holder", "job-1", "--ttl", "600"], tcp: true)
        #expect(install.status == 0 && install.text.contains("succeeded; installed"), "\(install.text) \(install.stderr)")
        let installed = try packman(["listInstalled"], token: nil)
        #expect(installed.text.contains("VO_ALICE@ROOT::v6-32-06-1  leased by job-1"), "\(installed.text)")
        let log = try packman(["installLog", "ROOT"], token: nil)
        #expect(log.status == 0 && log.text.contains("ROOT/v6-32-06-1: installed in"), "\(log.text)")
        let dependencies = try packman(["dependencies", "ROOT"], token: nil)
        #expect(dependencies.text == "xz/v5.4.6-1\nzlib/v1.3.1-1\n" || dependencies.text == "zlib/v1.3.1-1\nxz/v5.4.6-1\n", "\(dependencies.text)")
        let test = try packman(["test", "ROOT"])
        #expect(test.status == 0 && test.text.contains("ok: bin/root-hello: script for /bin/sh"), "\(test.text) \(test.stderr)")
        let forbidden = try packman(["remove", "ROOT"])
        #expect(forbidden.status == 1 && forbidden.stderr.contains("HTTP 403"))
        let leased = try packman(["remove", "ROOT"], token: "admin")
        #expect(leased.status == 1 && leased.stderr.contains("leased by job-1"), "\(leased.stderr)")
        let synchronized = try packman(["synchronize", "zlib", "--json"], token: "admin")
        #expect(synchronized.status == 0 && synchronized.text.contains("\"state\" : \"succeeded\""), "\(synchronized.text)")
        // `alien-install install --area` finds the daemon through <area>/.alien/packmand.json.
        let through = try AreaCLITests.cli(["install", "xz", "--area", site.area(), "--token-file", tokens.appendingPathExtension("job").path])
        #expect(through.status == 0 && through.text.hasPrefix("through packmand (unix:\(daemon.socket)): job "), "\(through.text) \(through.stderr)")
        let audit = try packman(["audit"], token: nil)
        #expect(audit.text.contains("agent uid=\(getuid()) test ROOT/v6-32-06-1: ok"), "\(audit.text)")
        #expect(audit.text.contains("anonymous") == false && audit.text.contains("uid=\(getuid()) install ROOT: denied: no credential"))
    }

    /// The status page as a browser shows it: headless chromium renders GET / to a PNG (written to
    /// docs/packmand-status.png when ALIEN_UPDATE_SCREENSHOTS=1, so the README's picture stays true).
    @Test func statusPageScreenshotFromHeadlessChromium() throws {
        let chromium = "/usr/bin/chromium"
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            try #require(ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] != "1", "chromium missing: run make deps")
            print("skipped: chromium (Debian package chromium) is not installed")
            return
        }
        let site = try AreaCLITests.site("packmand-page")
        defer { site.stop() }
        let daemon = try Self.start(site, extra: "disk:\n  budget: 64M\n")
        defer { daemon.stop() }
        let agent = try daemon.client()
        #expect(try agent.install(["AliPhysics"], lease: LeaseSpec(holder: "job-4711", ttl: 3600), wait: 120).state == .succeeded)
        #expect(try agent.install(["NoSuchPackage"], wait: 60).state == .failed)
        let html = String(decoding: try agent.raw("GET", "/"), as: UTF8.self)
        #expect(html.contains("AliPhysics/v5-09-45a-01-1") && html.contains("job-4711") && html.contains("NoSuchPackage"), "\(html)")
        let png = site.base.appendingPathComponent("status.png")
        let shot = try Interop.run(
            URL(fileURLWithPath: chromium),
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(site.base.path)/chromium",
                "--window-size=1100,820", "--screenshot=\(png.path)", daemon.tcp + "/"
            ])
        #expect(shot.status == 0, "\(shot.stderr)")
        let bytes = try Data(contentsOf: png)
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 10_000, "\(bytes.count) bytes")
        // The charts are drawn, not only present in the HTML: the failed job's bar (#b00020) and
        // the succeeded one's (#33aa77) cover solid areas of the picture.
        #expect(html.contains("<h2>Last 24 hours</h2>") && html.contains("<title>failed: 1</title>"), "\(html)")
        let counter = site.base.appendingPathComponent("count_colors.py")
        try Self.pngColorCounter.write(to: counter, atomically: true, encoding: .utf8)
        let counted = try Interop.run(URL(fileURLWithPath: "/usr/bin/python3"), [counter.path, png.path, "b00020", "33aa77"])
        let counts = counted.text.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(counted.status == 0 && counts.count == 2 && counts[0] >= 300 && counts[1] >= 300, "\(counted.text) \(counted.stderr)")
        if ProcessInfo.processInfo.environment["ALIEN_UPDATE_SCREENSHOTS"] == "1" {
            let target = Interop.root.appendingPathComponent("docs/packmand-status.png")
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: png, to: target)
        }
    }

    /// Counts the pixels of each given colour (hex RGB) in a PNG (8-bit RGB or RGBA, as
    /// chromium writes): chunks, zlib, the five scanline filters.
    static let pngColorCounter = """
        import struct, sys, zlib
        data = open(sys.argv[1], "rb").read()
        pos, idat, width, height, kind = 8, b"", 0, 0, 0
        while pos < len(data):
            length, name = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            if name == b"IHDR":
                width, height, depth, kind = struct.unpack(">IIBB", body[:10])
                assert depth == 8 and kind in (2, 6), (depth, kind)
            elif name == b"IDAT":
                idat += body
            pos += 12 + length
        raw, size = zlib.decompress(idat), 4 if kind == 6 else 3
        stride, previous, rows, offset = width * size, bytearray(width * size), [], 0
        for _ in range(height):
            kind_of_filter, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
            offset += 1 + stride
            for i in range(stride):
                left = line[i - size] if i >= size else 0
                up, corner = previous[i], previous[i - size] if i >= size else 0
                if kind_of_filter == 1: line[i] = (line[i] + left) & 255
                elif kind_of_filter == 2: line[i] = (line[i] + up) & 255
                elif kind_of_filter == 3: line[i] = (line[i] + (left + up) // 2) & 255
                elif kind_of_filter == 4:
                    estimate = left + up - corner
                    a, b, c = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                    line[i] = (line[i] + (left if a <= b and a <= c else up if b <= c else corner)) & 255
            rows.append(bytes(line))
            previous = line
        wanted = [bytes.fromhex(color) for color in sys.argv[2:]]
        counts = [0] * len(wanted)
        for row in rows:
            for x in range(0, stride, size):
                pixel = row[x:x + 3]
                for index, color in enumerate(wanted):
                    if pixel == color:
                        counts[index] += 1
        print(" ".join(map(str, counts)))
        """

    /// `run --jdl` in an area a packmand serves: the daemon installs and leases for the job (the
    /// audit names the token), the lease goes when the command ends.
    @Test func runJDLGoesThroughTheDaemon() throws {
        let site = try AreaCLITests.site("packmand-jdl")
        defer { site.stop() }
        let daemon = try Self.start(site)
        defer { daemon.stop() }
        let token = site.base.appendingPathComponent("job-token")
        try "\(PackmandProcess.jobToken)\n".write(to: token, atomically: true, encoding: .utf8)
        let file = site.base.appendingPathComponent("job.jdl")
        try #"Packages = {"VO_ALICE@ROOT::latest"}; Executable = "root-hello";"#.write(to: file, atomically: true, encoding: .utf8)
        let area = site.area()
        let script = #"cat "$AREA/.alien/leases/$ALIEN_JOB_ID.json"; echo; root-hello"#
        let run = try Interop.run(
            CLITests.binary, ["run", "--jdl", file.path, "--job-id", "job-77", "--area", area, "--", "sh", "-c", script],
            environment: ["AREA": area, "ALIEN_PACKMAN_TOKEN_FILE": token.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.text.contains(#""holder":"job-77""#) && run.text.contains("ROOT at \(area)/\(Self.arch)/ROOT/v6-32-06-1"), "\(run.text)")
        #expect(!FileManager.default.fileExists(atPath: "\(area)/.alien/leases/job-77.json"))
        let audit = try daemon.client().audit().map { "\($0.identity) \($0.action) \($0.subject): \($0.result)" }
        #expect(audit.contains("agent uid=\(getuid()) install VO_ALICE@ROOT::latest: succeeded"), "\(audit)")
        #expect(audit.contains("agent uid=\(getuid()) release job-77: : released"), "\(audit)")
    }

    /// TLS on the TCP listener (certificates made with openssl), and client certificates checked
    /// against a CA directory: curl without a client certificate is refused at the handshake.
    @Test func tlsWithClientCertificatesFromACADirectory() throws {
        let site = try AreaCLITests.site("packmand-tls")
        defer { site.stop() }
        let pki = site.base.appendingPathComponent("pki")
        let cas = pki.appendingPathComponent("certificates")
        try FileManager.default.createDirectory(at: cas, withIntermediateDirectories: true)
        let script = """
            set -e
            cd "$1"
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out certificates/ca.pem -days 1 -subj /CN=test-grid-ca 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1\\n' > server.ext
            printf 'extendedKeyUsage=clientAuth\\n' > client.ext
            for who in server client; do
              openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $who.key -out $who.csr -subj /CN=$who 2>/dev/null
              openssl x509 -req -in $who.csr -CA certificates/ca.pem -CAkey ca.key -CAcreateserial -out $who.pem -days 1 -extfile $who.ext 2>/dev/null
            done
            """
        let made = try Interop.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script, "sh", pki.path])
        try #require(made.status == 0, "\(made.stderr)")
        let daemon = try PackmandProcess(
            directory: site.base, area: site.area(), arch: Self.arch, repository: site.repoURL, rootFile: site.rootFile,
            tls: "    certificate: \(pki.path)/server.pem\n    key: \(pki.path)/server.key\n    client_ca: \(cas.path)\n")
        defer { daemon.stop() }
        #expect(daemon.tcp.hasPrefix("https://127.0.0.1:"), "\(daemon.tcp)")
        let curl = URL(fileURLWithPath: "/usr/bin/curl")
        let withCertificate = try Interop.run(
            curl,
            [
                "-sS", "--cacert", "\(cas.path)/ca.pem", "--cert", "\(pki.path)/client.pem", "--key",
                "\(pki.path)/client.key", daemon.tcp + "/v1/health"
            ])
        #expect(withCertificate.status == 0 && withCertificate.text.contains("\"status\":\"ok\""), "\(withCertificate.text) \(withCertificate.stderr)")
        let without = try Interop.run(curl, ["-sS", "--cacert", "\(cas.path)/ca.pem", daemon.tcp + "/v1/health"])
        #expect(without.status != 0 && !without.text.contains("status"), "\(without.text)")
        let untrusted = try Interop.run(curl, ["-sS", daemon.tcp + "/v1/health"])
        #expect(untrusted.status == 60, "curl must not trust the server without the CA: \(untrusted.stderr)")
        // A mutation over TLS: the audit names the token and the client certificate.
        let lease = try Interop.run(
            curl,
            [
                "-sS", "--cacert", "\(cas.path)/ca.pem", "--cert", "\(pki.path)/client.pem", "--key",
                "\(pki.path)/client.key", "-H", "Authorization: Bearer \(PackmandProcess.jobToken)",
                "-H", "Content-Type: application/json", "-X", "DELETE", "-d", #"{"holder":"tls-job"}"#,
                daemon.tcp + "/v1/leases"
            ])
        #expect(lease.status == 0, "\(lease.text) \(lease.stderr)")
        let audit = try daemon.client(unix: true).audit()
        #expect(audit.contains { $0.identity == "agent cert=client" }, "\(audit.map { "\($0.identity) \($0.action) \($0.result)" })")
        // The unix socket is unaffected.
        #expect(try daemon.client(unix: true).health().status == "ok")
    }

    @Test func leasesProtectFromGCAndSynchronizeUntilTheyExpire() throws {
        let site = try AreaCLITests.site("packmand-lease")
        defer { site.stop() }
        let daemon = try Self.start(site)
        defer { daemon.stop() }
        let agent = try daemon.client()
        let job = try agent.install(["ROOT"], lease: LeaseSpec(holder: "job-42", ttl: 600), wait: 120)
        #expect(job.state == .succeeded, "\(job)")
        #expect(try agent.listInstalled().first { $0.module == "ROOT/v6-32-06-1" }?.leasedBy == ["job-42"])
        // ROOT leaves the repository; synchronize keeps it (leased), gc keeps it (leased) and its dependencies (needed).
        let keys = site.base.appendingPathComponent("keys").path
        let undefined = try AreaCLITests.cli([
            "undefine", "ROOT::v6-32-06-1", "--repo", site.base.appendingPathComponent("repo").path, "--force",
            "--keys-dir", keys
        ])
        #expect(undefined.status == 0, "\(undefined.stderr)")
        let admin = try daemon.client(PackmandProcess.adminToken)
        let synced = try admin.synchronize(SynchronizeRequest(packages: ["zlib"]), wait: 120)
        #expect(synced.state == .succeeded && !synced.removed.contains("ROOT/v6-32-06-1"), "\(synced)")
        let gc = try AreaCLITests.cli(["gc", "--budget", "0", "--area", site.area()])
        #expect(gc.status == 0, "\(gc.stderr)")
        #expect(try agent.listInstalled().map(\.module).contains("ROOT/v6-32-06-1"))
        // An expired lease does not protect.
        _ = try agent.releaseLease(LeaseRequest(holder: "job-42"))
        _ = try agent.acquireLease(LeaseRequest(holder: "job-43", packages: ["ROOT"], ttl: 1))
        sleep(2)
        let resynced = try admin.synchronize(SynchronizeRequest(packages: ["zlib"]), wait: 120)
        #expect(resynced.removed.contains("ROOT/v6-32-06-1"), "\(resynced)")
        #expect(!(try agent.listInstalled().map(\.module).contains("ROOT/v6-32-06-1")))
    }
}

extension PackmandTests {
    /// The refusal a call ended with (nil when it succeeded or failed otherwise).
    static func refusal(_ call: () throws -> Void) -> (status: Int, message: String)? {
        do { try call() } catch {
            if let failure = error as? PackManClientError, case let .refused(status, message) = failure { return (status, message) }
        }
        return nil
    }

    /// A packmand.json left by a daemon that is gone: the warning names the socket and the stale
    /// file (not libcurl's "localhost port 80"), and the install goes on directly.
    @Test func aStalePackmandJSONIsNamedAndPassedOver() throws {
        let site = try AreaCLITests.site("packmand-stale")
        defer { site.stop() }
        let area = site.area()
        let first = try AreaCLITests.cli(["install", "zlib", "--area", area, "--arch", Self.arch, "--repo", site.repoURL, "--root", site.rootFile])
        try #require(first.status == 0, "\(first.stderr)")
        let socket = site.base.appendingPathComponent("gone.sock").path
        try "{\"endpoint\":\"unix:\(socket)\"}\n".write(toFile: "\(area)/.alien/packmand.json", atomically: true, encoding: .utf8)
        let token = site.base.appendingPathComponent("token")
        try "\(PackmandProcess.jobToken)\n".write(to: token, atomically: true, encoding: .utf8)
        // Repository and trust remembered: this install would go through the daemon if it answered.
        let installed = try AreaCLITests.cli(["install", "xz", "--area", area, "--token-file", token.path])
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stderr.contains("packmand at unix:\(socket) unreachable: no socket at \(socket)"), "\(installed.stderr)")
        #expect(installed.stderr.contains("\(area)/.alien/packmand.json is stale"), "\(installed.stderr)")
        #expect(!installed.stderr.contains("port 80") && !installed.stderr.contains("localhost"), "\(installed.stderr)")
    }
}

/// Collects client outcomes from threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [String?] = []
    func add(_ failure: String?) { lock.withLock { outcomes.append(failure) } }
    var failures: [String] { lock.withLock { outcomes.compactMap { $0 } } }
    var count: Int { lock.withLock { outcomes.count } }

}
