import Basics

extension UsageRecord {
    /// What a revocation alert says of who ran the build: `used here N time(s), the latest: job J
    /// (user@host, time), …` with the newest `named` uses (`uses` oldest first, as queries give
    /// them; `counted`: the bound the query had, so a count that reached it reads `N+`), or
    /// `no recorded use here`.
    public static func summary(of uses: [UsageRecord], named: Int = 5, counted bound: Int? = nil) -> String {
        guard !uses.isEmpty else { return "no recorded use here" }
        let latest = uses.suffix(named).reversed().map { use in
            "\(use.jobID.map { "job \($0)" } ?? use.kind.rawValue) (\(use.user ?? "uid \(use.uid)")@\(use.host), \(UTCTimestamp.format(use.started)))"
        }
        let count = bound.map { uses.count >= $0 } == true ? "\(uses.count)+" : "\(uses.count)"
        return "used here \(count) time(s), the latest: " + latest.joined(separator: ", ") + (uses.count > named ? ", …" : "")
    }
}
