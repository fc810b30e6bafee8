import AlienModel
import AreaEnvironment
import ArgumentParser
import Basics
import Forensics
import Foundation
import JDL
import PackManAPI
import SoftwareArea
import Synchronization
import Transport

/// `alien-install run --jdl FILE [ARGS...] [--job-id ID] [-- CMD...]`: the job's packages made
/// present, leased for the job's lifetime, the command run as a child in their environment,
/// the lease released (also on failure or a signal), the command's exit status returned.
struct JDLJob {
    var file: String
    var arguments: [String]
    var jobID: String?
    var command: [String]
    var areaOptions: EnvironmentAreaOptions
    var defaultOwner = PackageID.defaultOwner

    func run() async throws -> Int32 {
        let check = try loadJDL(file: file, arguments: arguments, defaultOwner: defaultOwner)
        guard check.succeeded else { throw Output.fail("\(file): " + check.problems.joined(separator: "; ")) }
        let requests = check.packages.entries.map(\.id)
        let environmentArea = try areaOptions.resolve()
        let area = try Output.run {
            try SoftwareArea.open(root: environmentArea.root.path, arch: environmentArea.architecture.rawValue, fetcher: HTTPClient(),
                                  reporter: StderrReporter())
        }
        let holder = jobID ?? "jdl-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let ttl = Self.leaseSeconds(check)
        // A packmand serving the area installs and leases for the job (it may own the area).
        let daemon = try configuredPackMan(area: area.layout.root, endpoint: nil, tokenFile: nil)
        let present: Present
        if let daemon {
            let job = try Output.run {
                try daemon.install(requests.map(\.description), lease: LeaseSpec(holder: holder, ttl: ttl), wait: 3600)
            }
            guard job.state == .succeeded else {
                _ = try? daemon.releaseLease(LeaseRequest(holder: holder))
                throw Output.fail("packmand job \(job.id) \(job.state.rawValue): \(job.error ?? "not finished within an hour")")
            }
            do { present = try installedPresent(requests, in: area) } catch {
                _ = try? daemon.releaseLease(LeaseRequest(holder: holder))
                throw error
            }
        } else {
            present = try await makePresent(requests, in: area)
        }
        let release: @Sendable () throws -> Void = {
            if let daemon { _ = try daemon.releaseLease(LeaseRequest(holder: holder)) } else { _ = try area.releaseLease(holder: holder) }
        }
        // From here on SIGINT/SIGTERM/SIGHUP do not end this process before the lease is released.
        let forwarding = SignalForwarding.install()
        defer { forwarding.restore() }
        if daemon == nil { _ = try Output.run { try area.acquireLease(holder: holder, packages: present.all, ttl: ttl) } }
        let status: Int32
        let started = Date()
        do {
            let program = try command.isEmpty ? Self.jdlCommand(check.document, file: file) : command
            let selected = try Output.run { try environmentArea.resolve(present.roots) }
            let base = ProcessInfo.processInfo.environment.merging(["ALIEN_JOB_ID": holder]) { $1 }
            let changes = try Output.run {
                return try environmentArea.changes(of: selected, base: base)
            }
            let signalled = SignalForwarding.pending.load(ordering: .sequentiallyConsistent)
            status = signalled != 0 ? 128 + signalled : try Self.spawn(program, environment: changes.applied(to: base))
        } catch {
            try? release()
            throw error
        }
        try Output.run { try release() }
        // Who ran what, where (packmand's own record of its leases is not kept yet: the area's
        // log is written when this process owns the area).
        if daemon == nil {
            let record = UsageRecord.now(kind: .runJDL, started: started, exitStatus: status, jobID: holder,
                                         jdlUser: check.document["User"]?.stringValue, vo: nil,
                                         packages: area.usedPackages(present.all))
            if let reason = area.recordUse(record) { Output.warn("the use was not recorded: \(reason)") }
        }
        return status
    }

    /// The roots (as exact `Name::Version-Rev` requests) and everything to lease.
    struct Present {
        var roots: [PackageID]
        var all: [PackageID]
    }

    /// Installs through the area when it knows a trusted repository (closure included);
    /// otherwise takes what is installed, naming what is missing.
    private func makePresent(_ requests: [PackageID], in area: SoftwareArea) async throws -> Present {
        let installedAlready = requests.allSatisfy { !area.installed(matching: $0).isEmpty }
        if area.configuration.repository != nil, FileManager.default.fileExists(atPath: "\(area.layout.trust)/root.json") {
            let outcomes: [SoftwareArea.InstallOutcome]
            do { outcomes = try await area.install(requests) } catch {
                guard installedAlready, case .trust = error else { throw Output.fail(error.description) }
                // The repository is out of reach but everything is here: run with what is installed.
                Output.warn("\(error); using the installed packages")
                return try installedPresent(requests, in: area)
            }
            var roots: [PackageID] = []
            for request in requests {
                guard let outcome = outcomes.first(where: {
                    $0.package.name == request.name && request.version.matches($0.package.version)
                }) else { continue }
                roots.append(outcome.package.id)
            }
            return Present(roots: roots, all: outcomes.map(\.package.id))
        }
        return try installedPresent(requests, in: area)
    }

