public import Forensics
import Foundation

extension PackManClient {
    /// `GET /v1/usage` (role admin): the uses `query` matches, the newest `limit`, oldest first.
    public func usage(_ query: UsageQuery, limit: Int = 1000) throws(PackManClientError) -> [UsageRecord] {
        var parameters = ["limit=\(limit)"]
        if let package = query.package { parameters.append("package=\(Self.escape(package))") }
        if let since = query.since { parameters.append("since=\(since)") }
        if let until = query.until { parameters.append("until=\(until)") }
        if let job = query.job { parameters.append("job=\(Self.escape(job))") }
        if let user = query.user { parameters.append("user=\(Self.escape(user))") }
        return try call("GET", "/v1/usage?" + parameters.joined(separator: "&"))
    }

    /// `POST /v1/usage` (role job): reports a use for packmand's records (and its syslog copy).
    @discardableResult
    public func reportUsage(_ record: UsageRecord) throws(PackManClientError) -> UsageRecord {
        try call("POST", "/v1/usage", body: record)
    }
}
