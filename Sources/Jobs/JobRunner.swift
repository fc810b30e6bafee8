public import AlienModel
import AreaEnvironment
import Basics
import Forensics
public import Foundation
public import PackManAPI
public import SoftwareArea
import Synchronization

/// Runs a job in a software area (`alien-install run --jdl`): its packages made present — by
/// the packmand serving the area when one is given (it installs and holds the lease), else
/// installed here when the area trusts a repository (closure included; when the repository is
/// unreachable and everything is installed, the installed packages), else the installed ones —,
/// leased for the job's lifetime, the command run as a child in their environment with
/// `ALIEN_JOB_ID` set and SIGINT/SIGTERM/SIGHUP forwarded to it, the lease released (also on
/// failure or a signal), the use recorded (reported to the packmand serving the area, else in the
/// area's log), and the command's exit status returned (128 + N when signal N ended it).
public struct JobRunner: Sendable {
    public var area: SoftwareArea
    /// The packmand serving the area, if any.
    public var daemon: PackManClient?
    /// The environment the job's starts from (the process's).
    public var environment: [String: String]
    /// Non-fatal news: an unreachable repository, a use that was not recorded.
    public var warn: @Sendable (String) -> Void
    /// Seconds to wait for the packmand's install job.
    public var daemonWait = 3600

    public init(
        area: SoftwareArea, daemon: PackManClient?, environment: [String: String] = ProcessInfo.processInfo.environment,
        warn: @escaping @Sendable (String) -> Void
    ) {
        self.area = area
        self.daemon = daemon
        self.environment = environment
        self.warn = warn
    }

    /// The roots (exact `Name::Version-Rev` ids) and everything to lease.
    public struct Present: Sendable, Hashable {
        public var roots: [PackageID]
        public var all: [PackageID]
    }

    public func run(_ job: JobSpec) async throws(JobError) -> Int32 {
        let present: Present
        if let daemon {
            present = try presentThroughDaemon(daemon, job)
        } else {
            present = try await makePresent(job.requests)
        }
        let release: @Sendable () throws(JobError) -> Void = { [area] () throws(JobError) in
            if let daemon {
                do throws(PackManClientError) { _ = try daemon.releaseLease(LeaseRequest(holder: job.holder)) } catch { throw .daemon(error) }
            } else {
                do throws(SoftwareAreaError) { _ = try area.releaseLease(holder: job.holder) } catch { throw .area(error) }
            }
        }
        // From here on SIGINT/SIGTERM/SIGHUP do not end this process before the lease is released.
        let forwarding = SignalForwarding.install()
        defer { forwarding.restore() }
        if daemon == nil {
            do { _ = try area.acquireLease(holder: job.holder, packages: present.all, ttl: job.leaseSeconds) } catch { throw .area(error) }
        }
        let status: Int32
        let started = Date()
        let computed: PackageEnvironment
        do throws(JobError) {
            let base = environment.merging(["ALIEN_JOB_ID": job.holder]) { $1 }
            do { computed = try area.environment(for: present.roots, base: base, recording: nil) } catch { throw .environment(error) }
            let signalled = SignalForwarding.pending.load(ordering: .sequentiallyConsistent)
            status = signalled != 0 ? 128 + signalled : try await Self.spawn(job.command, environment: computed.changes.applied(to: base))
        } catch {
            try? release()
            throw error
        }
        try release()
        recordUse(of: computed.closure, job: job, started: started, status: status)
        return status
    }

    /// Who ran what, where: reported to the packmand serving the area (its database and syslog
    /// copy; the packages stamped as used here), else — or when it refuses — the area's log.
    func recordUse(of closure: [EnvironmentPackage], job: JobSpec, started: Date, status: Int32) {
        let use = EnvironmentUse(.runJDL, jobID: job.holder, jdlUser: job.jdlUser)
        if let daemon {
            let keys = closure.map(\.build)
            for key in keys { area.layout.stampUsed(key, at: Int64(started.timeIntervalSince1970)) }
            let record = UsageRecord.now(
                kind: use.kind, started: started, exitStatus: status, jobID: use.jobID, jdlUser: use.jdlUser,
                vo: area.configuration.vo, packages: area.layout.usedPackages(keys, owner: area.configuration.owner), environment: environment)
            do throws(PackManClientError) {
                try daemon.reportUsage(record)
                return
            } catch {
                warn("packmand did not take the use (\(error)); recording it in the area's log")
            }
        }
        if let reason = (try? area.environmentArea())?.recordUse(
            of: closure, use: use, started: started, exitStatus: status,
            environment: environment)
        {
            warn("the use was not recorded: \(reason)")
        }
    }

