import GRDB

/// What the status page's charts of the last hours are drawn from: jobs by the hour they
/// finished in (from the job table itself), and samples of the disk use.
extension StateStore {
    /// One hour: the jobs that finished in it, and what they downloaded over how long.
    public struct Hour: Sendable, Hashable {
        /// The hour's start (seconds since 1970).
        public var start: Int64
        public var succeeded = 0
        public var failed = 0
        public var bytes: Int64 = 0
        /// The summed run time of the jobs that downloaded something.
        public var downloadSeconds: Int64 = 0

        public init(start: Int64) { self.start = start }

        /// Bytes per second of job time (0 without downloads).
        public var throughput: Double { downloadSeconds > 0 ? Double(bytes) / Double(downloadSeconds) : (bytes > 0 ? Double(bytes) : 0) }
    }

    /// A sample of the disk use.
    public struct DiskSample: Sendable, Hashable {
        public var time: Int64
        public var used: Int64
        public var budget: Int64?
    }

    /// Samples are kept this long.
    public static let historyRetention: Int64 = 7 * 86400

    /// The `hours` hours up to `now` (the last one holding `now`), oldest first, every hour
    /// present (empty ones too).
    public func hours(until now: Int64, count hours: Int = 24) throws(StateError) -> [Hour] {
        let end = (now / 3600 + 1) * 3600, start = end - Int64(hours) * 3600
        var result = (0..<hours).map { Hour(start: start + Int64($0) * 3600) }
        let rows = try read("read job history") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT (finished - ?) / 3600 AS slot,
                           SUM(state = 'succeeded') AS succeeded, SUM(state = 'failed') AS failed, SUM(bytes) AS bytes,
                           SUM(CASE WHEN bytes > 0 THEN MAX(1, finished - created) ELSE 0 END) AS seconds
                    FROM job WHERE finished >= ? AND finished < ? GROUP BY slot
                    """, arguments: [start, start, end])
        }
        for row in rows {
            let slot: Int = row["slot"]
            guard result.indices.contains(slot) else { continue }
            result[slot].succeeded = row["succeeded"]
            result[slot].failed = row["failed"]
            result[slot].bytes = row["bytes"]
            result[slot].downloadSeconds = row["seconds"]
        }
        return result
    }

    /// Records the disk use at `time` and forgets samples older than the retention.
    public func recordDiskSample(time: Int64, used: UInt64, budget: UInt64?) throws(StateError) {
        try write("record disk use") { db in
            try db.execute(
                sql: "INSERT INTO disk_sample (time, used, budget) VALUES (?, ?, ?) "
                    + "ON CONFLICT(time) DO UPDATE SET used = excluded.used, budget = excluded.budget",
                arguments: [time, Int64(clamping: used), budget.map { Int64(clamping: $0) }])
            try db.execute(sql: "DELETE FROM disk_sample WHERE time < ?", arguments: [time - Self.historyRetention])
        }
    }

    /// Disk samples at or after `since`, oldest first.
    public func diskSamples(since: Int64) throws(StateError) -> [DiskSample] {
        try read("read disk history") { db in
            try Row.fetchAll(db, sql: "SELECT time, used, budget FROM disk_sample WHERE time >= ? ORDER BY time", arguments: [since])
                .map { DiskSample(time: $0["time"], used: $0["used"], budget: $0["budget"]) }
        }
    }
}
