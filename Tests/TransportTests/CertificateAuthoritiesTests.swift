import Foundation
import Testing
import TestSupport
@testable import Transport

/// https against a real nginx with certificates from a CA made by the test (a hashed directory,
/// as grid sites keep theirs): trusted through CAPATH or CAINFO, refused — host and reason named
/// — when the CA is unknown, the certificate expired or names another host; both clients
/// (`HTTPClient`, `Transfers`); the presented chain read for the doctor.
@Suite(.enabled(if: TestCertificateAuthority.available, "openssl is missing (make deps)"))
struct CertificateAuthoritiesTests {
    static let body = Array("timestamp over https\n".utf8)

    final class Site: Sendable {
        let ca: TestCertificateAuthority
        let root: URL
        init() throws {
            ca = try TestCertificateAuthority()
            root = FileManager.default.temporaryDirectory.appendingPathComponent("alien-https-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("metadata"), withIntermediateDirectories: true)
            try Data(CertificateAuthoritiesTests.body).write(to: root.appendingPathComponent("metadata/timestamp.json"))
        }

        func server(_ name: String, hosts: [String] = ["IP:127.0.0.1"], start: Int = -86_400, end: Int = 365 * 86_400) throws -> NginxServer {
            let issued = try ca.issue(name, hosts: hosts, start: start, end: end)
            return try NginxServer(root: root, tls: .init(certificate: issued.certificate, key: issued.key))
        }

        func remove() {
            ca.remove()
            try? FileManager.default.removeItem(at: root)
        }
    }

    static func url(_ server: NginxServer) -> String { server.baseURL.absoluteString + "/metadata/timestamp.json" }
    static func hostPort(_ server: NginxServer) -> String { "127.0.0.1:\(server.baseURL.port ?? 0)" }

    @Test func theSitesCADirectoryOrFileIsTrusted() async throws {
        let site = try Site()
        defer { site.remove() }
        let server = try site.server("alien-repo")
        defer { server.stop() }
        let url = Self.url(server)
        for authorities in [CertificateAuthorities(path: site.ca.hashedDirectory.path), CertificateAuthorities(file: site.ca.certificateFile.path)] {
            #expect(try HTTPClient(authorities: authorities).get(url) == Data(Self.body), "\(authorities)")
            let transfers = Transfers(policy: TransferPolicy(retries: 0, authorities: authorities))
            #expect(try await transfers.fetch(TransferRequest(url: url)) == Self.body, "\(authorities)")
        }
        // Unknown CA: refused by both clients, naming the host, the reason and what was trusted.
        let expected = "TLS: the certificate of \(Self.hostPort(server)) was refused: unable to get local issuer certificate (trusted: the system's CAs)"
        #expect(throws: TransportError.network(url: url, message: expected)) { try HTTPClient(authorities: CertificateAuthorities()).get(url) }
        await #expect(throws: TransportError.network(url: url, message: expected)) {
            try await Transfers(policy: TransferPolicy(retries: 3, authorities: CertificateAuthorities())).fetch(TransferRequest(url: url))
        }
    }