    func presentThroughDaemon(_ daemon: PackManClient, _ job: JobSpec) throws(JobError) -> Present {
        let status: JobStatus
        do {
            status = try daemon.install(job.requests.map(\.description), lease: LeaseSpec(holder: job.holder, ttl: job.leaseSeconds), wait: daemonWait)
        } catch { throw .daemon(error) }
        do throws(JobError) {
            guard status.state == .succeeded else {
                throw .daemonJob(id: status.id, state: status.state.rawValue, reason: status.error ?? "not finished within \(daemonWait) s")
            }
            return try installedPresent(job.requests)
        } catch {
            _ = try? daemon.releaseLease(LeaseRequest(holder: job.holder))
            throw error
        }
    }

    /// Installs through the area when it knows a trusted repository (closure included);
    /// otherwise takes what is installed, naming what is missing.
    func makePresent(_ requests: [PackageID]) async throws(JobError) -> Present {
        guard area.configuration.repository != nil, FileManager.default.fileExists(atPath: "\(area.layout.trust)/root.json") else {
            return try installedPresent(requests)
        }
        let installedAlready = requests.allSatisfy { !area.installed(matching: $0).isEmpty }
        let outcomes: [SoftwareArea.InstallOutcome]
        do { outcomes = try await area.install(requests) } catch {
            guard installedAlready, case .unreachable = error else { throw .area(error) }
            // The repository is out of reach but everything is here: run with what is installed.
            warn("\(error); using the installed packages")
            return try installedPresent(requests)
        }
        var roots: [PackageID] = []
        for request in requests {
            guard let outcome = outcomes.first(where: { $0.package.name == request.name && request.version.matches($0.package.version) })
            else { continue }
            roots.append(outcome.package.id)
        }
        return Present(roots: roots, all: outcomes.map(\.package.id))
    }

    /// The newest installed match of each request; an error names the missing ones.
    func installedPresent(_ requests: [PackageID]) throws(JobError) -> Present {
        var roots: [PackageID] = []
        var missing: [String] = []
        for request in requests {
            if let match = area.installed(matching: request).first {
                roots.append(match.key.id)
            } else {
                missing.append(request.description)
            }
        }
        if !missing.isEmpty { throw .notInstalled(area: area.layout.root, missing: missing) }
        return Present(roots: roots, all: roots)
    }

    /// Runs `command` as a child (looked up in the environment's PATH) and waits for it without
    /// holding a thread (its end is reported by Foundation's child monitor); SIGINT/SIGTERM/SIGHUP
    /// are forwarded to it while `SignalForwarding` is installed. Returns its exit status
    /// (128 + signal when it was killed).
    public static func spawn(_ command: [String], environment: [String: String]) async throws(JobError) -> Int32 {
        guard let program = command.first, !program.isEmpty else { throw .commandNotFound("") }
        guard let path = ExecutableSearch.find(program, path: environment["PATH"]) else { throw .commandNotFound(program) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        defer { SignalForwarding.child.store(0, ordering: .sequentiallyConsistent) }
        let outcome: Result<Int32, JobError> = await withCheckedContinuation { continuation in
            process.terminationHandler = { ended in
                continuation.resume(
                    returning: .success(
                        ended.terminationReason == .uncaughtSignal ? 128 + ended.terminationStatus : ended.terminationStatus))
            }
            // The child inherits this thread's signal mask, which on a concurrency thread blocks
            // nearly everything: spawn with an empty one, then put it back.
            var saved = sigset_t()
            var empty = sigset_t()
            sigemptyset(&empty)
            pthread_sigmask(SIG_SETMASK, &empty, &saved)
            do { try process.start() } catch {
                pthread_sigmask(SIG_SETMASK, &saved, nil)
                process.terminationHandler = nil
                continuation.resume(returning: .failure(.cannotRun(path: path, reason: error.localizedDescription)))
                return
            }
            pthread_sigmask(SIG_SETMASK, &saved, nil)
            SignalForwarding.child.store(process.processIdentifier, ordering: .sequentiallyConsistent)
            let pending = SignalForwarding.pending.load(ordering: .sequentiallyConsistent)
            if pending != 0 { kill(process.processIdentifier, pending) }
        }
        return try outcome.get()
    }
}
