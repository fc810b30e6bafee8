import AlienModel
import AreaEnvironment
import ArgumentParser
import Foundation
import Jobs
import SoftwareArea
import Transport

/// `alien-install run --jdl FILE [ARGS...] [--job-id ID] [-- CMD...]`: the options turned into a
/// `JobSpec` and run by `Jobs.JobRunner` (install or use installed, lease, environment, child,
/// signals, release, usage record); the command's exit status returned.
struct JDLJob {
    var file: String
    var arguments: [String]
    var jobID: String?
    var command: [String]
    var areaOptions: EnvironmentAreaOptions
    /// `--vo`: the owner of packages written without one (nil: the packmand's default VO).
    var vo: String?

    func run() async throws -> Int32 {
        let check = try loadJDL(file: file, arguments: arguments, defaultOwner: vo ?? PackageID.defaultOwner)
        // The JDL is judged before the area is looked at.
        var job = try JobSpec(check: check, file: file, command: command, holder: jobID)
        // Each package in its VO: its owner prefix, else --vo; a job runs in one VO's area.
        if let vo { job.requests = job.requests.map { $0.owner == nil ? PackageID(owner: vo, name: $0.name, version: $0.version) : $0 } }
        let owners = Set(job.requests.compactMap(\.owner))
        guard owners.count <= 1 else {
            throw ValidationError("\(file): packages of \(owners.sorted().joined(separator: " and ")); a job runs in one VO's area")
        }
        let located = try areaOptions.resolve()
        let area = try SoftwareArea.open(
            root: located.root.path, arch: located.architecture.rawValue, fetcher: HTTPClient(),
            reporter: StderrReporter())
        // A packmand serving the area installs and leases for the job (it may own the area).
        let daemon = try configuredPackMan(area: area.layout.root, endpoint: nil, tokenFile: nil)
        let runner = JobRunner(area: area, daemon: daemon, warn: { Output.warn($0) })
        return try await runner.run(job)
    }
}

/// Area progress on stderr, so that stdout is the job's.
struct StderrReporter: AreaReporter {
    func report(_ event: AreaEvent) {
        FileHandle.standardError.write(Data((event.text + "\n").utf8))
    }
}
