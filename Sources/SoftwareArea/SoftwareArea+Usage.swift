public import AlienModel
public import Forensics
public import Foundation

extension SoftwareArea {
    /// The area's record of package uses (`.alien/usage.log`), kept where no packmand keeps them.
    public var usageLog: UsageLog { UsageLog(path: layout.usageLog) }

    /// Exact package ids as usage records name them (`VO_ALICE@Name::Version-Rev`, an id without
    /// owner given the area's VO), each with the sha256 of the tarball it was installed from (its
    /// install record's), so that a revocation can be matched against what ran.
    public func usedPackages(_ ids: [PackageID]) -> [UsageRecord.Package] {
        ids.map { id in
            var qualified = id
            qualified.owner = qualified.owner ?? configuration.owner
            guard case let .exact(folder) = id.version, let build = PackageVersion(folder: folder) else {
                return UsageRecord.Package(id: qualified.description)
            }
            let key = PackageBuild(name: id.name, version: build)
            return UsageRecord.Package(id: qualified.description, sha256: layout.usedPackages([key], owner: configuration.owner)[0].sha256)
        }
    }

    /// Appends a use to the area's usage log; nil when recorded, else why not (a user who may run
    /// packages but not write the area's state: the use is then only in the syslog copy, if any).
    public func recordUse(_ record: UsageRecord, now: Int64 = Int64(Date().timeIntervalSince1970)) -> String? {
        do { try usageLog.append(record, now: now) } catch { return error.description }
        return nil
    }
}

extension PackageRevocation {
    /// The uses of the revoked build in the VO `owner`: its exact id (`OWNER@Name::Version-Rev`)
    /// and, when the revocation names it, its tarball's sha256.
    public func usageQuery(owner: String) -> UsageQuery {
        UsageQuery(package: "\(owner)@\(name)::\(version)-\(revision)", sha256: sha256)
    }
}

extension SoftwareArea {
    /// The uses the area's log records of a revoked build of the area's VO, oldest first (what a
    /// site without packmand can say of who ran it); unreadable lines are passed over.
    public func uses(of revocation: PackageRevocation) -> [UsageRecord] {
        (try? usageLog.records(matching: revocation.usageQuery(owner: configuration.owner)))?.records ?? []
    }
}

extension AreaLayout {
    /// Sends the syslog copy of `record` to the `syslog` destination of the area's config.json
    /// (`configuration`, as the caller read it), if one is set; a failure to send is dropped (the
    /// record is in the area's log).
    public func sendSyslogCopy(of record: UsageRecord, configuration: SoftwareArea.Configuration) {
        guard let text = configuration.syslog, text != "off",
            let destination = try? SyslogSender.Destination(parsing: text)
        else { return }
        let message = SyslogMessage(usage: record, host: ProcessInfo.processInfo.hostName, processID: getpid())
        try? SyslogSender(destination: destination).send(message)
    }
}