    /// The newest installed match of each request; an error names the missing ones.
    private func installedPresent(_ requests: [PackageID], in area: SoftwareArea) throws -> Present {
        var roots: [PackageID] = []
        var missing: [String] = []
        for request in requests {
            if let match = area.installed(matching: request).first { roots.append(match.key.id) } else { missing.append(request.description) }
        }
        if !missing.isEmpty {
            throw Output.fail("not installed in \(area.layout.root) (and the area knows no repository to install from): \(missing.joined(separator: ", "))")
        }
        return Present(roots: roots, all: roots)
    }

    /// The JDL's `TTL` plus an hour, else a day. A TTL out of range never gets here: it is one
    /// of the check's problems, and `run` stops on those.
    static func leaseSeconds(_ check: JDLCheck) -> Int64 {
        (check.ttl?.seconds ?? 82_800) + 3_600
    }

    /// `Executable` with `Arguments` split at blanks.
    static func jdlCommand(_ document: JDLDocument, file: String) throws -> [String] {
        guard let executable = document["Executable"]?.stringValue, !executable.isEmpty else {
            throw Output.fail("\(file): no Executable, and no command given after --")
        }
        let arguments: [String]
        switch document["Arguments"] {
        case let .string(text)?: arguments = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        case let .list(items)?: arguments = items.compactMap(\.stringValue)
        default: arguments = []
        }
        return [executable] + arguments
    }

    /// Runs `command` as a child (looked up in the environment's PATH); SIGINT/SIGTERM/SIGHUP
    /// are forwarded to it. Returns its exit status (128 + signal when it was killed).
    static func spawn(_ command: [String], environment: [String: String]) throws -> Int32 {
        guard let program = command.first else { throw Output.fail("no command given") }
        guard let path = ExecutableSearch.find(program, path: environment["PATH"]) else {
            throw Output.fail("\(program): command not found in the environment's PATH", code: 127)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        // The child inherits this thread's signal mask, which on a concurrency thread blocks
        // nearly everything: spawn with an empty one, then put it back.
        var saved = sigset_t()
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &saved)
        do { try process.run() } catch {
            pthread_sigmask(SIG_SETMASK, &saved, nil)
            throw Output.fail("cannot run \(path): \(error.localizedDescription)", code: 126)
        }
        pthread_sigmask(SIG_SETMASK, &saved, nil)
        SignalForwarding.child.store(process.processIdentifier, ordering: .sequentiallyConsistent)
        let pending = SignalForwarding.pending.load(ordering: .sequentiallyConsistent)
        if pending != 0 { kill(process.processIdentifier, pending) }
        defer { SignalForwarding.child.store(0, ordering: .sequentiallyConsistent) }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}

/// SIGINT/SIGTERM/SIGHUP handlers that forward the signal to the job's process, or remember it
/// when none runs yet. Handlers, not `UnixSignals` as elsewhere: that one ignores the signals
/// (SIG_IGN), and `Process` passes ignored dispositions on to the child. `kill(2)` and lock-free
/// atomics are async-signal-safe.
struct SignalForwarding {
    static let child = Atomic<pid_t>(0)
    static let pending = Atomic<Int32>(0)
    static let signals = [SIGINT, SIGTERM, SIGHUP]
    private var previous: [sigaction] = []

    static func install() -> SignalForwarding {
        var forwarding = SignalForwarding()
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { received in
                let child = SignalForwarding.child.load(ordering: .sequentiallyConsistent)
                if child > 0 { kill(child, received) } else { SignalForwarding.pending.store(received, ordering: .sequentiallyConsistent) }
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            var old = sigaction()
            sigaction(number, &action, &old)
            forwarding.previous.append(old)
        }
        return forwarding
    }

    func restore() {
        for (number, old) in zip(Self.signals, previous) {
            var restored = old
            sigaction(number, &restored, nil)
        }
    }
}

/// Area progress on stderr, so that stdout is the job's.
struct StderrReporter: AreaReporter {
    func report(_ event: AreaEvent) {
        FileHandle.standardError.write(Data((event.text + "\n").utf8))
    }
}
