import AlienModel
import ArgumentParser
import Basics
import Forensics
import Foundation
import PackManAPI
import SoftwareArea

/// `alien-install forensics`: who ran which packages, where and when, from the area's usage log and
/// the records of the packmand serving the area (when an admin token is at hand).
struct ForensicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forensics", abstract: "Show who used which packages, when and in which job (packmand's records and the area's usage log).",
        discussion: """
            Every `run --jdl` records a use in <area>/.alien/usage.log, and so do env, run, enter, \
            alienv load/printenv and jdl env (which also mark the packages as used for gc). When a \
            packmand serves the area (<area>/.alien/packmand.json, or $ALIEN_PACKMAN) and \
            $ALIEN_PACKMAN_TOKEN_FILE holds an admin token, its records are asked too (GET /v1/usage: \
            its /v1/env hand-outs, released leases, the uses `run --jdl` reports to it, and the \
            area's log, which it imports before answering); otherwise the area's log is read here. \
            Records are shown in time order. Each record has the time, how long and with which exit status (run --jdl), the host, the user (uid and name), the grid job id and the JDL's User, \
            the batch system's job id (Slurm, HTCondor, PBS/Torque, LSF, SGE), and the packages with \
            the sha256 of the tarballs they were installed from. The criteria given must all match: \
            --package NAME[::VERSION[-REV]] (a VO@ prefix limits it to that VO), --since/--until \
            (seconds since 1970, 2026-12-05, 2026-12-05T19:00:00Z, or an age such as 90m, 24h, 7d; \
            --until is exclusive), --job (the grid or the batch system's job id), --user (login name, \
            uid or the JDL's User). Lines of the log that cannot be read are reported, not hidden. \
            --json prints one record per line as the log stores it.
            """)

    @Option(name: .long, help: "A package: NAME, NAME::VERSION or NAME::VERSION-REV, optionally VO@NAME….")
    var package: String?
    @Option(name: .long, help: "Uses that began at or after this time.")
    var since: String?
    @Option(name: .long, help: "Uses that began before this time.")
    var until: String?
    @Option(name: .long, help: "A grid job id or a batch system's job id.")
    var job: String?
    @Option(name: .long, help: "A login name, a uid or a JDL's User.")
    var user: String?
    @OptionGroup var area: AreaOptions

    func run() async throws {
        let now = Int64(Date().timeIntervalSince1970)
        func time(_ text: String?, _ option: String) throws -> Int64? {
            guard let text else { return nil }
            guard let value = UsageQuery.time(text, now: now) else {
                throw ValidationError("\(option): expected seconds since 1970, YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or an age such as 24h, got '\(text)'")
            }
            return value
        }
        let query = UsageQuery(package: package, since: try time(since, "--since"), until: try time(until, "--until"), job: job, user: user)
        let softwareArea = try area.open(mode: .existing)
        // packmand imports the area's log before it answers: its answer is the whole story.
        var records: [UsageRecord]?
        if let daemon = try configuredPackMan(area: softwareArea.layout.root, endpoint: nil, tokenFile: nil) {
            do { records = try daemon.usage(query, limit: 10_000) } catch {
                Output.warn("\(error); showing the area's log only")
            }
        }
        if records == nil {
            let found = try softwareArea.usageLog.records(matching: query)
            for problem in found.problems { Output.warn(problem) }
            records = found.records
        }
        // Oldest first; a stable sort keeps each source's order among records of the same second.
        let ordered = (records ?? []).enumerated().sorted { ($0.element.started, $0.offset) < ($1.element.started, $1.offset) }.map(\.element)
        for record in ordered {
            if area.json {
                Output.write(String(decoding: record.jsonLine, as: UTF8.self))
            } else {
                Output.write(Self.describe(record) + "\n")
            }
        }
    }

    /// `2026-12-05T19:00:00Z run-jdl wn01 alice(1000) job 42 slurm 4711 exit 0 12.5 s: VO_ALICE@ROOT::v6-32-06-1, …`
    static func describe(_ record: UsageRecord) -> String {
        var parts = [UTCTimestamp.format(record.started), record.kind.rawValue, record.host, "\(record.user ?? "uid")(\(record.uid))"]
        if let job = record.jobID { parts.append("job \(job)") }
        if let user = record.jdlUser { parts.append("for \(user)") }
        if let batch = record.batch { parts.append("\(batch.system.rawValue) \(batch.id)") }
        if let status = record.exitStatus { parts.append("exit \(status)") }
        if let seconds = record.seconds { parts.append(String(format: "%.1f s", seconds)) }
        return parts.joined(separator: " ") + ": " + record.packages.map(\.id).joined(separator: ", ")
    }
}
