public import AlienModel
import Foundation
public import JDL

/// What a job runs: its packages, its command, the lease holder and how long the lease lasts.
public struct JobSpec: Sendable, Hashable {
    /// The packages as the job names them (versions may be ranges or `latest`).
    public var requests: [PackageID]
    /// The program and its arguments.
    public var command: [String]
    /// The lease holder and `ALIEN_JOB_ID` (letters, digits, '.', '_', '-').
    public var holder: String
    /// Seconds the lease lasts.
    public var leaseSeconds: Int64
    /// The JDL's `User`, for the usage record.
    public var jdlUser: String?

    public init(requests: [PackageID], command: [String], holder: String, leaseSeconds: Int64, jdlUser: String? = nil) {
        self.requests = requests
        self.command = command
        self.holder = holder
        self.leaseSeconds = leaseSeconds
        self.jdlUser = jdlUser
    }

    /// The job a checked JDL describes (`file` names it in errors): its `Packages`, `command`
    /// or else its `Executable` with its `Arguments`, `holder` or else a generated one, the lease
    /// for `leaseSeconds(check)`.
    public init(check: JDLCheck, file: String, command: [String], holder: String?) throws(JobError) {
        guard check.succeeded else { throw .problems(file: file, check.problems) }
        self.init(
            requests: check.packages.entries.map(\.id), command: command.isEmpty ? try Self.command(check.document, file: file) : command,
            holder: holder ?? Self.generatedHolder(), leaseSeconds: Self.leaseSeconds(check), jdlUser: check.document["User"]?.stringValue)
    }

    /// `jdl-<pid>-<random>`.
    public static func generatedHolder() -> String {
        "jdl-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The JDL's `TTL` plus an hour, else a day. A TTL out of range never gets here: it is one
    /// of the check's problems.
    public static func leaseSeconds(_ check: JDLCheck) -> Int64 {
        (check.ttl?.seconds ?? 82_800) + 3_600
    }

    /// `Executable` with `Arguments` split at blanks (or given as a list).
    public static func command(_ document: JDLDocument, file: String) throws(JobError) -> [String] {
        guard let executable = document["Executable"]?.stringValue, !executable.isEmpty else { throw .noCommand(file: file) }
        let arguments: [String]
        switch document["Arguments"] {
        case let .string(text)?: arguments = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        case let .list(items)?: arguments = items.compactMap(\.stringValue)
        default: arguments = []
        }
        return [executable] + arguments
    }
}
