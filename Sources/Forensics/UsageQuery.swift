import Basics
import Foundation

/// Which usage records a forensics question is about; every criterion given must match.
public struct UsageQuery: Equatable, Sendable {
    /// `Name` (any version) or `Name::Version` / `Name::Version-Rev` (that version, or that
    /// exact package), with or without the `VO@` prefix.
    public var package: String?
    /// Records of uses that began at or after / before this time (seconds since 1970).
    public var since: Int64?
    public var until: Int64?
    /// The grid job id, or the batch system's job id.
    public var job: String?
    /// The login name, the numeric uid, or the JDL's user.
    public var user: String?
    /// Uses of a package installed from the tarball with this sha256 (any case); with `package`,
    /// the same package must have both.
    public var sha256: String?

    public init(
        package: String? = nil, since: Int64? = nil, until: Int64? = nil, job: String? = nil, user: String? = nil, sha256: String? = nil
    ) {
        self.package = package
        self.since = since
        self.until = until
        self.job = job
        self.user = user
        self.sha256 = sha256?.lowercased()
    }

    public func matches(_ record: UsageRecord) -> Bool {
        if let since, record.started < since { return false }
        if let until, record.started >= until { return false }
        if let job, record.jobID != job, record.batch?.id != job { return false }
        if let user, record.user != user, String(record.uid) != user, record.jdlUser != user { return false }
        if package != nil || sha256 != nil {
            let matching = record.packages.contains { used in
                (package.map { Self.package(used.id, matches: $0) } ?? true) && (sha256.map { used.sha256?.lowercased() == $0 } ?? true)
            }
            if !matching { return false }
        }
        return true
    }

    /// Whether the package id `VO@Name::Version-Rev` is what `wanted` names: the same name, the
    /// same version (any revision) or the same version and revision when `wanted` has one, and
    /// the same VO when `wanted` names one.
    static func package(_ id: String, matches wanted: String) -> Bool {
        func split(_ text: String) -> (owner: Substring?, name: Substring, version: Substring?) {
            var rest = Substring(text)
            var owner: Substring?
            if let at = rest.firstIndex(of: "@") {
                owner = rest[..<at]
                rest = rest[rest.index(after: at)...]
            }
            guard let separator = rest.range(of: "::") else { return (owner, rest, nil) }
            return (owner, rest[..<separator.lowerBound], rest[separator.upperBound...])
        }
        let have = split(id), want = split(wanted)
        if let owner = want.owner, have.owner != owner { return false }
        guard have.name == want.name else { return false }
        guard let version = want.version else { return true }
        guard let installed = have.version else { return false }
        // `installed` is `Version-Rev`: the revision follows the last dash.
        let withoutRevision = installed.lastIndex(of: "-").map { installed[..<$0] }
        return installed == version || withoutRevision == version
    }
}

extension UsageQuery {
    /// A point in time as an admin types it: seconds since 1970 (`1733400000`), a UTC date
    /// (`2026-12-05`, its midnight) or date and time (`2026-12-05T19:00:00Z`), or an age before
    /// `now` (`90m`, `24h`, `7d`). Nil for anything else.
    public static func time(_ text: String, now: Int64) -> Int64? {
        if let seconds = Int64(text), seconds >= 0 { return seconds }
        if let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 {
            switch unit {
            case "m": return now - amount * 60
            case "h": return now - amount * 3_600
            case "d": return now - amount * 86_400
            default: break
            }
        }
        return UTCTimestamp.parse(text) ?? (text.count == 10 ? UTCTimestamp.parse(text + "T00:00:00Z") : nil)
    }
}
