public import Forensics
import Foundation
import Yams

/// `usage:` of packmand's configuration: how long usage records are kept, how many at most, and
/// where their syslog copy goes.
///
/// ```yaml
/// usage:
///   retention_days: 400        # records older than this are pruned (every 5 minutes)
///   max_rows: 1000000          # and all but the newest this many
///   syslog: /dev/log           # or udp://127.0.0.1:514, or off; unset: /dev/log when it is a socket
/// ```
public struct UsageSettings: Sendable, Hashable {
    public enum Syslog: Sendable, Hashable {
        /// `/dev/log` when it exists as a socket (checked at each record), else nothing.
        case auto
        case off
        case to(SyslogSender.Destination)
    }

    public var retentionDays = 400
    public var maxRows = 1_000_000
    public var syslog = Syslog.auto

    public init() {}

    /// Where a record's syslog copy goes now, if anywhere.
    public var syslogDestination: SyslogSender.Destination? {
        switch syslog {
        case .off: return nil
        case let .to(destination): return destination
        case .auto:
            var info = stat()
            guard stat(Self.defaultSocket, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { return nil }
            return .unixSocket(Self.defaultSocket)
        }
    }

    static let defaultSocket = "/dev/log"

    static func parse(_ node: Node, reader: ConfigReader) throws(ConfigError) -> UsageSettings {
        let entries = try reader.entries(try reader.mapping(node, "usage"), prefix: "usage.", known: ["retention_days", "max_rows", "syslog"])
        var settings = UsageSettings()
        if let value = entries["retention_days"] { settings.retentionDays = try reader.integer(value, "usage.retention_days", in: 1...36_500) }
        if let value = entries["max_rows"] { settings.maxRows = try reader.integer(value, "usage.max_rows", in: 100...1_000_000_000) }
        if let value = entries["syslog"] {
            // YAML reads a bare `off` as false.
            let text = try reader.string(value, "usage.syslog")
            if ["off", "false", "no"].contains(text) {
                settings.syslog = .off
            } else {
                do { settings.syslog = .to(try SyslogSender.Destination(parsing: text)) } catch {
                    throw reader.error(value, "usage.syslog", "expected off, a socket path such as /dev/log or udp://HOST:PORT, got '\(text)'")
                }
            }
        }
        return settings
    }
}
