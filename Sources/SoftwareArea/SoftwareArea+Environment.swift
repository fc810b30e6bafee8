public import AlienModel
public import AreaEnvironment
public import Forensics
public import Foundation

/// What `environment(for:)` computes on top of the packages' own environment.
public enum EnvironmentComposition: Sendable, Hashable {
    /// The packages' environment over the base (`env`, `run`, packmand's `/v1/env`).
    case plain
    /// `alienv load`/`printenv`: plus the loaded set (`Alienv.load`).
    case load
    /// `enter`: plus the markers that refuse nesting (`Alienv.enterChanges`).
    case enter
}

/// The environment of requested packages as `environment(for:)` computed it.
public struct PackageEnvironment: Sendable, Equatable {
    /// The requested packages as installed, in request order.
    public var packages: [EnvironmentPackage]
    /// They and everything their environment sources, dependencies first.
    public var closure: [EnvironmentPackage]
    public var changes: EnvironmentChanges
    /// Why the use was not recorded (nil: recorded, or nothing to record into).
    public var unrecorded: String?
}

/// How a use is recorded: the usage-log record's kind and what it names besides the packages.
public struct EnvironmentUse: Sendable, Hashable {
    public var kind: UsageRecord.Kind
    public var jobID: String?
    public var jdlUser: String?

    public init(_ kind: UsageRecord.Kind, jobID: String? = nil, jdlUser: String? = nil) {
        self.kind = kind
        self.jobID = jobID
        self.jdlUser = jdlUser
    }
}

extension EnvironmentArea {
    /// The state layout of the area (`<root>/.alien/`) when it has one: an aliBuild work
    /// directory without it records no use.
    public var stateLayout: AreaLayout? {
        let layout = AreaLayout(root: root.path, arch: architecture.rawValue)
        return FileSystem.isDirectory(layout.state) ? layout : nil
    }

    /// The environment of `requests` over `base`, and their use recorded (when `use` is given):
    /// every package of the closure stamped as used now (gc's least-recently-used order) and
    /// one record in the area's usage log. The one sequence every environment user shares:
    /// `env`, `run`, `enter`, `alienv load`/`printenv`, packmand's `/v1/env`, `run --jdl`.
    /// Recording never fails the call: `unrecorded` says why it did not happen.
    public func environment(
        for requests: [PackageID], base: [String: String], composition: EnvironmentComposition = .plain,
        recording use: EnvironmentUse?, now: Date = Date()
    ) throws(EnvironmentError) -> PackageEnvironment {
        try environment(of: try resolve(requests), base: base, composition: composition, recording: use, now: now)
    }

    /// `environment(for:)` for packages already resolved.
    public func environment(
        of packages: [EnvironmentPackage], base: [String: String], composition: EnvironmentComposition = .plain,
        recording use: EnvironmentUse?, now: Date = Date()
    ) throws(EnvironmentError) -> PackageEnvironment {
        let changes: EnvironmentChanges
        switch composition {
        case .plain: changes = try self.changes(of: packages, base: base)
        case .load: changes = try Alienv.load(area: self, packages: packages, environment: base)
        case .enter: changes = try Alienv.enterChanges(area: self, packages: packages, environment: base)
        }
        let closure = try self.closure(of: packages)
        var result = PackageEnvironment(packages: packages, closure: closure, changes: changes)
        if let use {
            result.unrecorded = recordUse(of: closure, use: use, started: now, exitStatus: nil, environment: base)
        }
        return result
    }

    /// Stamps `packages` as used at `started` and appends a record of `use` to the usage log,
    /// and sends its syslog copy when the area's config.json names a `syslog` destination (never
    /// blocking, never failing the use); nil when recorded (or the area keeps no state), else why not.
    public func recordUse(
        of packages: [EnvironmentPackage], use: EnvironmentUse, started: Date, exitStatus: Int32?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        guard let layout = stateLayout else { return nil }
        let keys = packages.map(\.build)
        for key in keys { layout.stampUsed(key, at: Int64(started.timeIntervalSince1970)) }
        // The area's VO names the record and its packages; an unreadable config.json names none.
        let configuration = try? SoftwareArea.Configuration.read(from: layout.config)
        let record = UsageRecord.now(
            kind: use.kind, started: started, exitStatus: exitStatus, jobID: use.jobID, jdlUser: use.jdlUser,
            vo: configuration?.vo, packages: layout.usedPackages(keys, owner: configuration?.owner ?? PackageID.defaultOwner),
            environment: environment)
        layout.sendSyslogCopy(of: record, configuration: configuration ?? SoftwareArea.Configuration())
        do { try UsageLog(path: layout.usageLog).append(record, now: Int64(Date().timeIntervalSince1970)) } catch {
            return error.description
        }
        return nil
    }
}

extension AreaLayout {
    /// Sets the used stamp of `key` (`used/<arch>/<Name>/<Version>-<Rev>`) to `time`, creating it
    /// if needed; an area the caller cannot write keeps its stamps (best effort).
    public func stampUsed(_ key: PackageBuild, at time: Int64) {
        let stamp = usedStamp(key)
        if !FileSystem.exists(stamp) {
            try? FileSystem.makeDirectories((stamp as NSString).deletingLastPathComponent)
            _ = FileManager.default.createFile(atPath: stamp, contents: nil)
        }
        var times = [timespec(tv_sec: Int(time), tv_nsec: 0), timespec(tv_sec: Int(time), tv_nsec: 0)]
        utimensat(AT_FDCWD, stamp, &times, 0)
    }

    /// Packages as usage records name them (`OWNER@Name::Version-Rev`: the default owner unless
    /// the caller knows the area's VO), each with the sha256 of the tarball it was installed from
    /// (its install record's), so that a revocation can be matched against what ran.
    public func usedPackages(_ keys: [PackageBuild], owner: String = PackageID.defaultOwner) -> [UsageRecord.Package] {
        keys.map { key in UsageRecord.Package(id: key.qualified(owner: owner), sha256: (try? InstallRecord(path: record(key)))?.hashes["sha256"]) }
    }
}

extension SoftwareArea {
    /// The area as the environment side sees it (same root and architecture).
    public func environmentArea() throws(EnvironmentError) -> EnvironmentArea {
        do { return EnvironmentArea(root: URL(fileURLWithPath: layout.root), architecture: try Architecture(layout.arch)) } catch {
            throw .noArea(path: layout.root, reason: error.description)
        }
    }

    /// `EnvironmentArea.environment(for:)` on this area.
    public func environment(
        for requests: [PackageID], base: [String: String], composition: EnvironmentComposition = .plain,
        recording use: EnvironmentUse?, now: Date = Date()
    ) throws(EnvironmentError) -> PackageEnvironment {
        try environmentArea().environment(for: requests, base: base, composition: composition, recording: use, now: now)
    }
}
