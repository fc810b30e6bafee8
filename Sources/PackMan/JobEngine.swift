public import AlienModel
import Basics
import Foundation
public import PackManAPI
public import SoftwareArea
import Trust

/// Why the engine refused a request.
public enum EngineError: Error, Sendable, Hashable, CustomStringConvertible {
    case badPackage(String, reason: String)
    /// A package text that is not a package id (the model's refusal kept).
    case invalidPackageID(String, ModelError)
    /// The daemon is stopping: no new jobs (HTTP 503).
    case stopping
    case state(String)

    public var description: String {
        switch self {
        case let .badPackage(text, reason): "\(text): \(reason)"
        case let .invalidPackageID(text, error): "\(text): \(error)"
        case .stopping: "packmand is stopping; try again after it restarts"
        case let .state(reason): reason
        }
    }
}

/// Runs install and synchronize jobs: identical in-flight requests join one job, at most
/// `parallelJobs` run at once (on `ThreadExecutor.installs`' threads), every job is stored before it
/// starts and after it ends, and jobs a stopped daemon left behind are resumed by `resume()`.
public actor JobEngine {
    enum State { case running, draining, stopped }

    /// A queued or running job.
    final class Live: Sendable {
        let id: String
        let kind: JobKind
        let requests: [PackageID]
        let progress = JobProgress()
        let created: Int64
        let identity: String
        let removeUndefined: Bool
        let wantsAll: Bool
        init(id: String, kind: JobKind, requests: [PackageID], created: Int64, identity: String, removeUndefined: Bool, wantsAll: Bool) {
            self.id = id
            self.kind = kind
            self.requests = requests
            self.created = created
            self.identity = identity
            self.removeUndefined = removeUndefined
            self.wantsAll = wantsAll
        }
    }

    let area: SoftwareArea
    let store: StateStore
    /// Where the engine's audit entries go (the site's database; `store` on a one-VO site).
    let auditStore: StateStore
    /// The VO whose area this engine installs into (`config.vo`).
    public let vo: String
    let metrics: DaemonMetrics
    let config: DaemonConfig
    let clock: @Sendable () -> Int64
    var state = State.running
    var live: [String: Live] = [:]
    var status: [String: JobStatus] = [:]
    var leases: [String: [LeaseSpec]] = [:]
    /// Dedup key (kind + canonical packages) → job id, while queued or running.
    var inFlight: [String: String] = [:]
    var queue: [String] = []
    var running = 0
    var waiters: [String: [UUID: CheckedContinuation<Void, Never>]] = [:]
    var idle: [CheckedContinuation<Void, Never>] = []
    /// Called after each finished job (caches, notifications).
    var onFinish: (@Sendable (JobStatus) -> Void)?

    /// `config` is scoped to the engine's VO (`DaemonConfig.scoped(to:)`); `store` holds its jobs
    /// and logs (so a resumed job resumes in its VO's area), `auditStore` the site's audit log.
    public init(area: SoftwareArea, store: StateStore, metrics: DaemonMetrics, config: DaemonConfig, auditStore: StateStore? = nil) {
        self.area = area
        self.store = store
        self.auditStore = auditStore ?? store
        vo = config.vo
        self.metrics = metrics
        self.config = config
        clock = area.clock
    }

    public func setOnFinish(_ handler: @escaping @Sendable (JobStatus) -> Void) { onFinish = handler }

    // MARK: submitting

    /// Starts an install of `packages` (or joins the identical one in flight); the job's status.
    public func install(_ packages: [String], lease: LeaseSpec?, identity: String) throws(EngineError) -> (JobStatus, joined: Bool) {
        guard state == .running else { throw .stopping }
        guard !packages.isEmpty else { throw .badPackage("packages", reason: "no package given") }
        let requests = try Self.parse(packages)
        if let lease {
            guard lease.ttl > 0, lease.ttl <= 30 * 86400 else { throw .badPackage("lease.ttl", reason: "expected 1…2592000 seconds, got \(lease.ttl)") }
            guard !lease.holder.isEmpty, lease.holder.count <= 200,
                lease.holder.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }),
                !lease.holder.hasPrefix(".")
            else {
                throw .badPackage("lease.holder", reason: "expected letters, digits, '.', '_', '-' (not starting with '.')")
            }
        }
        let canonical = requests.map(\.description).sorted()
        let key = "install " + canonical.joined(separator: " ")
        if let id = inFlight[key], var current = status[id] {
            current.joined += 1
            status[id] = current
            if let lease { leases[id, default: []].append(lease) }
            return (snapshot(id) ?? current, true)
        }
        let job = Live(
            id: Self.newID(), kind: .install, requests: requests, created: clock(), identity: identity, removeUndefined: false,
            wantsAll: false)
        try enqueue(job, key: key, lease: lease)
        return (snapshot(job.id)!, false)
    }

    /// Starts a synchronize job: `packages` wanted (nil: the newest of every defined package).
    public func synchronize(_ packages: [String]?, removeUndefined: Bool, identity: String) throws(EngineError) -> JobStatus {
        guard state == .running else { throw .stopping }
        let requests = try Self.parse(packages ?? [])
        let key = "synchronize " + (packages == nil ? "*" : requests.map(\.description).sorted().joined(separator: " ")) + " \(removeUndefined)"
        if let id = inFlight[key], let current = snapshot(id) { return current }
        let job = Live(
            id: Self.newID(), kind: .synchronize, requests: requests, created: clock(), identity: identity,
            removeUndefined: removeUndefined, wantsAll: packages == nil)
        try enqueue(job, key: key, lease: nil)
        return snapshot(job.id)!
    }

    func enqueue(_ job: Live, key: String, lease: LeaseSpec?) throws(EngineError) {
        var initial = JobStatus(
            id: job.id, kind: job.kind, state: .queued, packages: job.wantsAll ? ["*"] : job.requests.map(\.description),
            created: job.created, identity: job.identity)
        initial.vo = vo
        do {
            try store.save(.init(status: initial, lease: lease, removeUndefined: job.removeUndefined))
        } catch { throw .state(error.description) }
        live[job.id] = job
        status[job.id] = initial
        if let lease { leases[job.id] = [lease] }
        inFlight[key] = job.id
        queue.append(job.id)
        pump()
    }

    static func parse(_ packages: [String]) throws(EngineError) -> [PackageID] {
        var result: [PackageID] = []
        for text in packages {
            do { result.append(try PackageID(parsing: text)) } catch { throw .invalidPackageID(text, error) }
        }
        return result
    }

    static func newID() -> String {
        "j" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(15).lowercased()
    }

    // MARK: status and waiting

    /// A job's status (live progress for running jobs; from the database for old ones).
    public func job(_ id: String) -> JobStatus? {
        if let current = snapshot(id) { return current }
        return (try? store.job(id))?.status.finishedProgress.withVO(vo)
    }

    func snapshot(_ id: String) -> JobStatus? {
        guard var current = status[id] else { return nil }
        if let job = live[id], current.state == .running {
            let progress = job.progress.snapshot
            current.bytes = progress.bytes
            current.total = progress.total
            current.progress = progress.progress
        }
        return current.state.isFinished ? current.finishedProgress : current
    }

    /// Waits until the job finished or `seconds` passed; its status then.
    public func wait(_ id: String, seconds: Int) async -> JobStatus? {
        guard let current = job(id) else { return nil }
        if current.state.isFinished || seconds <= 0 || live[id] == nil { return current }
        let token = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiters[id, default: [:]][token] = continuation
            Task { [weak self] in
                try? await Task.sleep(for: .seconds(seconds))
                await self?.timeOut(id, token)
            }
        }
        return job(id)
    }

    func timeOut(_ id: String, _ token: UUID) {
        waiters[id]?.removeValue(forKey: token)?.resume()
    }

    public var counts: (running: Int, queued: Int) { (running, queue.count) }

    /// Running jobs that wait for another installer's package lock: job id, package, seconds
    /// waited, the holder's pid when known.
    public var lockWaits: [(job: String, package: PackageBuild, seconds: Int, holder: Int32?)] {
        live.values.compactMap { job in job.progress.waitingForLock.map { (job.id, $0.key, $0.seconds, $0.holder) } }
            .sorted { $0.job < $1.job }
    }

    /// Jobs queued or running, oldest first; then the newest finished ones.
    public func recentJobs(limit: Int = 20) -> [JobStatus] {
        let current = status.values.filter { !$0.state.isFinished }.sorted { $0.created < $1.created }.compactMap { snapshot($0.id) }
        let finished = ((try? store.jobs(limit: limit)) ?? []).map(\.status).filter { $0.state.isFinished }.map { $0.finishedProgress.withVO(vo) }
        return current + finished
    }

    // MARK: running

    func pump() {
        while state == .running, running < max(1, min(config.parallelJobs, ThreadExecutor.maxParallelJobs)), !queue.isEmpty {
            let id = queue.removeFirst()
            guard let job = live[id], var current = status[id] else { continue }
            running += 1
            current.state = .running
            status[id] = current
            try? store.save(.init(status: current, lease: leases[id]?.first, removeUndefined: job.removeUndefined))
            let area = self.area, store = self.store, metrics = self.metrics, config = self.config, clock = self.clock
            Task(executorPreference: ThreadExecutor.installs) {
                var outcome = await Self.execute(job, area: area, store: store, metrics: metrics, config: config, clock: clock)
                // Leases take the area's lease lock and read install records: on this thread too, not the actor's.
                let leases = await self.closeForJoining(job.id)
                if outcome.error == nil { outcome.error = Self.acquire(leases, for: job, area: area) }
                await self.finish(job, outcome)
            }
        }
        metrics.queue(running: running, queued: queue.count)
    }

    struct Outcome: Sendable {
        var installed: [String] = []
        var removed: [String] = []
        var error: String?
    }

    /// The work of one job, off the actor (on the install threads).
    nonisolated static func execute(
        _ job: Live, area base: SoftwareArea, store: StateStore, metrics: DaemonMetrics, config: DaemonConfig,
        clock: @escaping @Sendable () -> Int64
    ) async -> Outcome {
        var area = base
        area.reporter = JobReporter(job: job.id, progress: job.progress, store: store, metrics: metrics, clock: clock)
        var outcome = Outcome()
        do {
            if job.kind == .synchronize {
                outcome = try await synchronize(job, area: area, store: store, clock: clock)
            } else {
                let results = try await area.install(job.requests, options: .init(evict: config.eviction == .lru))
                outcome.installed = results.filter { $0.status != .alreadyInstalled }.map(\.package.description)
            }
            if let budget = config.diskBudget, config.eviction == .lru {
                let report = try area.collectGarbage(budget: budget)
                outcome.removed += report.removed.map(\.description)
            }
        } catch {
            outcome.error = error.description
            for request in job.requests {
                try? store.log(
                    package: area.installed(matching: request).first?.key.description ?? request.description, job: job.id,
                    time: clock(), text: "failed: \(error.description)")
            }
        }
        return outcome
    }

    /// Installs what is wanted and missing; removes installed packages no longer defined (not leased, not needed).
    nonisolated static func synchronize(_ job: Live, area: SoftwareArea, store: StateStore, clock: @escaping @Sendable () -> Int64)
        async throws(SoftwareAreaError) -> Outcome
    {
        var outcome = Outcome()
        let catalog = try area.catalog()
        let defined = try await catalog.available()
        var wanted = job.requests
        if job.wantsAll {
            // The newest build of each name that is not revoked.
            let revoked = Set(try await catalog.revocations().map(\.target))
            var seen = Set<PackageName>()
            for package in defined where !revoked.contains(package.info.path) && seen.insert(package.build.name).inserted {
                wanted.append(package.build.id)
            }
        }
        if !wanted.isEmpty {
            let results = try await area.install(wanted)
            outcome.installed = results.filter { $0.status != .alreadyInstalled }.map(\.package.description)
        }
        if job.removeUndefined {
            let paths = Set(defined.map(\.info.path))
            for package in area.installed().reversed() where !paths.contains(package.record.target) {
                do {
                    try area.remove(package.key.id)
                    outcome.removed.append(package.key.description)
                } catch {
                    try? store.log(package: package.key.description, job: job.id, time: clock(), text: "kept (no longer defined): \(error.description)")
                }
            }
        }
        return outcome
    }

    /// The leases the job's requests asked for. From here on an identical request starts a job
    /// of its own (which finds the packages installed) instead of joining one whose leases are taken.
    func closeForJoining(_ id: String) -> [LeaseSpec] {
        inFlight = inFlight.filter { $0.value != id }
        return leases[id] ?? []
    }

    /// Takes each lease on the job's packages; the failure, if any, as the job's error.
    nonisolated static func acquire(_ leases: [LeaseSpec], for job: Live, area: SoftwareArea) -> String? {
        var error: String?
        for lease in leases {
            do { try area.acquireLease(holder: lease.holder, packages: job.requests, ttl: lease.ttl) } catch let failure {
                error = "installed, but the lease for \(lease.holder) failed: \(failure.description)"
            }
        }
        return error
    }

    func finish(_ job: Live, _ outcome: Outcome) {
        running -= 1
        var current = status[job.id] ?? JobStatus(id: job.id, kind: job.kind, state: .running, packages: [], created: job.created, identity: job.identity)
        let progress = job.progress.snapshot
        current.bytes = progress.bytes
        current.total = progress.total
        current.installed = outcome.installed
        current.removed = outcome.removed
        current.finished = clock()
        let error = outcome.error
        current.error = error
        current.state = error == nil ? .succeeded : .failed
        status[job.id] = current
        try? store.save(.init(status: current, lease: leases[job.id]?.first, removeUndefined: job.removeUndefined))
        try? auditStore.audit(
            AuditEntry(
                time: clock(), identity: job.identity, action: job.kind.rawValue, subject: current.packages.joined(separator: " "),
                result: error.map { "failed: \($0)" } ?? "succeeded", job: job.id, vo: vo))
        metrics.jobFinished(succeeded: error == nil)
        inFlight = inFlight.filter { $0.value != job.id }
        live[job.id] = nil
        leases[job.id] = nil
        for continuation in (waiters.removeValue(forKey: job.id) ?? [:]).values { continuation.resume() }
        onFinish?(current)
        // Finished jobs stay in memory briefly for fast polling; the database has them for good.
        if status.count > 1000 {
            for (id, old) in status where old.state.isFinished && id != job.id { status[id] = nil }
        }
        pump()
        if running == 0 { for continuation in idle { continuation.resume() }; idle.removeAll() }
    }

    // MARK: start and stop

    /// Jobs a stopped (or killed) daemon left queued or running: marked interrupted (audited),
    /// then queued again under their ids.
    public func resume() throws(EngineError) -> [String] {
        let left: [StateStore.JobRecord]
        do { left = try store.jobs(states: [.queued, .running, .interrupted], limit: 10000) } catch { throw .state(error.description) }
        var resumed: [String] = []
        for record in left {
            var current = record.status
            let requests = (try? Self.parse(current.packages.filter { $0 != "*" })) ?? []
            current.state = .interrupted
            try? store.save(.init(status: current, lease: record.lease, removeUndefined: record.removeUndefined))
            try? auditStore.audit(
                AuditEntry(
                    time: clock(), identity: "packmand", action: "resume", subject: current.packages.joined(separator: " "),
                    result: "interrupted by a stop; queued again", job: current.id, vo: vo))
            let job = Live(
                id: current.id, kind: current.kind, requests: requests, created: current.created, identity: current.identity,
                removeUndefined: record.removeUndefined, wantsAll: current.packages == ["*"])
            current.state = .queued
            current.vo = vo
            live[job.id] = job
            status[job.id] = current
            if let lease = record.lease { leases[job.id] = [lease] }
            inFlight["\(current.kind.rawValue) " + current.packages.sorted().joined(separator: " ")] = job.id
            queue.append(job.id)
            resumed.append(job.id)
        }
        pump()
        return resumed
    }

    /// Stops taking jobs; waits up to `grace` seconds for running ones to finish (queued ones
    /// stay queued in the database and are resumed at the next start).
    public func drain(grace: Int) async {
        state = .draining
        queue.removeAll()
        if running > 0 {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                idle.append(continuation)
                Task { [weak self] in
                    try? await Task.sleep(for: .seconds(grace))
                    await self?.releaseIdle()
                }
            }
        }
        state = .stopped
        for (_, group) in waiters { for continuation in group.values { continuation.resume() } }
        waiters.removeAll()
    }

    func releaseIdle() {
        for continuation in idle { continuation.resume() }
        idle.removeAll()
    }
}

extension JobStatus {
    /// The status with its VO (the engine's database holds one VO's jobs).
    func withVO(_ vo: String) -> JobStatus {
        var copy = self
        copy.vo = vo
        return copy
    }

    /// Finished jobs report complete progress.
    var finishedProgress: JobStatus {
        var copy = self
        if state.isFinished { copy.progress = 1 }
        return copy
    }
}
