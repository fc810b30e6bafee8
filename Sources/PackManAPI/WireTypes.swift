import Foundation

/// packmand's JSON wire types (docs/api.md). Field names are the JSON keys (snake_case where
/// two words meet). Request bodies are decoded strictly: `WireDecoding` refuses unknown fields.

/// `POST /v1/install`.
public struct InstallRequest: Codable, Sendable, Hashable, StrictFields {
    public var packages: [String]
    public var lease: LeaseSpec?

    public init(packages: [String], lease: LeaseSpec? = nil) {
        self.packages = packages
        self.lease = lease
    }

    public static let fields: Set<String> = ["packages", "lease"]
    public static let nested: [String: Set<String>] = ["lease": LeaseSpec.fields]
}

/// A lease taken when an install finishes: `holder` keeps the packages for `ttl` seconds.
public struct LeaseSpec: Codable, Sendable, Hashable {
    public var holder: String
    public var ttl: Int64

    public init(holder: String, ttl: Int64) {
        self.holder = holder
        self.ttl = ttl
    }

    public static let fields: Set<String> = ["holder", "ttl"]
}

/// `POST /v1/leases` (packages given) and `DELETE /v1/leases` (packages optional: all).
public struct LeaseRequest: Codable, Sendable, Hashable, StrictFields {
    public var holder: String
    public var packages: [String]?
    public var ttl: Int64?

    public init(holder: String, packages: [String]? = nil, ttl: Int64? = nil) {
        self.holder = holder
        self.packages = packages
        self.ttl = ttl
    }

    public static let fields: Set<String> = ["holder", "packages", "ttl"]
}

/// A lease as stored by the area.
public struct LeaseInfo: Codable, Sendable, Hashable {
    public var holder: String
    public var packages: [String]
    /// Seconds since 1970.
    public var expires: Int64

    public init(holder: String, packages: [String], expires: Int64) {
        self.holder = holder
        self.packages = packages
        self.expires = expires
    }
}

/// `POST /v1/synchronize`: `packages` is the wanted set (default: every defined package);
/// installed packages no longer defined are removed unless `remove_undefined` is false.
public struct SynchronizeRequest: Codable, Sendable, Hashable, StrictFields {
    /// What must be installed (with its closure); nil: the newest of every defined package.
    public var packages: [String]?
    /// A release: one top-level package (e.g. `VO_ALICE@AliPhysics::v5-09-45a-01-1`) whose
    /// closure is what the site must have; the same as `packages` with that one entry.
    public var release: String?
    public var removeUndefined: Bool?

    public init(packages: [String]? = nil, release: String? = nil, removeUndefined: Bool? = nil) {
        self.packages = packages
        self.release = release
        self.removeUndefined = removeUndefined
    }

    enum CodingKeys: String, CodingKey {
        case packages, release
        case removeUndefined = "remove_undefined"
    }

    public static let fields: Set<String> = ["packages", "release", "remove_undefined"]

    /// The packages the request names (`release` or `packages`); nil for every defined package.
    public var wanted: [String]? { release.map { [$0] } ?? packages }
}

public enum JobState: String, Codable, Sendable, Hashable {
    case queued, running, succeeded, failed
    /// Was running when packmand stopped; resumed at the next start.
    case interrupted

    public var isFinished: Bool { self == .succeeded || self == .failed }
}

/// What a job does; on the wire its raw value (`"install"`, `"synchronize"`).
public enum JobKind: String, Codable, Sendable, Hashable {
    /// `POST /v1/install`: the named packages and their closures.
    case install
    /// `POST /v1/synchronize`: every defined package (or a release), optionally removing the undefined.
    case synchronize
}

