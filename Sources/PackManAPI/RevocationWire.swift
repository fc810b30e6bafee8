/// `GET /v1/revocations` and `POST /v1/revocations/refresh`: the repository's revocations as
/// the area last stored them, and the revoked packages still installed.
public struct RevocationList: Codable, Sendable, Hashable {
    public struct Revocation: Codable, Sendable, Hashable {
        /// `Name::Version-Revision`.
        public var package: String
        public var arch: String
        /// The revoked tarball's target path and sha256.
        public var target: String
        public var sha256: String?
        public var reason: String
        /// `YYYY-MM-DDTHH:MM:SSZ`.
        public var time: String

        public init(package: String, arch: String, target: String, sha256: String?, reason: String, time: String) {
            self.package = package
            self.arch = arch
            self.target = target
            self.sha256 = sha256
            self.reason = reason
            self.time = time
        }
    }

    /// A revoked package still in the area.
    public struct Present: Codable, Sendable, Hashable {
        /// `Name/Version-Revision`.
        public var package: String
        public var reason: String
        public var time: String
        /// `alert`, `quarantined`, `kept-leased`, `kept-required` (what the policy left).
        public var state: String
        /// Holders of live leases on it (running jobs; never stopped).
        public var leases: [String]

        public init(package: String, reason: String, time: String, state: String, leases: [String]) {
            self.package = package
            self.reason = reason
            self.time = time
            self.state = state
            self.leases = leases
        }
    }

    /// `alert`, `quarantine` or `remove`.
    public var policy: String
    public var revocations: [Revocation]
    public var present: [Present]
    /// Alerts sent by this refresh (`POST` only).
    public var alerted: [String]?

    public init(policy: String, revocations: [Revocation], present: [Present], alerted: [String]? = nil) {
        self.policy = policy
        self.revocations = revocations
        self.present = present
        self.alerted = alerted
    }
}
