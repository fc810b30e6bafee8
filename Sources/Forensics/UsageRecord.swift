public import Foundation

/// One use of installed packages: who ran what, where, when, for how long and how it ended —
/// what a site admin asks after an incident. One JSON object per record, keys sorted: a line of
/// the area's usage log, a row of `GET /v1/usage`, an entry of `forensics --json`.
public struct UsageRecord: Equatable, Sendable, Codable {
    /// How the packages were used.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// `alien-install run --jdl`: a job's packages, leased, its command run.
        case runJDL = "run-jdl"
        /// `alien-install run` / `enter`: a command or a shell in the packages' environment.
        case run, enter
        /// A lease taken through packmand (a job agent preparing a job).
        case lease
        /// An environment handed out by packmand (`GET /v1/env`).
        case environment = "env"
    }

    /// A package used, with the sha256 of the tarball it was installed from (what a revocation
    /// names), when known.
    public struct Package: Equatable, Hashable, Sendable, Codable {
        /// `VO@Name::Version-Rev`.
        public var id: String
        public var sha256: String?

        public init(id: String, sha256: String? = nil) {
            self.id = id
            self.sha256 = sha256
        }
    }

    public var kind: Kind
    /// When the use began, seconds since 1970 (UTC).
    public var started: Int64
    /// How long it lasted, when it has ended.
    public var seconds: Double?
    /// The command's exit status, when there was a command and it ended.
    public var exitStatus: Int32?
    public var host: String
    /// The numeric user id of the process that used the packages, and its login name if known.
    public var uid: UInt32
    public var user: String?
    /// The grid job: its id (`ALIEN_JOB_ID`, the lease holder) and the JDL's `User`, when known.
    public var jobID: String?
    public var jdlUser: String?
    /// The batch system's job (Slurm, HTCondor, PBS/Torque, LSF, SGE), when in one.
    public var batch: BatchJob?
    public var vo: String?
    public var packages: [Package]

    public init(
        kind: Kind, started: Int64, seconds: Double? = nil, exitStatus: Int32? = nil, host: String, uid: UInt32,
        user: String? = nil, jobID: String? = nil, jdlUser: String? = nil, batch: BatchJob? = nil, vo: String? = nil,
        packages: [Package]
    ) {
        self.kind = kind
        self.started = started
        self.seconds = seconds
        self.exitStatus = exitStatus
        self.host = host
        self.uid = uid
        self.user = user
        self.jobID = jobID
        self.jdlUser = jdlUser
        self.batch = batch
        self.vo = vo
        self.packages = packages
    }

    enum CodingKeys: String, CodingKey {
        case kind, started, seconds, host, uid, user, batch, vo, packages
        case exitStatus = "exit_status", jobID = "job_id", jdlUser = "jdl_user"
    }

    /// The record as one line of JSON (keys sorted, no newline inside), newline included.
    public var jsonLine: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these fields cannot fail (strings, integers, finite doubles).
        var bytes = [UInt8]((try? encoder.encode(self)) ?? Data("{}".utf8))
        bytes.append(0x0A)
        return bytes
    }

    /// The record of one line of JSON.
    public init(jsonLine bytes: some Collection<UInt8>) throws {
        self = try JSONDecoder().decode(UsageRecord.self, from: Data(bytes))
    }
}

extension UsageRecord {
    /// A use by this process, begun at `started` and ending now: host, uid and login name, and the
    /// batch system's job from the process environment.
    public static func now(
        kind: Kind, started: Date, exitStatus: Int32?, jobID: String?, jdlUser: String?, vo: String?,
        packages: [Package], environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> UsageRecord {
        let uid = getuid()
        return UsageRecord(
            kind: kind, started: Int64(started.timeIntervalSince1970), seconds: max(0, Date().timeIntervalSince(started)),
            exitStatus: exitStatus, host: ProcessInfo.processInfo.hostName, uid: uid, user: loginName(uid),
            jobID: jobID, jdlUser: jdlUser, batch: BatchJob.detect(in: environment), vo: vo, packages: packages)
    }

    /// The password database's name of `uid`, if it has one.
    public static func loginName(_ uid: uid_t) -> String? {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &found) == 0, found != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }
}
