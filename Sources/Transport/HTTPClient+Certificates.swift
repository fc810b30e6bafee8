import CCurl
import Foundation
import Synchronization

/// One certificate of a server's chain, as libcurl reports it.
public struct PeerCertificate: Sendable, Hashable {
    public var subject: String
    public var issuer: String
    /// As OpenSSL prints them ("Jan  2 03:04:05 2030 GMT").
    public var startDate: String
    public var expireDate: String
    /// `expireDate` in seconds since 1970, when it parses.
    public var expires: Int64? { Self.parse(expireDate) }
    public var starts: Int64? { Self.parse(startDate) }

    /// The CN of the subject (else the whole subject).
    public var commonName: String { Self.commonName(subject) }

    static func commonName(_ name: String) -> String {
        for part in name.split(separator: ",") {
            let field = part.trimmingCharacters(in: .whitespaces)
            if field.hasPrefix("CN=") || field.hasPrefix("CN = ") { return String(field.drop { $0 != "=" }.dropFirst()).trimmingCharacters(in: .whitespaces) }
        }
        return name
    }

    /// "Jan  2 03:04:05 2030 GMT" → seconds since 1970.
    static func parse(_ text: String) -> Int64? {
        let fields = text.split(separator: " ")
        guard fields.count == 5, fields[4] == "GMT",
            let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].firstIndex(of: String(fields[0])),
            let day = Int(fields[1]), let year = Int(fields[3])
        else { return nil }
        let clock = fields[2].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month + 1, day)
        (components.hour, components.minute, components.second) = (clock[0], clock[1], clock[2])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components).map { Int64($0.timeIntervalSince1970) }
    }
}

extension HTTPClient {
    /// The certificate chain `url`'s server presents (leaf first), after one GET. With `verify`
    /// (the default) the chain must be trusted by `authorities` and name the host, else this
    /// throws the refusal; without, the chain is read whatever it is (to say why it was refused).
    /// `proxy`: nil as the environment says, "" direct. Any HTTP status is fine (TLS came first).
    public func certificates(_ url: String, verify: Bool = true, proxy: String? = nil) throws(TransportError) -> [PeerCertificate] {
        let chain = CertificateChain()
        var status = 0
        try perform(url, method: "GET", sink: DiscardSink(), acceptErrors: true, status: &status) { handle in
            _ = ccurl_setopt_long(handle, CURLOPT_CERTINFO, 1)
            if !verify {
                _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
                _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
            }
            if let proxy { _ = ccurl_setopt_string(handle, CURLOPT_PROXY, proxy) }
        } afterwards: { handle in
            chain.read(handle)
        }
        return chain.certificates
    }
}

/// CURLINFO_CERTINFO's lists ("Subject:…", "Issuer:…", "Start date:…", "Expire date:…").
final class CertificateChain: Sendable {
    private let collected = Mutex<[PeerCertificate]>([])

    var certificates: [PeerCertificate] { collected.withLock { $0 } }

    func read(_ handle: UnsafeMutableRawPointer) {
        var info: UnsafeMutablePointer<curl_certinfo>?
        guard ccurl_getinfo_certinfo(handle, &info) == CURLE_OK, let info, let lists = info.pointee.certinfo else { return }
        for index in 0..<Int(info.pointee.num_of_certs) {
            var fields: [String: String] = [:]
            var item = lists[index]
            while let entry = item {
                if let data = entry.pointee.data {
                    let line = String(cString: data)
                    if let colon = line.firstIndex(of: ":") { fields[String(line[..<colon])] = String(line[line.index(after: colon)...]) }
                }
                item = entry.pointee.next
            }
            let certificate = PeerCertificate(
                subject: fields["Subject"] ?? "", issuer: fields["Issuer"] ?? "",
                startDate: fields["Start date"] ?? "", expireDate: fields["Expire date"] ?? "")
            collected.withLock { $0.append(certificate) }
        }
    }
}
