public import AlienModel
public import Foundation
public import Resolver

/// Builds a plan: decides revisions, then builds (or takes from the store) every package in
/// dependency order, independent packages in parallel, and installs each into the work dir.
/// A failure stops the packages that depend on it; independent ones still finish.
public struct Builder: Sendable {
    public struct Options: Sendable {
        public var workDir: URL
        public var configDir: String
        /// Total CPU budget (`--jobs`), split between concurrent builds.
        public var jobs: Int
        /// How many packages build at once (default: half the jobs, at least 1).
        public var concurrentBuilds: Int?
        /// A read-only aliBuild store to take prebuilt tarballs from.
        public var remoteStore: RemoteStore?
        public var environment: [String: String]

        public init(
            workDir: URL, configDir: String, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
            concurrentBuilds: Int? = nil, remoteStore: RemoteStore? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
        ) {
            self.workDir = workDir
            self.configDir = configDir
            self.jobs = max(1, jobs)
            self.concurrentBuilds = concurrentBuilds
            self.remoteStore = remoteStore
            self.environment = environment
        }
    }

    public let plan: BuildPlan
    public let options: Options
    public let archiver: any PackageArchiver

    public init(plan: BuildPlan, options: Options, archiver: any PackageArchiver) {
        self.plan = plan
        self.options = options
        self.archiver = archiver
    }

    public var layout: BuildLayout { BuildLayout(workDir: options.workDir, architecture: plan.architecture) }

    /// Revisions as aliBuild assigns them for a shared store, with remote hashes.
    public func identities() -> [PackageName: PackageIdentity] {
        var result: [PackageName: PackageIdentity] = [:]
        for package in plan.orderedPackages {
            let decision = Revisions.decide(package.name, version: package.version, hash: package.remoteHash, layout: layout)
            let build = PackageBuild(name: package.name, version: PackageVersion(version: package.version, revision: decision.revision))
            result[package.name] = PackageIdentity(build: build, hash: package.remoteHash, commitHash: package.commitHash)
        }
        return result
    }

    /// Builds everything, reporting progress through `events` (called from several threads).
    public func run(events: @escaping @Sendable (BuildEvent) -> Void) throws(BuildError) -> BuildSummary {
        let lock = try WorkDirLock(directory: options.workDir) { events(.waitingForLock(path: $0)) }
        defer { lock.release() }
        if let remote = options.remoteStore {
            // Before revisions are decided: a fetched tarball brings its revision (link) along.
            for package in plan.orderedPackages {
                try remote.fetch(package.name, version: package.version, hash: package.remoteHash, layout: layout)
            }
        }
        let identities = identities()
        let packages = plan.orderedPackages
        events(.planned(total: packages.count))
        let parallel = max(1, options.concurrentBuilds ?? max(1, options.jobs / 2))
        let builder = PackageBuilder(
            plan: plan, layout: layout, configDir: options.configDir,
            jobs: max(1, options.jobs / parallel), archiver: archiver, environment: options.environment)
        let state = SchedulerState(packages: packages)
        let group = DispatchGroup()
        let slots = DispatchSemaphore(value: parallel)
        while let next = state.nextReady(waitingOn: group) {
            slots.wait()
            group.enter()
            let id = identities[next.name]!
            DispatchQueue.global().async {
                defer { slots.signal(); group.leave() }
                events(.started(next.name, version: id.build.version.version, revision: id.build.version.revision))
                do throws(BuildError) {
                    switch try builder.build(next, identities: identities) {
                    case let .built(seconds):
                        events(.finished(next.name, version: id.build.version.version, revision: id.build.version.revision, seconds: seconds))
                        state.finish(next.name, result: .built(id))
                    case let .cached(from):
                        events(.cached(next.name, version: id.build.version.version, revision: id.build.version.revision, from: from))
                        state.finish(next.name, result: .cached(id))
                    }
                } catch {
                    events(.failed(next.name, error: error))
                    for skipped in state.fail(next.name, error: error) { events(.skipped(skipped, because: next.name)) }
                }
            }
        }
        group.wait()
        return state.summary
    }
}

/// Which packages are ready, done, failed or skipped; shared by the build threads.
final class SchedulerState: @unchecked Sendable {
    enum Result { case built(PackageIdentity), cached(PackageIdentity) }

    private let lock = NSCondition()
    private var pending: [ResolvedPackage]
    private var done: Set<PackageName> = []
    private var dead: Set<PackageName> = []
    private var running = 0
    private(set) var summary = BuildSummary()

    init(packages: [ResolvedPackage]) { pending = packages }

    /// The next package whose dependencies are all done; nil when nothing is left to start.
    func nextReady(waitingOn group: DispatchGroup) -> ResolvedPackage? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let index = pending.firstIndex(where: { $0.requires.allSatisfy(done.contains) }) {
                running += 1
                return pending.remove(at: index)
            }
            if pending.isEmpty || running == 0 { return nil }
            lock.wait()
        }
    }

    func finish(_ name: PackageName, result: Result) {
        lock.lock()
        done.insert(name)
        running -= 1
        switch result {
        case let .built(id): summary.built.append(id)
        case let .cached(id): summary.cached.append(id)
        }
        lock.broadcast()
        lock.unlock()
    }

    /// Records a failure and drops every pending package that needs it; returns those.
    func fail(_ name: PackageName, error: BuildError) -> [PackageName] {
        lock.lock()
        defer { lock.unlock() }
        running -= 1
        summary.failed.append((name, error))
        dead.insert(name)
        var skipped: [PackageName] = []
        var changed = true
        while changed {
            changed = false
            for package in pending where package.requires.contains(where: dead.contains) {
                dead.insert(package.name)
                skipped.append(package.name)
                changed = true
            }
            pending.removeAll { dead.contains($0.name) }
        }
        summary.skipped += skipped
        lock.broadcast()
        return skipped
    }
}