    @Test func expiredAndWrongHostCertificatesAreRefused() async throws {
        let site = try Site()
        defer { site.remove() }
        let trusted = CertificateAuthorities(path: site.ca.hashedDirectory.path)
        let cases: [(NginxServer, String)] = [
            (try site.server("expired", start: -10 * 86_400, end: -86_400), "certificate has expired"),
            (try site.server("elsewhere", hosts: ["DNS:elsewhere.example"]), "no alternative certificate subject name matches target host name '127.0.0.1'"),
            (try site.server("not-yet", start: 86_400, end: 10 * 86_400), "certificate is not yet valid")
        ]
        defer { for (server, _) in cases { server.stop() } }
        for (server, reason) in cases {
            let url = Self.url(server)
            let message =
                "TLS: the certificate of \(Self.hostPort(server)) was refused: \(reason) (trusted: directory \(site.ca.hashedDirectory.path) and the system's CAs)"
            #expect(throws: TransportError.network(url: url, message: message)) { try HTTPClient(authorities: trusted).get(url) }
            await #expect(throws: TransportError.network(url: url, message: message)) {
                try await Transfers(policy: TransferPolicy(retries: 3, authorities: trusted)).fetch(TransferRequest(url: url))
            }
            #expect(!server.accessLogLines.contains { $0.contains("GET") }, "no request over a refused connection")
        }
        // A refused mirror is dropped at once (no retry can help); the next one delivers. (A mirror
        // not refused before: the process remembers failing mirrors and tries them last.)
        let good = try site.server("alien-repo"), refused = try site.server("expired-mirror", start: -10 * 86_400, end: -86_400)
        defer { good.stop(); refused.stop() }
        let report = try await Transfers(policy: TransferPolicy(retries: 3, authorities: trusted))
            .download(TransferRequest(mirrors: [Self.url(refused), Self.url(good)]), to: site.root.appendingPathComponent("out.json").path)
        #expect(report.failures.count == 1 && report.url == Self.url(good), "\(report)")
        #expect(try Data(contentsOf: site.root.appendingPathComponent("out.json")) == Data(Self.body))
    }

    @Test func theChainIsReadWithItsDates() throws {
        let site = try Site()
        defer { site.remove() }
        let server = try site.server("alien-repo", end: 100 * 86_400)
        defer { server.stop() }
        let client = HTTPClient(authorities: CertificateAuthorities(path: site.ca.hashedDirectory.path))
        let chain = try client.certificates(Self.url(server), proxy: "")
        let leaf = try #require(chain.first)
        #expect(leaf.commonName == "alien-repo", "\(leaf)")
        #expect(PeerCertificate.commonName(leaf.issuer) == site.ca.name, "\(leaf)")
        let expires = try #require(leaf.expires, "\(leaf.expireDate)")
        let left = expires - Int64(Date().timeIntervalSince1970)
        #expect((99 * 86_400)...(101 * 86_400) ~= left, "\(leaf.expireDate)")
        // Refused when verified; read anyway without verification (what the doctor shows).
        #expect(throws: TransportError.self) { try HTTPClient(authorities: CertificateAuthorities()).certificates(Self.url(server), proxy: "") }
        let unverified = try HTTPClient(authorities: CertificateAuthorities()).certificates(Self.url(server), verify: false, proxy: "")
        #expect(unverified.first?.commonName == "alien-repo")
    }

    @Test func settingsComeFromOptionsConfigAndEnvironment() {
        #expect(CertificateAuthorities.environment(["X509_CERT_DIR": "/etc/grid-security/certificates"]).path == "/etc/grid-security/certificates")
        #expect(CertificateAuthorities.environment([:]).isEmpty)
        #expect(CertificateAuthorities.environment(["X509_CERT_DIR": ""]).isEmpty)
        let option = CertificateAuthorities(file: "/opt/ca.pem"), config = CertificateAuthorities(path: "/srv/cas", file: "/srv/ca.pem")
        #expect(option.or(config) == CertificateAuthorities(path: "/srv/cas", file: "/opt/ca.pem"))
        #expect(CertificateAuthorities().description == "the system's CAs")
        #expect(CertificateAuthorities(file: "/opt/ca.pem").description == "file /opt/ca.pem")
        #expect(CertificateAuthorities.hostAndPort("https://repo.example.org/alice/metadata") == "repo.example.org:443")
        #expect(CertificateAuthorities.hostAndPort("https://[::1]:8443/x") == "[::1]:8443")
        #expect(PeerCertificate.parse("Jan  2 03:04:05 2030 GMT") == 1_893_553_445)
        #expect(PeerCertificate.parse("Feb 29 00:00:00 2028 GMT") == 1_835_395_200)
        #expect(PeerCertificate.parse("tomorrow") == nil)
        #expect(PeerCertificate.commonName("C = CH, O = Grid, CN = Test CA") == "Test CA")
        #expect(PeerCertificate.commonName("CN=repo.example.org,O=Grid") == "repo.example.org")
    }
}
