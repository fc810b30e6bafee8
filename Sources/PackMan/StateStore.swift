import Foundation
import GRDB
public import PackManAPI

/// packmand's state in SQLite (GRDB, WAL): jobs, the audit log, install logs by package, and a
/// mirror of leases and last use for the status page. The area on disk stays the truth of what
/// is installed; this is what the daemon did and who asked.
public final class StateStore: Sendable {
    let pool: DatabasePool
    public let path: String

    public init(path: String) throws(StateError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw StateError(path: path, operation: "open", reason: "\(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE job (
                      id TEXT PRIMARY KEY, kind TEXT NOT NULL, packages TEXT NOT NULL, lease_holder TEXT, lease_ttl INTEGER,
                      remove_undefined INTEGER NOT NULL DEFAULT 1,
                      state TEXT NOT NULL, bytes INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
                      installed TEXT NOT NULL DEFAULT '[]', removed TEXT NOT NULL DEFAULT '[]', error TEXT,
                      created INTEGER NOT NULL, finished INTEGER, identity TEXT NOT NULL, joined INTEGER NOT NULL DEFAULT 1);
                    CREATE INDEX job_state ON job(state);
                    CREATE TABLE audit (
                      id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, identity TEXT NOT NULL, action TEXT NOT NULL,
                      subject TEXT NOT NULL, result TEXT NOT NULL, job TEXT);
                    CREATE TABLE package_log (
                      id INTEGER PRIMARY KEY AUTOINCREMENT, package TEXT NOT NULL, job TEXT, time INTEGER NOT NULL, text TEXT NOT NULL);
                    CREATE INDEX package_log_package ON package_log(package);
                    CREATE TABLE lease (holder TEXT PRIMARY KEY, packages TEXT NOT NULL, expires INTEGER NOT NULL, updated INTEGER NOT NULL);
                    CREATE TABLE last_use (package TEXT PRIMARY KEY, time INTEGER NOT NULL);
                    """)
        }
        migrator.registerMigration("v2-history") { db in
            try db.execute(sql: "CREATE TABLE disk_sample (time INTEGER PRIMARY KEY, used INTEGER NOT NULL, budget INTEGER)")
            try db.execute(sql: "CREATE INDEX job_finished ON job(finished)")
        }
        registerUsageMigration(&migrator)
        // Several VOs on one site: each audit entry names the VO it concerned.
        migrator.registerMigration("v4-vo") { db in
            try db.execute(sql: "ALTER TABLE audit ADD COLUMN vo TEXT")
        }
        return migrator
    }

    // MARK: jobs

    /// A job as stored (what a restart needs to resume it).
    public struct JobRecord: Sendable, Hashable {
        public var status: JobStatus
        public var lease: LeaseSpec?
        public var removeUndefined: Bool

        public init(status: JobStatus, lease: LeaseSpec?, removeUndefined: Bool) {
            self.status = status
            self.lease = lease
            self.removeUndefined = removeUndefined
        }
    }

    public func save(_ record: JobRecord) throws(StateError) {
        let job = record.status
        try write("save job \(job.id)") { db in
            try db.execute(
                sql: """
                    INSERT INTO job (id, kind, packages, lease_holder, lease_ttl, remove_undefined, state, bytes, total, installed, removed,
                                     error, created, finished, identity, joined)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET state = excluded.state, bytes = excluded.bytes, total = excluded.total,
                      installed = excluded.installed, removed = excluded.removed, error = excluded.error, finished = excluded.finished,
                      joined = excluded.joined
                    """,
                arguments: [
                    job.id, job.kind.rawValue, Self.json(job.packages), record.lease?.holder, record.lease?.ttl, record.removeUndefined,
                    job.state.rawValue, job.bytes, job.total, Self.json(job.installed), Self.json(job.removed), job.error,
                    job.created, job.finished, job.identity, job.joined
                ])
        }
    }

    public func job(_ id: String) throws(StateError) -> JobRecord? {
        try read("read job \(id)") { db in try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]).map(Self.jobRecord) }
    }

    /// Jobs in `states` (all when empty), newest first.
    /// Bytes and duration (seconds) of the jobs that downloaded something and finished at or
    /// after `since`, newest first, at most `limit`.
    public func downloads(finishedSince since: Int64, limit: Int = 1000) throws(StateError) -> [(bytes: Int64, seconds: Int64)] {
        try read("list downloads") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT bytes, finished - created AS seconds FROM job WHERE bytes > 0 AND finished >= ? "
                    + "ORDER BY finished DESC LIMIT ?", arguments: [since, limit]
            )
            .map { (bytes: $0["bytes"], seconds: $0["seconds"]) }
        }
    }

    public func jobs(states: [JobState] = [], limit: Int = 100) throws(StateError) -> [JobRecord] {
        try read("list jobs") { db in
            if states.isEmpty {
                return try Row.fetchAll(db, sql: "SELECT * FROM job ORDER BY created DESC, rowid DESC LIMIT ?", arguments: [limit]).map(Self.jobRecord)
            }
            let marks = states.map { _ in "?" }.joined(separator: ",")
            var arguments = StatementArguments(states.map(\.rawValue))
            arguments += [limit]
            return try Row.fetchAll(db, sql: "SELECT * FROM job WHERE state IN (\(marks)) ORDER BY created, rowid LIMIT ?", arguments: arguments)
                .map(Self.jobRecord)
        }
    }

    static func jobRecord(_ row: Row) -> JobRecord {
        let status = JobStatus(
            id: row["id"], kind: JobKind(rawValue: row["kind"]) ?? .install, state: JobState(rawValue: row["state"]) ?? .failed,
            packages: list(row["packages"]),
            bytes: row["bytes"], total: row["total"], progress: 0, installed: list(row["installed"]), removed: list(row["removed"]),
            error: row["error"], created: row["created"], finished: row["finished"], identity: row["identity"], joined: row["joined"])
        let holder: String? = row["lease_holder"]
        let ttl: Int64? = row["lease_ttl"]
        let lease = holder.flatMap { holder in ttl.map { LeaseSpec(holder: holder, ttl: $0) } }
        return JobRecord(status: status, lease: lease, removeUndefined: row["remove_undefined"])
    }

    // MARK: audit

    public func audit(_ entry: AuditEntry) throws(StateError) {
        try write("audit") { db in
            try db.execute(
                sql: "INSERT INTO audit (time, identity, action, subject, result, job, vo) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [entry.time, entry.identity, entry.action, entry.subject, entry.result, entry.job, entry.vo])
        }
    }

    /// The newest `limit` entries (of `vo` when given), oldest first.
    public func auditLog(limit: Int = 100, vo: String? = nil) throws(StateError) -> [AuditEntry] {
        try read("read audit") { db in
            let filter = vo == nil ? "" : "WHERE vo = ? "
            let arguments: StatementArguments = vo.map { [$0, limit] } ?? [limit]
            return try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM audit \(filter)ORDER BY id DESC LIMIT ?) ORDER BY id", arguments: arguments)
                .map { row in
                    AuditEntry(
                        time: row["time"], identity: row["identity"], action: row["action"], subject: row["subject"], result: row["result"],
                        job: row["job"], vo: row["vo"])
                }
        }
    }

    // MARK: install logs

    public func log(package: String, job: String?, time: Int64, text: String) throws(StateError) {
        try write("log") { db in
            try db.execute(sql: "INSERT INTO package_log (package, job, time, text) VALUES (?, ?, ?, ?)", arguments: [package, job, time, text])
        }
    }

    /// The log of `package` (`Name/Version-Rev`), the newest `limit` lines, oldest first.
    public func log(package: String, limit: Int = 500) throws(StateError) -> [LogLine] {
        try read("read log") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM (SELECT * FROM package_log WHERE package = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
                arguments: [package, limit]
            ).map { LogLine(time: $0["time"], job: $0["job"], text: $0["text"]) }
        }
    }

    // MARK: lease and last-use mirror

    public func mirror(leases: [LeaseInfo], lastUse: [String: Int64], now: Int64) throws(StateError) {
        try write("mirror leases") { db in
            try db.execute(sql: "DELETE FROM lease")
            for lease in leases {
                try db.execute(
                    sql: "INSERT INTO lease (holder, packages, expires, updated) VALUES (?, ?, ?, ?)",
                    arguments: [lease.holder, Self.json(lease.packages), lease.expires, now])
            }
            for (package, time) in lastUse {
                try db.execute(
                    sql: "INSERT INTO last_use (package, time) VALUES (?, ?) ON CONFLICT(package) DO UPDATE SET time = excluded.time",
                    arguments: [package, time])
            }
        }
    }

    public func mirroredLeases() throws(StateError) -> [LeaseInfo] {
        try read("read leases") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM lease ORDER BY holder").map {
                LeaseInfo(holder: $0["holder"], packages: Self.list($0["packages"]), expires: $0["expires"])
            }
        }
    }

    // MARK: plumbing

    func write(_ operation: String, _ body: (Database) throws -> Void) throws(StateError) {
        do { try pool.write(body) } catch { throw StateError(path: path, operation: operation, reason: "\(error)") }
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StateError) -> T {
        do { return try pool.read(body) } catch { throw StateError(path: path, operation: operation, reason: "\(error)") }
    }

    static func json(_ list: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(list), as: UTF8.self)) ?? "[]"
    }

    static func list(_ text: String?) -> [String] {
        guard let text, let data = text.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }
}

/// A database failure, with the file and the operation.
public struct StateError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var reason: String

    public var description: String { "\(path): \(operation) failed: \(reason)" }
}
