import CCurl
public import Foundation

/// The certificate authorities an https client trusts, besides the system bundle. Grid sites keep
/// their CAs (IGTF) as a hashed directory (`openssl rehash`), by convention
/// /etc/grid-security/certificates, named by `X509_CERT_DIR`.
public struct CertificateAuthorities: Sendable, Hashable, CustomStringConvertible {
    /// A hashed directory of CA certificates (libcurl's CAPATH; the system bundle stays trusted).
    public var path: String?
    /// A PEM file of CA certificates (libcurl's CAINFO; it replaces the system bundle).
    public var file: String?

    public init(path: String? = nil, file: String? = nil) {
        self.path = path?.isEmpty == true ? nil : path
        self.file = file?.isEmpty == true ? nil : file
    }

    /// `X509_CERT_DIR` from the environment, when set.
    public static func environment(_ variables: [String: String] = ProcessInfo.processInfo.environment) -> CertificateAuthorities {
        CertificateAuthorities(path: variables["X509_CERT_DIR"])
    }

    /// Each field from `self`, else from `fallback` (an option over a config file over the environment).
    public func or(_ fallback: CertificateAuthorities) -> CertificateAuthorities {
        CertificateAuthorities(path: path ?? fallback.path, file: file ?? fallback.file)
    }

    public var isEmpty: Bool { path == nil && file == nil }

    public var description: String {
        let parts = [path.map { "directory \($0)" }, file.map { "file \($0)" }].compactMap { $0 }
        return parts.isEmpty ? "the system's CAs" : parts.joined(separator: " and ") + (file == nil ? " and the system's CAs" : "")
    }

    /// Sets CAPATH/CAINFO on an easy handle (nothing when empty: libcurl's defaults).
    func apply(to handle: UnsafeMutableRawPointer) {
        if let path { _ = ccurl_setopt_string(handle, CURLOPT_CAPATH, path) }
        if let file { _ = ccurl_setopt_string(handle, CURLOPT_CAINFO, file) }
    }

    /// libcurl results that mean "the server's certificate was refused" (a retry cannot help).
    static func isCertificateFailure(_ code: CURLcode) -> Bool {
        code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_PINNEDPUBKEYNOTMATCH
    }

    /// A certificate refusal as a message naming the host and the reason, e.g.
    /// "TLS: the certificate of repo.example:443 was refused: certificate has expired (trusted: …)".
    func refusal(url: String, curlMessage: String) -> String {
        var reason = curlMessage
        for prefix in ["SSL certificate problem: ", "SSL: "] where reason.hasPrefix(prefix) { reason = String(reason.dropFirst(prefix.count)) }
        return "TLS: the certificate of \(Self.hostAndPort(url)) was refused: \(reason) (trusted: \(description))"
    }

    /// `host:port` of an http(s) URL (the default port filled in).
    static func hostAndPort(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return url }
        let port = components.port ?? (components.scheme == "https" ? 443 : 80)
        return (host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host) + ":\(port)"
    }
}
