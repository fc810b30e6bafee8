public import Forensics
public import AlienModel
import Foundation
import GRDB

/// Who ran what, where (issue 18 §3): every use packmand sees — `GET /v1/env`, a lease released,
/// a use reported by `alien-install run --jdl` (`POST /v1/usage`) — one row of `usage`, its
/// packages rows of `usage_package` (indexed by package name and by tarball sha256, so that
/// "who used ROOT" and "who used the revoked tarball" do not scan every record).
extension StateStore {
    /// The most rows one query answers (`GET /v1/usage?limit=`).
    public static let maximumUsageRows = 10_000

    static func registerUsageMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-usage") { db in
            try db.execute(
                sql: """
                    CREATE TABLE usage (
                      id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, started INTEGER NOT NULL, seconds REAL, exit_status INTEGER,
                      host TEXT NOT NULL, uid INTEGER NOT NULL, user TEXT, job_id TEXT, jdl_user TEXT,
                      batch_system TEXT, batch_id TEXT, vo TEXT, record TEXT NOT NULL);
                    CREATE INDEX usage_started ON usage(started);
                    CREATE INDEX usage_job ON usage(job_id);
                    CREATE INDEX usage_batch ON usage(batch_id);
                    CREATE TABLE usage_package (
                      usage INTEGER NOT NULL REFERENCES usage(id) ON DELETE CASCADE, name TEXT NOT NULL, package TEXT NOT NULL, sha256 TEXT);
                    CREATE INDEX usage_package_name ON usage_package(name, usage);
                    CREATE INDEX usage_package_sha256 ON usage_package(sha256);
                    CREATE INDEX usage_package_usage ON usage_package(usage);
                    """)
        }
        migrator.registerMigration("v3-usage-import") { db in
            try db.execute(sql: "CREATE TABLE usage_import (log TEXT PRIMARY KEY, inode INTEGER NOT NULL, head INTEGER NOT NULL, offset INTEGER NOT NULL)")
        }
    }

    /// Stores one use; returns its row id.
    @discardableResult
    public func record(usage record: UsageRecord) throws(StateError) -> Int64 {
        var id: Int64 = 0
        try write("record a use") { db in id = try Self.insert(record, into: db) }
        return id
    }

    static func insert(_ record: UsageRecord, into db: Database) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO usage (kind, started, seconds, exit_status, host, uid, user, job_id, jdl_user, batch_system, batch_id, vo, record)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.kind.rawValue, record.started, record.seconds, record.exitStatus.map { Int64($0) }, record.host,
                Int64(record.uid), record.user, record.jobID, record.jdlUser, record.batch?.system.rawValue, record.batch?.id,
                record.vo, String(decoding: record.jsonLine.dropLast(), as: UTF8.self)
            ])
        let id = db.lastInsertedRowID
        for package in record.packages {
            try db.execute(
                sql: "INSERT INTO usage_package (usage, name, package, sha256) VALUES (?, ?, ?, ?)",
                arguments: [id, packageName(package.id), package.id, package.sha256])
        }
        return id
    }

    /// How far the log at `log` has been imported (nil: never).
    public func importPosition(of log: String) throws(StateError) -> UsageLogPosition? {
        try read("read the usage import position") { db in
            try Row.fetchOne(db, sql: "SELECT inode, head, offset FROM usage_import WHERE log = ?", arguments: [log]).map { row in
                UsageLogPosition(inode: UInt64(bitPattern: row["inode"] as Int64), head: UInt64(bitPattern: row["head"] as Int64), offset: row["offset"])
            }
        }
    }

    /// Stores records read from the log at `log` and the position after them, in one
    /// transaction: a crash in between neither loses nor repeats a record.
    public func importUsage(_ records: [UsageRecord], from log: String, upTo position: UsageLogPosition) throws(StateError) {
        try write("import uses") { db in
            for record in records { _ = try Self.insert(record, into: db) }
            try db.execute(
                sql: "INSERT OR REPLACE INTO usage_import (log, inode, head, offset) VALUES (?, ?, ?, ?)",
                arguments: [log, Int64(bitPattern: position.inode), Int64(bitPattern: position.head), position.offset])
        }
    }

    /// The uses `query` matches, the newest `limit` of them (at most `maximumUsageRows`), oldest
    /// first. The database narrows by time, job, user and package name; `UsageQuery.matches`
    /// decides (version, revision, VO), as it does for the area's log.
    /// `vos`: only uses of these VOs (a row stored without one is `defaultVO`'s); nil: every VO's.
    public func usages(
        matching query: UsageQuery, vos: Set<String>? = nil, defaultVO: String = PackageID.defaultOwner, limit: Int = 1000
    ) throws(StateError) -> [UsageRecord] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let vos {
            let names = vos.sorted()
            conditions.append("COALESCE(vo, ?) IN (\(names.map { _ in "?" }.joined(separator: ", ")))")
            arguments += [defaultVO]
            for name in names { arguments += [name] }
        }
        if let since = query.since {
            conditions.append("started >= ?")
            arguments += [since]
        }
        if let until = query.until {
            conditions.append("started < ?")
            arguments += [until]
        }
        if let job = query.job {
            conditions.append("(job_id = ? OR batch_id = ?)")
            arguments += [job, job]
        }
        if let user = query.user {
            conditions.append("(user = ? OR CAST(uid AS TEXT) = ? OR jdl_user = ?)")
            arguments += [user, user, user]
        }
        if let package = query.package {
            conditions.append("id IN (SELECT usage FROM usage_package WHERE name = ?)")
            arguments += [Self.packageName(package)]
        }
        if let sha256 = query.sha256 {
            conditions.append("id IN (SELECT usage FROM usage_package WHERE sha256 = ?)")
            arguments += [sha256]
        }
        return try usages(where: conditions, arguments: arguments, limit: limit) { query.matches($0) }
    }

    /// The uses of `package` (`Name`, `Name::Version`, `Name::Version-Rev`, with or without
    /// `VO@`) that began at or after `since`, oldest first: what a revocation alert lists.
    public func usages(of package: String, since: Int64? = nil, limit: Int = 1000) throws(StateError) -> [UsageRecord] {
        try usages(matching: UsageQuery(package: package, since: since), limit: limit)
    }

    /// The uses of the package installed from the tarball with this sha256, begun at or after
    /// `since`, oldest first.
    public func usages(ofTarballSHA256 sha256: String, since: Int64? = nil, limit: Int = 1000) throws(StateError) -> [UsageRecord] {
        try usages(matching: UsageQuery(since: since, sha256: sha256), limit: limit)
    }

    /// How many uses are stored.
    public func usageCount() throws(StateError) -> Int {
        try read("count uses") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM usage") ?? 0 }
    }

    /// Forgets uses that began before `before` and all but the newest `keepRows`; returns how
    /// many went.
    @discardableResult
    public func pruneUsage(before: Int64, keepRows: Int) throws(StateError) -> Int {
        var removed = 0
        try write("prune uses") { db in
            try db.execute(sql: "DELETE FROM usage WHERE started < ?", arguments: [before])
            removed = db.changesCount
            try db.execute(
                sql: "DELETE FROM usage WHERE id <= (SELECT id FROM usage ORDER BY id DESC LIMIT 1 OFFSET ?)",
                arguments: [max(0, keepRows)])
            removed += db.changesCount
        }
        return removed
    }

    /// Newest first through a cursor, kept while `keep` says so, until `limit`; then oldest first.
    func usages(
        where conditions: [String], arguments: StatementArguments, limit: Int,
        keep: @escaping (UsageRecord) -> Bool
    ) throws(StateError) -> [UsageRecord] {
        let bounded = min(max(limit, 1), Self.maximumUsageRows)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try read("read uses") { db in
            var found: [UsageRecord] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT record FROM usage \(filter) ORDER BY started DESC, id DESC", arguments: arguments)
            while found.count < bounded, let row = try rows.next() {
                let text: String = row["record"]
                guard let record = try? UsageRecord(jsonLine: Array(text.utf8)), keep(record) else { continue }
                found.append(record)
            }
            return found.reversed()
        }
    }

    /// `Name` of `VO@Name::Version-Rev` (or of `Name`, `Name::Version`).
    static func packageName(_ id: String) -> String {
        var rest = Substring(id)
        if let at = rest.firstIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if let separator = rest.range(of: "::") { rest = rest[..<separator.lowerBound] }
        return String(rest)
    }
}
