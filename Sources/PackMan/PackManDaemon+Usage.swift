import AlienModel
import AreaEnvironment
import Basics
public import Forensics
import Foundation
import Hummingbird
import HummingbirdCore
import PackManAPI
import SoftwareArea

/// Who ran what, where, as packmand sees it (issue 18 §3): every use is a row of the state
/// database (`StateStore+Usage`) and a syslog copy (`usage.syslog`); `GET /v1/usage` answers
/// the admin's questions, `POST /v1/usage` takes the uses `alien-install run --jdl` reports.
extension PackManDaemon {
    /// Stores `record` and sends its syslog copy. Never fails the use: a database or syslog
    /// problem is only counted in the answer (nil: stored).
    @discardableResult
    public func recordUse(_ record: UsageRecord) -> String? {
        if let destination = config.usage.syslogDestination {
            let message = SyslogMessage(usage: record, host: ProcessInfo.processInfo.hostName, processID: getpid())
            var sent = message
            sent.app = "packmand"
            try? SyslogSender(destination: destination).send(sent)
        }
        do { try store.record(usage: record) } catch { return error.description }
        return nil
    }

    /// A use by the caller of a request: the packages stamped as used (gc's order) and recorded
    /// with the caller's uid when it came over the unix socket (else packmand's own uid and the
    /// credential's name as the user).
    /// The packages are the VO's (`site`): stamped in its area, named with its owner prefix.
    func recordUse(
        kind: UsageRecord.Kind, of keys: [PackageBuild], in site: VOSite, started: Int64, seconds: Double? = nil, jobID: String? = nil,
        peerUID: UInt32?, identity: String? = nil
    ) async {
        let layout = site.area.layout, owner = site.name
        let packages =
            (try? await offload { () -> [UsageRecord.Package] in
                for key in keys { layout.stampUsed(key, at: started) }
                return layout.usedPackages(keys, owner: owner)
            }) ?? keys.map { UsageRecord.Package(id: $0.qualified(owner: owner)) }
        let uid = peerUID ?? getuid()
        let user =
            peerUID.flatMap { UsageRecord.loginName($0) } ?? identity?.split(separator: " ").first.map(String.init)
            ?? UsageRecord.loginName(uid)
        recordUse(
            UsageRecord(
                kind: kind, started: started, seconds: seconds, host: ProcessInfo.processInfo.hostName, uid: uid, user: user,
                jobID: jobID, vo: site.name, packages: packages))
    }

    /// Takes the uses the CLI wrote to each VO's area log (`env`, `run`, `enter`, `alienv` of the
    /// area's users, who need no token for that) into the database, from where the last import
    /// stopped; run by the history service and before every `GET /v1/usage`. Returns what went
    /// wrong, if anything (damaged lines are skipped and named; the rest is imported).
    @discardableResult
    public func importAreaUsage() -> [String] {
        sites.flatMap { importAreaUsage(of: $0) }
    }

    /// One VO's log. The CLI names records and packages with the area's VO (config.json's `vo`,
    /// which packmand writes); records written before the area knew it are given it here.
    func importAreaUsage(of site: VOSite) -> [String] {
        let log = UsageLog(path: site.area.layout.usageLog)
        do {
            let position = try store.importPosition(of: log.path)
            let read = try log.records(after: position)
            let records = read.records.map { $0.vo == nil ? Self.record($0, of: site.name) : $0 }
            if let next = read.position, next != position || !records.isEmpty {
                try store.importUsage(records, from: log.path, upTo: next)
            }
            return read.problems.map { site.isDefault ? $0 : "\(site.name): \($0)" }
        } catch {
            return ["\(site.isDefault ? "" : "\(site.name): ")\(error)"]
        }
    }

    /// A record of a VO's area log that names no VO, with that VO's name on it and on its packages.
    static func record(_ record: UsageRecord, of vo: String) -> UsageRecord {
        var record = record
        record.vo = vo
        record.packages = record.packages.map { package in
            guard var id = try? PackageID(parsing: package.id) else { return package }
            id.owner = vo
            return UsageRecord.Package(id: id.description, sha256: package.sha256)
        }
        return record
    }

    /// `GET /v1/usage?package=&version=&since=&until=&job=&user=&limit=` (role admin): the
    /// matching uses, the newest `limit` (default 1000, at most 10000), oldest first; of the
    /// token's VOs only when it is limited to some.
    func usage(_ request: Request, _ context: PackManContext) async throws -> Response {
        let parameters = try Self.usageParameters(request.uri.queryParameters)
        _ = try await authorize(request, context, .admin, action: "usage", subject: request.uri.query ?? "*")
        let vos = tokenVOs(request), defaultVO = config.vo
        let (query, limit) = try Self.usageQuery(parameters, now: area.clock())
        return JSONAnswer.make(
            try await offload {
                self.importAreaUsage()
                return try self.store.usages(matching: query, vos: vos, defaultVO: defaultVO, limit: limit)
            })
    }

