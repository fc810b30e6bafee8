import Foundation
import Transport

extension SiteDoctor {
    /// The proxy a request to `url` takes: `--proxy`, else `https_proxy` for https URLs, else `http_proxy`.
    func proxy(for url: String) -> String? {
        if let proxy = options.proxy, !proxy.isEmpty { return proxy }
        let environment = ProcessInfo.processInfo.environment
        let names = url.hasPrefix("https://") ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        return names.compactMap { environment[$0] }.first { !$0.isEmpty }
    }

    /// repository-certificate: an https repository's chain is trusted by the site's CAs, names
    /// the host, and none of it expires within `certificateExpiryWarning`.
    func checkCertificate(_ repository: String?) -> SiteCheck {
        guard let repository else { return SiteCheck("repository-certificate", .skip, "no repository configured") }
        guard repository.hasPrefix("https://") else { return SiteCheck("repository-certificate", .skip, "the repository is not https") }
        let base = repository.hasSuffix("/") ? String(repository.dropLast()) : repository
        let url = "\(base)/metadata/timestamp.json"
        let route = proxy(for: url) ?? ""
        let chain: [PeerCertificate]
        do { chain = try client.certificates(url, proxy: route) } catch {
            var detail = "\(error)"
            if let presented = try? client.certificates(url, verify: false, proxy: route), !presented.isEmpty {
                detail += "; presented: " + presented.map { "\($0.commonName) (valid \($0.startDate) to \($0.expireDate))" }.joined(separator: " ← ")
            }
            return SiteCheck(
                "repository-certificate", .fail, detail,
                hint: "the server's certificate must be valid, name the host and chain to a CA the site trusts: put that CA into the "
                    + "site's CA directory (X509_CERT_DIR, by convention /etc/grid-security/certificates, or the area's ca_path) and run "
                    + "`openssl rehash` there; an expired certificate must be renewed by the repository's admins")
        }
        guard !chain.isEmpty else {
            return SiteCheck("repository-certificate", .warn, "verified, but libcurl reported no certificate details", hint: "nothing to do")
        }
        let names = chain.map(\.commonName).joined(separator: " ← ")
        let expiries = chain.compactMap { certificate in certificate.expires.map { (certificate, $0) } }
        guard let (first, expires) = expiries.min(by: { $0.1 < $1.1 }) else {
            return SiteCheck("repository-certificate", .warn, "chain \(names): cannot read the expiry dates", hint: "check the certificate by hand")
        }
        let left = expires - options.now()
        let detail = "chain \(names), trusted through \(client.authorities); \(first.commonName) expires \(first.expireDate)"
        if left <= 0 {
            return SiteCheck("repository-certificate", .fail, detail + " (expired)", hint: "the repository's admins must renew the certificate")
        }
        if left < options.certificateExpiryWarning {
            return SiteCheck(
                "repository-certificate", .warn, detail + " (in \(left / 86_400) days)",
                hint: "the repository's admins must renew the certificate before it expires")
        }
        return SiteCheck("repository-certificate", .pass, detail + " (in \(left / 86_400) days)")
    }
}
