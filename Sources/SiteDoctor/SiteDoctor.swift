import Foundation
import SoftwareArea
public import Transport
import Trust

/// `alien-install doctor --site`: the checklist a site admin runs when something is wrong (and
/// the installer runs at its end). Each check says what it found and, when it did not pass,
/// what to do. Checks that need something missing (no area, no repository) are skipped with
/// the reason rather than failing twice.
public struct SiteDoctor: Sendable {
    public struct Options: Sendable {
        /// The software area.
        public var area: String
        /// Architecture (default: the area's, else this host's).
        public var arch: String?
        /// This host's architecture as detected (nil: not recognised).
        public var hostArch: String?
        /// Repository URL (default: the one remembered by the area).
        public var repository: String?
        /// The site proxy (default: `http_proxy` from the environment, when set).
        public var proxy: String?
        /// packmand: `unix:/path/to/socket` or an `http://` URL.
        public var packman: String?
        /// The BitTorrent listen port to check is free (or held by our own seeder).
        public var torrentPort: Int?
        public var tracker: String?
        /// The disk budget of the area; without one, `minimumFree` bytes must be free.
        public var budget: UInt64?
        public var minimumFree: UInt64 = 1 << 30
        public var minimumInodes: UInt64 = 10_000
        /// Warn when the trusted root expires within this many seconds (default 30 days).
        public var rootExpiryWarning: Int64 = 30 * 86_400
        /// Fail when the repository's clock differs from ours by more than this many seconds.
        public var maximumSkew: Int64 = 60
        /// Warn when a certificate of an https repository's chain expires within this many seconds.
        public var certificateExpiryWarning: Int64 = 30 * 86_400
        /// CAs trusted for https (`--ca-path`/`--ca-file`); unset fields: the area's, else `$X509_CERT_DIR`.
        public var authorities = CertificateAuthorities()
        /// Seconds since 1970 (tests move it).
        public var now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

        public init(area: String) {
            self.area = area
        }
    }

    public let options: Options
    public var client = HTTPClient(connectTimeout: 5, stallTimeout: 10)

    public init(options: Options) {
        self.options = options
    }

    /// Every check, in the order an admin would fix them.
    public func run() async -> SiteReport {
        var checks: [SiteCheck] = []
        var doctor = self
        doctor.client.authorities = options.authorities.or(client.authorities)
        var area = doctor.checkArea(&checks)
        // The CAs: the options', else the area's, else $X509_CERT_DIR.
        doctor.client.authorities = options.authorities.or(area?.configuration.authorities ?? CertificateAuthorities()).or(client.authorities)
        area?.trust(doctor.client.authorities)
        let repository = options.repository ?? area?.configuration.repository
        checks.append(doctor.checkRoot(area))
        let reachable = doctor.checkRepository(repository, &checks)
        checks.append(doctor.checkCertificate(repository))
        if let area, reachable {
            checks.append(await doctor.checkMetadataAndArch(area))
        } else {
            checks.append(SiteCheck("metadata-fresh", .skip, area == nil ? "no usable area" : "repository not reachable"))
        }
        checks.append(await doctor.checkRevocations(area, reachable: reachable))
        checks.append(doctor.checkPackman())
        checks.append(contentsOf: doctor.checkTorrent())
        return SiteReport(checks: checks)
    }
}