    /// `POST /v1/usage` (role job): a use reported by its user (`run --jdl` on an area packmand
    /// serves). Over the unix socket the uid (and login name) are the caller's, whatever the body says.
    func reportUsage(_ request: Request, _ context: PackManContext) async throws -> Response {
        let body = try await Self.body(UsageReport.self, request, limit: config.maxBody)
        var record = body.record
        try Self.check(record)
        // A use of a VO's packages (the site's default VO when the record names none).
        let vo = record.vo ?? config.vo
        let who = try await authorize(request, context, .job, action: "usage", subject: record.jobID ?? record.kind.rawValue, vo: vo)
        record.vo = try site(named: vo).name
        if let uid = await context.peerUID(), uid != record.uid {
            record.uid = uid
            record.user = UsageRecord.loginName(uid)
        }
        if let problem = recordUse(record) {
            audit(who, "usage", record.jobID ?? record.kind.rawValue, "not recorded: \(problem)")
            throw APIError(.internalServerError, problem)
        }
        return JSONAnswer.make(record, status: .created)
    }

    /// Retention (`usage.retention_days`, `usage.max_rows`), run by the history service.
    public func pruneUsage() {
        _ = try? store.pruneUsage(before: area.clock() - Int64(config.usage.retentionDays) * 86400, keepRows: config.usage.maxRows)
    }

    /// When the holder's lease began (its file's last write: acquired or renewed), before it is released.
    func leaseStart(_ holder: String) -> Int64? {
        guard !holder.contains("/") else { return nil }
        return FileStamp(path: "\(area.layout.leases)/\(holder).json").map { Int64($0.modifiedSeconds) }
    }

    // MARK: parameters

    static let usageParameterNames: Set<String> = ["package", "version", "since", "until", "job", "user", "limit"]

    /// The query's parameters, each at most once and known.
    static func usageParameters(_ query: FlatDictionary<Substring, Substring>) throws -> [String: String] {
        var parameters: [String: String] = [:]
        for (key, value) in query {
            let name = String(key)
            guard usageParameterNames.contains(name) else {
                throw APIError(.badRequest, "\(name): unknown parameter (expected: \(usageParameterNames.sorted().joined(separator: ", ")))")
            }
            guard parameters[name] == nil else { throw APIError(.badRequest, "\(name): given twice") }
            guard !value.isEmpty, value.count <= 512 else { throw APIError(.badRequest, "\(name): expected a value of 1…512 characters") }
            parameters[name] = String(value)
        }
        return parameters
    }

    static func usageQuery(_ parameters: [String: String], now: Int64) throws -> (UsageQuery, Int) {
        func time(_ name: String) throws -> Int64? {
            guard let text = parameters[name] else { return nil }
            guard let value = UsageQuery.time(text, now: now) else {
                throw APIError(.badRequest, "\(name): expected seconds since 1970, YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or an age such as 24h, got '\(text)'")
            }
            return value
        }
        var package = parameters["package"]
        if let version = parameters["version"] {
            guard let name = package else { throw APIError(.badRequest, "version: expected together with package") }
            guard !name.contains("::") else { throw APIError(.badRequest, "version: package '\(name)' already names a version") }
            package = "\(name)::\(version)"
        }
        if let package {
            let name = StateStore.packageName(package)
            guard !name.isEmpty, !package.contains(where: { $0 == " " || $0 == "," || $0 == "/" }) else {
                throw APIError(.badRequest, "package: expected NAME, NAME::VERSION or NAME::VERSION-REV (VO@ allowed), got '\(package)'")
            }
        }
        var limit = 1000
        if let text = parameters["limit"] {
            guard let value = Int(text), (1...StateStore.maximumUsageRows).contains(value) else {
                throw APIError(.badRequest, "limit: expected 1…\(StateStore.maximumUsageRows) records, got '\(text)'")
            }
            limit = value
        }
        let query = UsageQuery(package: package, since: try time("since"), until: try time("until"), job: parameters["job"], user: parameters["user"])
        return (query, limit)
    }

    /// A reported record's bounds: at least one package, at most 10000; fields of sane size.
    static func check(_ record: UsageRecord) throws {
        guard !record.packages.isEmpty, record.packages.count <= 10_000 else {
            throw APIError(.badRequest, "packages: expected 1…10000 packages, got \(record.packages.count)")
        }
        for package in record.packages {
            guard !package.id.isEmpty, package.id.count <= 512 else { throw APIError(.badRequest, "packages: expected ids of 1…512 characters") }
            if let sha256 = package.sha256, sha256.count != 64 || !sha256.allSatisfy(\.isHexDigit) {
                throw APIError(.badRequest, "packages: \(package.id): sha256: expected 64 hex digits, got '\(sha256.prefix(80))'")
            }
        }
        let texts: [(String, String?)] = [
            ("host", record.host), ("user", record.user), ("job_id", record.jobID), ("jdl_user", record.jdlUser),
            ("vo", record.vo), ("batch.id", record.batch?.id), ("batch.cluster", record.batch?.cluster)
        ]
        for (name, text) in texts where (text?.count ?? 0) > 1024 {
            throw APIError(.badRequest, "\(name): expected at most 1024 characters")
        }
        guard record.started >= 0, (record.seconds ?? 0) >= 0, (record.seconds ?? 0).isFinite else {
            throw APIError(.badRequest, "started, seconds: expected times ≥ 0")
        }
    }
}

/// `POST /v1/usage`'s body: a usage record's wire form (the area log's line), fields checked.
struct UsageReport: Decodable, StrictFields {
    var record: UsageRecord

    init(from decoder: any Decoder) throws { record = try UsageRecord(from: decoder) }

    static let fields: Set<String> = ["kind", "started", "seconds", "exit_status", "host", "uid", "user", "job_id", "jdl_user", "batch", "vo", "packages"]
    static let nested: [String: Set<String>] = ["batch": ["system", "id", "cluster"]]
}
