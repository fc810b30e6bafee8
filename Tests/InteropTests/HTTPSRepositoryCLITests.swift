import Foundation
import Testing
import TestSupport

/// Repositories over https as grid sites have them: nginx with TLS, certificates from a CA the
/// test makes with openssl and keeps as a hashed directory (`openssl rehash`), trusted through
/// `--ca-path`, `--ca-file`, the area's config.json or `$X509_CERT_DIR`; expired and wrong-host
/// certificates refused with the host and the reason; `https_proxy` through the shipped Squid
/// config (CONNECT); publishing by PUT over https; `doctor --site` reading the chain.
@Suite(.enabled(if: TestCertificateAuthority.available, "openssl is missing (make deps)"))
struct HTTPSRepositoryCLITests {
    static let arch = AreaCLITests.arch

    static func cli(_ arguments: [String], _ environment: [String: String] = [:]) throws -> Interop.Result {
        // No CA directory, no proxy from the test's own environment unless given.
        let base = ["X509_CERT_DIR": "", "https_proxy": "", "HTTPS_PROXY": "", "http_proxy": "", "no_proxy": "", "NO_PROXY": ""]
        return try Interop.run(CLITests.binary, arguments, environment: base.merging(environment) { $1 })
    }

    /// The `host:port` a refusal names.
    static func hostPort(_ server: NginxServer) -> String { "127.0.0.1:\(server.baseURL.port ?? 0)" }

    @Test func installOverHTTPSTrustsTheSitesCADirectory() throws {
        let ca = try TestCertificateAuthority()
        defer { ca.remove() }
        let issued = try ca.issue("alien-repo", hosts: ["IP:127.0.0.1", "DNS:localhost"])
        let site = try AreaCLITests.site("https-install", tls: .init(certificate: issued.certificate, key: issued.key))
        defer { site.stop() }
        #expect(site.repoURL.hasPrefix("https://"))
        let install = ["--arch", Self.arch, "--repo", site.repoURL, "--root", site.rootFile]

        // The system's CAs do not know the grid CA: refused, naming the host and the reason.
        let refused = try Self.cli(["install", "zlib", "--area", site.area("refused")] + install)
        #expect(refused.status != 0)
        #expect(
            refused.stderr.contains("TLS: the certificate of \(Self.hostPort(site.server)) was refused: unable to get local issuer certificate"),
            "\(refused.stderr)")

        // --ca-path: the whole closure, and the directory remembered in the area's config.json.
        let area = site.area()
        let installed = try Self.cli(["install", "AliPhysics", "--area", area, "--ca-path", ca.hashedDirectory.path] + install)
        #expect(installed.status == 0, "\(installed.stderr)")
        for package in ["AliPhysics", "ROOT", "Python", "zlib", "xz"] {
            let versions = (try? FileManager.default.contentsOfDirectory(atPath: "\(area)/\(Self.arch)/\(package)")) ?? []
            #expect(versions.count == 1, "\(package): \(versions)")
        }
        let config = try String(contentsOfFile: "\(area)/.alien/config.json", encoding: .utf8)
        #expect(config.contains("\"ca_path\":\"\(ca.hashedDirectory.path)\""), "\(config)")
        let listed = try Self.cli(["list", "--area", area])
        #expect(listed.status == 0, "remembered CA: \(listed.stderr)")

        // $X509_CERT_DIR alone, in a fresh area.
        let fromEnvironment = try Self.cli(
            ["install", "zlib", "--area", site.area("environment")] + install,
            ["X509_CERT_DIR": ca.hashedDirectory.path])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")

