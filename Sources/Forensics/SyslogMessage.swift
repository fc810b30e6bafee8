import Basics
import Foundation

/// An RFC 5424 syslog message: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD-ID name="value" ...] MSG`,
/// so that rsyslog and syslog-ng can forward it and parse its structured data. Usage records go
/// out as `MSGID` `usage` with the record's fields as structured data.
public struct SyslogMessage: Equatable, Sendable {
    /// RFC 5424 §6.2.1 facilities used here.
    public enum Facility: Int, Sendable, CaseIterable {
        case user = 1, daemon = 3, authpriv = 10
        case local0 = 16, local1, local2, local3, local4, local5, local6, local7
    }

    public enum Severity: Int, Sendable {
        case error = 3, warning = 4, notice = 5, info = 6
    }

    /// The SD-ID of our structured data: `name@<private enterprise number>`; 32473 is the
    /// number RFC 5612 reserves for examples and documentation (sites filter on the name).
    public static let structuredDataID = "alienUsage@32473"

    public var facility: Facility
    public var severity: Severity
    public var time: Int64
    public var host: String
    public var app: String
    public var processID: Int32
    public var messageID: String
    /// Structured-data parameters, in this order.
    public var parameters: [(name: String, value: String)]
    public var text: String

    public init(
        facility: Facility = .user, severity: Severity = .info, time: Int64, host: String, app: String = "alien-install",
        processID: Int32, messageID: String, parameters: [(name: String, value: String)], text: String
    ) {
        self.facility = facility
        self.severity = severity
        self.time = time
        self.host = host
        self.app = app
        self.processID = processID
        self.messageID = messageID
        self.parameters = parameters
        self.text = text
    }

    public static func == (lhs: SyslogMessage, rhs: SyslogMessage) -> Bool {
        lhs.facility == rhs.facility && lhs.severity == rhs.severity && lhs.time == rhs.time && lhs.host == rhs.host && lhs.app == rhs.app
            && lhs.processID == rhs.processID && lhs.messageID == rhs.messageID && lhs.text == rhs.text
            && lhs.parameters.map(\.name) == rhs.parameters.map(\.name) && lhs.parameters.map(\.value) == rhs.parameters.map(\.value)
    }

    /// The message of a usage record.
    public init(usage record: UsageRecord, facility: Facility = .user, host: String, processID: Int32) {
        var parameters: [(name: String, value: String)] = [("kind", record.kind.rawValue), ("uid", String(record.uid))]
        if let user = record.user { parameters.append(("user", user)) }
        if let job = record.jobID { parameters.append(("job", job)) }
        if let jdlUser = record.jdlUser { parameters.append(("jdlUser", jdlUser)) }
        if let batch = record.batch {
            parameters.append(("batchSystem", batch.system.rawValue))
            parameters.append(("batchJob", batch.id))
            if let cluster = batch.cluster { parameters.append(("batchCluster", cluster)) }
        }
        if let vo = record.vo { parameters.append(("vo", vo)) }
        for package in record.packages {
            parameters.append(("package", package.sha256.map { "\(package.id) sha256:\($0)" } ?? package.id))
        }
        if let seconds = record.seconds { parameters.append(("seconds", String(format: "%.3f", seconds))) }
        if let status = record.exitStatus { parameters.append(("exitStatus", String(status))) }
        let names = record.packages.map(\.id).joined(separator: ", ")
        self.init(
            facility: facility, time: record.started, host: record.host.isEmpty ? host : record.host, processID: processID,
            messageID: "usage", parameters: parameters, text: "\(record.kind.rawValue) by uid \(record.uid): \(names)")
    }

    /// The message's bytes (UTF-8; header fields reduced to what RFC 5424 allows).
    public var bytes: [UInt8] {
        let priority = facility.rawValue * 8 + severity.rawValue
        var out = "<\(priority)>1 \(UTCTimestamp.format(time)) \(Self.headerField(host, limit: 255)) \(Self.headerField(app, limit: 48)) "
        out += "\(processID) \(Self.headerField(messageID, limit: 32)) "
        if parameters.isEmpty {
            out += "-"
        } else {
            out += "[\(Self.structuredDataID)"
            for (name, value) in parameters { out += " \(Self.parameterName(name))=\"\(Self.parameterValue(value))\"" }
            out += "]"
        }
        if !text.isEmpty { out += " " + text.replacingOccurrences(of: "\n", with: " ") }
        return Array(out.utf8)
    }

    /// PRINTUSASCII without spaces (33...126), at most `limit` characters; `-` when empty.
    static func headerField(_ text: String, limit: Int) -> String {
        let kept = String(String.UnicodeScalarView(text.unicodeScalars.filter { (33...126).contains($0.value) }.prefix(limit)))
        return kept.isEmpty ? "-" : kept
    }

    /// SD-NAME: printable ASCII but `=`, space, `]` and `"`, at most 32.
    static func parameterName(_ name: String) -> String {
        let kept = name.unicodeScalars.filter { (33...126).contains($0.value) && !"= ]\"".unicodeScalars.contains($0) }.prefix(32)
        return kept.isEmpty ? "x" : String(String.UnicodeScalarView(kept))
    }

    /// PARAM-VALUE: UTF-8 with `"`, `\` and `]` escaped by a backslash (RFC 5424 §6.3.3).
    static func parameterValue(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" || scalar == "]" { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