/// `GET /v1/jobs/{id}`, and the answer of `POST /v1/install` and `POST /v1/synchronize`.
public struct JobStatus: Codable, Sendable, Hashable {
    public var id: String
    public var kind: JobKind
    public var state: JobState
    public var packages: [String]
    /// Bytes downloaded so far and expected (tarball lengths), over every package of the job.
    public var bytes: Int64
    public var total: Int64
    /// 0…1 (bytes / total; 1 when finished).
    public var progress: Double
    public var installed: [String]
    public var removed: [String]
    public var error: String?
    /// Seconds since 1970.
    public var created: Int64
    public var finished: Int64?
    /// Who asked (token name and/or uid).
    public var identity: String
    /// How many requests joined this job.
    public var joined: Int
    /// The VO whose area the job works on (daemons before several VOs send none).
    public var vo: String?

    public init(
        id: String, kind: JobKind, state: JobState, packages: [String], bytes: Int64 = 0, total: Int64 = 0,
        progress: Double = 0, installed: [String] = [], removed: [String] = [], error: String? = nil,
        created: Int64, finished: Int64? = nil, identity: String, joined: Int = 1
    ) {
        self.id = id
        self.kind = kind
        self.state = state
        self.packages = packages
        self.bytes = bytes
        self.total = total
        self.progress = progress
        self.installed = installed
        self.removed = removed
        self.error = error
        self.created = created
        self.finished = finished
        self.identity = identity
        self.joined = joined
    }
}

/// A defined package (trusted targets metadata).
public struct PackageInfo: Codable, Sendable, Hashable {
    /// `VO_ALICE@Name::Version-Rev`.
    public var id: String
    public var name: String
    public var version: String
    public var revision: String
    public var arch: String
    public var target: String
    public var length: Int64
    public var requires: [String]
    public var installed: Bool

    public init(
        id: String, name: String, version: String, revision: String, arch: String, target: String, length: Int64,
        requires: [String], installed: Bool
    ) {
        self.id = id
        self.name = name
        self.version = version
        self.revision = revision
        self.arch = arch
        self.target = target
        self.length = length
        self.requires = requires
        self.installed = installed
    }
}

/// An installed package.
public struct InstalledInfo: Codable, Sendable, Hashable {
    public var id: String
    /// `Name/Version-Rev` (the module name).
    public var module: String
    public var path: String
    public var size: UInt64
    public var installed: Int64
    public var lastUsed: Int64
    public var leasedBy: [String]
    /// The VO whose area holds it.
    public var vo: String?

    public init(
        id: String, module: String, path: String, size: UInt64, installed: Int64, lastUsed: Int64, leasedBy: [String], vo: String? = nil
    ) {
        self.id = id
        self.module = module
        self.path = path
        self.size = size
        self.installed = installed
        self.lastUsed = lastUsed
        self.leasedBy = leasedBy
        self.vo = vo
    }

    enum CodingKeys: String, CodingKey {
        case id, module, path, size, installed, vo
        case lastUsed = "last_used"
        case leasedBy = "leased_by"
    }
}

/// `GET /v1/packages/{id}/dependencies`: the runtime closure, dependencies first.
public struct DependencyList: Codable, Sendable, Hashable {
    public var package: String
    public var dependencies: [String]

    public init(package: String, dependencies: [String]) {
        self.package = package
        self.dependencies = dependencies
    }
}

/// `GET /v1/packages/{id}/log`: the install log lines of a package (newest last).
public struct PackageLog: Codable, Sendable, Hashable {
    public var package: String
    public var lines: [LogLine]

    public init(package: String, lines: [LogLine]) {
        self.package = package
        self.lines = lines
    }
}

public struct LogLine: Codable, Sendable, Hashable {
    public var time: Int64
    public var job: String?
    public var text: String

    public init(time: Int64, job: String?, text: String) {
        self.time = time
        self.job = job
        self.text = text
    }
}

/// `POST /v1/packages/{id}/test`.
public struct TestResult: Codable, Sendable, Hashable {
    public var package: String
    public var ok: Bool
    /// What was checked, one line each ("environment loads", "bin/x: ELF x86-64 executable").
    public var checks: [String]
    public var error: String?