        // trust refresh with --ca-file (a PEM file), refused without.
        let metadata = site.base.appendingPathComponent("trust").path
        #expect(try Self.cli(["trust", "init", site.rootFile, "--metadata-dir", metadata]).status == 0)
        let refresh = ["trust", "refresh", "--metadata-dir", metadata, "--metadata-url", site.repoURL + "/metadata"]
        let untrusted = try Self.cli(refresh)
        #expect(untrusted.status == 1 && untrusted.stderr.contains("TLS: the certificate of"), "\(untrusted.stderr)")
        let trusted = try Self.cli(refresh + ["--ca-file", ca.certificateFile.path])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(trusted.text.contains("timestamp version"), "\(trusted.text)")
    }

    @Test func expiredAndWrongHostCertificatesAreRefused() throws {
        let ca = try TestCertificateAuthority()
        defer { ca.remove() }
        let good = try ca.issue("alien-repo", hosts: ["IP:127.0.0.1"])
        let site = try AreaCLITests.site("https-refused", tls: .init(certificate: good.certificate, key: good.key))
        defer { site.stop() }
        let repo = site.base.appendingPathComponent("repo")
        let expired = try ca.issue("repo-expired", hosts: ["IP:127.0.0.1"], start: -10 * 86_400, end: -86_400)
        let elsewhere = try ca.issue("elsewhere.example", hosts: ["DNS:elsewhere.example"])
        let cases: [(String, (certificate: String, key: String), String)] = [
            ("expired", expired, "certificate has expired"),
            ("wrong host", elsewhere, "no alternative certificate subject name matches target host name '127.0.0.1'")
        ]
        for (label, certificate, reason) in cases {
            let server = try NginxServer(root: repo, tls: .init(certificate: certificate.certificate, key: certificate.key))
            defer { server.stop() }
            let url = server.baseURL.absoluteString
            let install = try Self.cli([
                "install", "zlib", "--area", site.area(label.replacingOccurrences(of: " ", with: "-")), "--arch", Self.arch,
                "--repo", url, "--root", site.rootFile, "--ca-path", ca.hashedDirectory.path
            ])
            #expect(install.status != 0, "\(label)")
            #expect(install.stderr.contains("TLS: the certificate of \(Self.hostPort(server)) was refused: \(reason)"), "\(label): \(install.stderr)")
            #expect(!server.accessLogLines.contains { $0.contains("GET") }, "\(label): no request was sent over the refused connection")

            let doctor = try DoctorSiteCLITests.doctor([
                "--area", site.area("doctor-\(label.replacingOccurrences(of: " ", with: "-"))"), "--arch", Self.arch,
                "--repo", url, "--proxy", "", "--ca-path", ca.hashedDirectory.path
            ])
            let check = try #require(doctor.checks["repository-certificate"], "\(label)")
            #expect(check.status == "fail", "\(label): \(check)")
            #expect(check.detail.contains(reason), "\(label): \(check.detail)")
            #expect(check.detail.contains("presented: \(certificate == expired ? "repo-expired" : "elsewhere.example") (valid "), "\(check.detail)")
            #expect(check.hint?.contains("openssl rehash") == true)
        }

        // The good certificate: the chain, its expiry and the trusted directory in the detail.
        let healthy = try DoctorSiteCLITests.doctor([
            "--area", site.area("doctor-good"), "--arch", Self.arch, "--repo", site.repoURL,
            "--proxy", "", "--ca-path", ca.hashedDirectory.path
        ])
        let check = try #require(healthy.checks["repository-certificate"])
        #expect(check.status == "pass", "\(check)")
        #expect(
            check.detail.contains("chain alien-repo") && check.detail.contains(ca.hashedDirectory.path) && check.detail.contains(" days)"),
            "\(check.detail)")
        // A certificate expiring within 30 days is a warning.
        let soon = try ca.issue("repo-soon", hosts: ["IP:127.0.0.1"], end: 5 * 86_400)
        let soonServer = try NginxServer(root: repo, tls: .init(certificate: soon.certificate, key: soon.key))
        defer { soonServer.stop() }
        let warned = try DoctorSiteCLITests.doctor([
            "--area", site.area("doctor-soon"), "--arch", Self.arch, "--repo", soonServer.baseURL.absoluteString,
            "--proxy", "", "--ca-path", ca.hashedDirectory.path
        ])
        #expect(warned.checks["repository-certificate"]?.status == "warn", "\(String(describing: warned.checks["repository-certificate"]))")
        // A plain-http repository has no certificate to check.
        let plain = try NginxServer(root: repo)
        defer { plain.stop() }
        let skipped = try DoctorSiteCLITests.doctor([
            "--area", site.area("doctor-plain"), "--arch", Self.arch, "--repo", plain.baseURL.absoluteString, "--proxy", ""
        ])
        #expect(skipped.checks["repository-certificate"]?.status == "skip")
    }

    /// The shipped site-cache.conf tunnels https (CONNECT) to the repository.
    @Test(.enabled(if: SquidServer.available, "squid is missing (make deps)"))
    func httpsProxyThroughTheSiteSquid() throws {
        let ca = try TestCertificateAuthority()
        defer { ca.remove() }
        let issued = try ca.issue("alien-repo", hosts: ["IP:127.0.0.1"])
        let site = try AreaCLITests.site("https-proxy", tls: .init(certificate: issued.certificate, key: issued.key))
        defer { site.stop() }
        let configuration = try String(contentsOf: Interop.root.appendingPathComponent("installer/squid/site-cache.conf"), encoding: .utf8)
        let squid = try SquidServer(configuration: configuration)
        defer { squid.stop() }
        let installed = try Self.cli(
            [
                "install", "ROOT", "--area", site.area(), "--arch", Self.arch, "--repo", site.repoURL, "--root", site.rootFile,
                "--ca-path", ca.hashedDirectory.path
            ], ["https_proxy": squid.proxyURL.absoluteString])
        #expect(installed.status == 0, "\(installed.stderr)")
        var lines = squid.accessLogLines
        for _ in 0..<6000 where !lines.contains(where: { $0.contains("CONNECT \(Self.hostPort(site.server))") }) {
            usleep(20_000)
            lines = squid.accessLogLines
        }
        #expect(lines.contains { $0.contains("CONNECT \(Self.hostPort(site.server))") }, "\(lines)")
        #expect(site.tarballDownloads.count == 3, "\(site.tarballDownloads)")
    }

    @Test func publishByPUTOverHTTPS() throws {
        let ca = try TestCertificateAuthority()
        defer { ca.remove() }
        let issued = try ca.issue("alien-upload", hosts: ["IP:127.0.0.1"])
        let base = try Interop.temporaryDirectory("https-publish")
        defer { try? FileManager.default.removeItem(at: base) }
        let served = base.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let server = try NginxServer(root: served, writable: true, tls: .init(certificate: issued.certificate, key: issued.key))
        defer { server.stop() }
        let keys = base.appendingPathComponent("keys").path, url = server.baseURL.absoluteString
        for role in ["root", "targets", "snapshot", "timestamp"] {
            #expect(try Self.cli(["keys", "generate", role, "--dir", keys]).status == 0)
        }
        let initialise = [
            "repo", "init", url, "--root-key", "\(keys)/root.key", "--targets-key", "\(keys)/targets.key",
            "--snapshot-key", "\(keys)/snapshot.key", "--timestamp-key", "\(keys)/timestamp.key"
        ]
        let refused = try Self.cli(initialise)
        #expect(refused.status != 0 && refused.stderr.contains("TLS: the certificate of \(Self.hostPort(server)) was refused"), "\(refused.stderr)")
        let initialised = try Self.cli(initialise + ["--ca-path", ca.hashedDirectory.path])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let zlib = FixturePackage(name: "zlib", version: "v1.3.1")
        let workDir = base.appendingPathComponent("sw")
        try zlib.store(in: workDir, arch: Self.arch)
        let published = try Self.cli(["publish", "--repo", url, "--work-dir", workDir.path, "zlib", "--keys-dir", keys, "--ca-file", ca.certificateFile.path])
        #expect(published.status == 0, "\(published.stderr)")
        #expect(FileManager.default.fileExists(atPath: served.appendingPathComponent("metadata/2.targets.json").path))
        let listed = try Self.cli(["repo", "list", url, "--ca-path", ca.hashedDirectory.path])
        #expect(listed.status == 0 && listed.text.contains("zlib"), "\(listed.text)\(listed.stderr)")
    }
}