    public init(package: String, ok: Bool, checks: [String], error: String?) {
        self.package = package
        self.ok = ok
        self.checks = checks
        self.error = error
    }
}

/// `DELETE /v1/installed/{id}`.
public struct RemoveResult: Codable, Sendable, Hashable {
    public var removed: String

    public init(removed: String) { self.removed = removed }
}

/// One audit record: who did what, when, with which result (and job).
public struct AuditEntry: Codable, Sendable, Hashable {
    public var time: Int64
    public var identity: String
    public var action: String
    public var subject: String
    public var result: String
    public var job: String?
    /// The VO the action concerned (nil: the site as a whole, or a daemon before several VOs).
    public var vo: String?

    public init(time: Int64, identity: String, action: String, subject: String, result: String, job: String?, vo: String? = nil) {
        self.time = time
        self.identity = identity
        self.action = action
        self.subject = subject
        self.result = result
        self.job = job
        self.vo = vo
    }
}

/// `GET /v1/health`.
/// `POST /v1/notifications/test`: the sinks a test digest went to, and those that failed.
public struct NotificationTest: Codable, Sendable, Hashable {
    /// "webhook <url>", "mail <address>".
    public var sinks: [String]
    /// One line per sink that did not take the message (empty: every sink took it).
    public var failures: [String]

    public init(sinks: [String], failures: [String]) {
        self.sinks = sinks
        self.failures = failures
    }
}

public struct Health: Codable, Sendable, Hashable {
    /// "ok", or "degraded" with `reasons`.
    public var status: String
    /// What makes the daemon degraded (e.g. a job waiting long for a package lock).
    public var reasons: [String] = []
    public var area: String
    public var arch: String
    public var installed: Int
    public var runningJobs: Int
    public var queuedJobs: Int
    public var diskUsed: UInt64
    public var diskBudget: UInt64?
    public var diskAvailable: UInt64?
    /// The default VO and every VO of the site (`area`, `arch` and the numbers are the default VO's).
    public var vo: String?
    public var vos: [String] = []

    public init(
        status: String, area: String, arch: String, installed: Int, runningJobs: Int, queuedJobs: Int, diskUsed: UInt64,
        diskBudget: UInt64?, diskAvailable: UInt64?
    ) {
        self.status = status
        self.area = area
        self.arch = arch
        self.installed = installed
        self.runningJobs = runningJobs
        self.queuedJobs = queuedJobs
        self.diskUsed = diskUsed
        self.diskBudget = diskBudget
        self.diskAvailable = diskAvailable
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(String.self, forKey: .status)
        // Daemons before degraded states send no reasons.
        reasons = try container.decodeIfPresent([String].self, forKey: .reasons) ?? []
        area = try container.decode(String.self, forKey: .area)
        arch = try container.decode(String.self, forKey: .arch)
        installed = try container.decode(Int.self, forKey: .installed)
        runningJobs = try container.decode(Int.self, forKey: .runningJobs)
        queuedJobs = try container.decode(Int.self, forKey: .queuedJobs)
        diskUsed = try container.decode(UInt64.self, forKey: .diskUsed)
        diskBudget = try container.decodeIfPresent(UInt64.self, forKey: .diskBudget)
        diskAvailable = try container.decodeIfPresent(UInt64.self, forKey: .diskAvailable)
        vo = try container.decodeIfPresent(String.self, forKey: .vo)
        vos = try container.decodeIfPresent([String].self, forKey: .vos) ?? []
    }

    enum CodingKeys: String, CodingKey {
        case status, reasons, area, arch, installed, vo, vos
        case runningJobs = "running_jobs"
        case queuedJobs = "queued_jobs"
        case diskUsed = "disk_used"
        case diskBudget = "disk_budget"
        case diskAvailable = "disk_available"
    }
}

/// Every error answer: `{"error": "..."}` with a 4xx or 5xx status.
public struct ErrorBody: Codable, Sendable, Hashable {
    public var error: String

    public init(error: String) { self.error = error }
}
