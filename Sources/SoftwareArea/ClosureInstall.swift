import AlienModel
import Foundation
import Synchronization
import Tarballs
import Trust

/// One install of a closure: packages staged in parallel (each under its lock, in its own stage
/// directory: download, verification, extraction, relocation, manifest, record, data written
/// back), then renamed into the area in dependency order.
///
/// Ordering and deadlock freedom: packages are started in `order` (dependencies first), at most
/// `parallelism` at a time. A task waiting for a package lock holds no other lock; a staged
/// package (holding its lock) waits only for its own dependencies to become visible. Waits thus
/// always point from a package to one of its dependencies, across processes too, so they cannot
/// form a cycle.
///
/// Durability: each staged tree's file data is written back (`sync_file_range`, started for all
/// files, then waited for) before its rename; ext4 and XFS journal the rename after the block
/// allocations that writeback made, so after a crash a visible package has its data. Renames
/// are not synced one by one: a package whose rename was lost is simply absent (its stage is
/// swept) and the next install makes it again. At the end the parent folders of the renamed
/// packages are fsynced together, so "installed" means installed.
struct ClosureInstall: Sendable {
    let area: SoftwareArea
    let catalog: PackageCatalog
    let order: [PackageTarget]
    /// Target paths installed again even when present.
    let replace: Set<String>
    let parallelism: Int
    /// The area's after-install hook for this install (its modulefiles).
    let afterInstall: AreaHooks.AfterInstall?

    /// A package ready to be renamed into place (its lock held).
    final class Staged: Sendable {
        let package: PackageTarget
        /// Its place in the closure's order.
        let index: Int
        let lock: FileLock
        let stage: StageDirectory
        let unpacked: String
        let kept: (tarball: String, plan: DownloadPlan)?

        init(package: PackageTarget, index: Int, lock: FileLock, stage: StageDirectory, unpacked: String, kept: (tarball: String, plan: DownloadPlan)?) {
            self.package = package
            self.index = index
            self.lock = lock
            self.stage = stage
            self.unpacked = unpacked
            self.kept = kept
        }

        func discard() {
            stage.discard()
            lock.unlock()
        }
    }

    enum Prepared: Sendable {
        case present(SoftwareArea.InstallOutcome)
        case staged(Staged)
    }

    /// The direct requirements of each package inside this closure, by target path. A package is
    /// renamed once these are visible; as each of them waited for its own, its whole closure is.
    var dependencies: [String: [String]] {
        let inside = Set(order.map(\.info.path))
        var result: [String: [String]] = [:]
        for package in order {
            let direct = package.requires.isEmpty ? package.fullRequires : package.requires
            result[package.info.path] = direct.filter { inside.contains($0) && $0 != package.info.path }
        }
        return result
    }

    func ensureSpace(evict: Bool) throws(SoftwareAreaError) {
        let missing = order.filter { replace.contains($0.info.path) || !FileSystem.exists(area.layout.record($0.build)) }
        try area.ensureSpace(for: missing, evict: evict)
    }

    /// What the parent task knows while children stage packages.
    struct Progress {
        var outcomes: [String: SoftwareArea.InstallOutcome] = [:]
        var visible: Set<String> = []
        var waiting: [String: Staged] = [:]
        var renamedParents: Set<String> = []
        var failure: SoftwareAreaError?
    }

    /// A child task's answer: the package's index in `order` and how its staging went.
    struct Finished: Sendable {
        var index: Int
        var result: Result<Prepared, SoftwareAreaError>
    }

    func run() async throws(SoftwareAreaError) -> [SoftwareArea.InstallOutcome] {
        let run = InstallRun()
        let dependencies = self.dependencies
        let meter = ClosureMeter(area: area, packages: order, reportEach: order.count == 1)
        var state = Progress()
        let packages = order
        let width = min(parallelism, packages.count)
        state = await withTaskGroup(of: Finished.self, returning: Progress.self) { group in
            var state = state
            var next = 0
            while next < width {
                let index = next, package = packages[index]
                group.addTask { await Finished(index: index, result: stage(package, index: index, run: run, meter: meter)) }
                next += 1
            }
            while let finished = await group.next() {
                let path = packages[finished.index].info.path
                switch finished.result {
                case let .success(.present(outcome)):
                    state.outcomes[path] = outcome
                    state.visible.insert(path)
                    meter.finished(path)
                case let .success(.staged(staged)):
                    if state.failure == nil { state.waiting[path] = staged } else { staged.discard() }
                case let .failure(error):
                    if state.failure == nil { state.failure = error }
                }
                state = await commitReady(state, dependencies: dependencies, meter: meter)
                if state.failure != nil {
                    group.cancelAll()
                } else if next < packages.count {
                    let index = next, package = packages[index]
                    group.addTask { await Finished(index: index, result: stage(package, index: index, run: run, meter: meter)) }
                    next += 1
                }
            }
            return state
        }
        for staged in state.waiting.values { staged.discard() }
        let parents = Array(state.renamedParents)
        try? await Blocking.run { () throws(SoftwareAreaError) in
            DispatchQueue.concurrentPerform(iterations: parents.count) { index in
                FileSystem.syncPath(parents[index], directory: true)
            }
        }
        if let failure = state.failure { throw failure }
        return order.compactMap { state.outcomes[$0.info.path] }
    }

    /// `prepare` with its error as a value (what a child task returns).
    func stage(_ package: PackageTarget, index: Int, run: InstallRun, meter: ClosureMeter) async -> Result<Prepared, SoftwareAreaError> {
        do throws(SoftwareAreaError) { return .success(try await prepare(package, index: index, run: run, meter: meter)) } catch { return .failure(error) }
    }

    /// Renames every staged package whose dependencies are all visible, in `order`, until none
    /// is left (or one fails).
    func commitReady(_ state: Progress, dependencies: [String: [String]], meter: ClosureMeter) async -> Progress {
        var state = state
        while state.failure == nil,
            let path = state.waiting.values.map(\.index).sorted().lazy.map({ order[$0].info.path }).first(where: {
                dependencies[$0, default: []].allSatisfy(state.visible.contains)
            }), let staged = state.waiting.removeValue(forKey: path)
        {
            do {
                let outcome = try await commit(staged)
                state.outcomes[path] = outcome
                state.visible.insert(path)
                state.renamedParents.insert((outcome.path as NSString).deletingLastPathComponent)
                meter.finished(path)
            } catch {
                state.failure = error
            }
        }
        return state
    }

    /// One package up to the point of its rename: lock, stage, download and extraction,
    /// relocation, install record, data written back. Already present: nothing but the answer.
    func prepare(_ package: PackageTarget, index: Int, run: InstallRun, meter: ClosureMeter) async throws(SoftwareAreaError) -> Prepared {
        let key = package.build
        let layout = area.layout
        let reporter = area.reporter
        let lock = try await FileLock.acquire(layout.lock(key)) { seconds, holder in
            reporter.report(.waiting(key, seconds: seconds, holder: holder))
        }
        let replacing = replace.contains(package.info.path)
        if !replacing, FileSystem.exists(layout.record(key)) {
            lock.unlock()
            let path = layout.packageDirectory(key)
            reporter.report(.alreadyInstalled(key, path: path))
            return .present(.init(package: key, status: .alreadyInstalled, path: path))
        }
        let stage: StageDirectory
        do { stage = try StageDirectory(in: layout.stage) } catch {
            lock.unlock()
            throw error
        }
        do {
            let plan = try await catalog.plan(
                for: package, mirrors: area.configuration.mirrors,
                torrent: area.swarm?.wantsTorrent == true || area.keepTarballs, directory: "\(stage.path)/meta")
            let unpackRoot = "\(stage.path)/tree"
            let (summary, kept) = try await area.fetchAndExtract(plan, stage: stage.path, into: unpackRoot, run: run) { bytes, total, rate, extracted in
                meter.progress(package.info.path, key: key, bytes: bytes, total: total, rate: rate, extracted: extracted)
            }
            reporter.report(.extracted(key, files: summary.regularFiles, bytes: summary.bytes))
            let area = self.area
            let unpacked = try await Blocking.run { () throws(SoftwareAreaError) in
                try area.finishStage(package, summary: summary, unpackRoot: unpackRoot)
            }
            return .staged(Staged(package: package, index: index, lock: lock, stage: stage, unpacked: unpacked, kept: kept.map { ($0, plan) }))
        } catch {
            stage.discard()
            lock.unlock()
            throw error
        }
    }

    /// Renames a staged package into place (replacing an old one through the trash), writes its
    /// modulefile, marks it used, releases its lock and stage.
    func commit(_ staged: Staged) async throws(SoftwareAreaError) -> SoftwareArea.InstallOutcome {
        let area = self.area
        let key = staged.package.build
        let status = try await Blocking.run { () throws(SoftwareAreaError) -> SoftwareArea.InstallOutcome.Status in
            defer { staged.discard() }
            let layout = area.layout
            let final = layout.packageDirectory(key)
            try FileSystem.makeDirectories((final as NSString).deletingLastPathComponent)
            var status = SoftwareArea.InstallOutcome.Status.installed
            if FileSystem.exists(final) {
                // Replacing (repair), or a directory without a record: out of sight first, then in.
                let trash = "\(layout.trash)/\(FileSystem.randomName())"
                try FileSystem.rename(final, to: trash)
                try FileSystem.rename(staged.unpacked, to: final)
                FileSystem.removeTree(trash)
                status = .replaced
            } else {
                try FileSystem.rename(staged.unpacked, to: final)
            }
            if let (tarball, plan) = staged.kept, let torrent = plan.torrent {
                area.keepForSeeding(tarball: tarball, torrent: torrent, plan: plan)
            }
            area.touch(key)
            if let hook = afterInstall, let record = try? InstallRecord(path: layout.record(key)) {
                // The package is in place; what follows (its modulefile) cannot undo that.
                do { try hook(layout, record) } catch { area.reporter.report(.warning(key, "after install: \(error)")) }
            }
            return status
        }
        let path = area.layout.packageDirectory(key)
        area.reporter.report(.installed(key, path: path))
        return .init(package: key, status: status, path: path)
    }
}

extension SoftwareArea {
    /// The blocking end of staging: the tree's layout checked, relocation (confined to the
    /// package), the environment manifest (`.alien-environment.json`), the install record (files hashed while extracted; only relocated ones read
    /// again), and the tree's data written back. Returns the unpacked package directory.
    func finishStage(_ package: PackageTarget, summary: ExtractionSummary, unpackRoot: String) throws(SoftwareAreaError) -> String {
        let key = package.build
        let relative = layout.relativePath(key)
        let unpacked = "\(unpackRoot)/\(relative)"
        guard FileSystem.isDirectory(unpacked), summary.topLevel == [layout.arch] else {
            throw .unexpectedLayout(package: key.description, expected: relative, got: summary.topLevel)
        }
        let final = layout.packageDirectory(key)
        let relocated: [String]
        do {
            relocated = try PackageRelocation.relocate(
                URL(fileURLWithPath: unpacked), to: final, packagePath: relative,
                hash: package.hash, revision: key.version.revision)
        } catch {
            throw .relocation(package: key.description, error)
        }
        // Its environment as data, before it becomes visible: nothing of the package ever runs.
        _ = try environmentManifest(forStagedPackage: unpacked, key: key)
        var known: [String: ExtractedFile] = [:]
        let inside = relative + "/"
        for (path, file) in summary.digests where path.hasPrefix(inside) { known[String(path.dropFirst(inside.count))] = file }
        let files = try InstallRecord.inventory(of: unpacked, known: known, changed: Set(relocated))
        let record = InstallRecord(
            package: key, arch: layout.arch, target: package.info.path, length: package.info.file.length,
            hashes: package.info.file.hashes, custom: package.info.file.custom, installedAt: clock(),
            prefix: final, files: files)
        try FileSystem.writeFile(record.json.compactJSONBytes + [0x0A], to: "\(unpacked)/\(InstallRecord.fileName)")
        Writeback.wait(tree: unpacked)
        return unpacked
    }
}

/// Progress of a closure install: each package's progress, and when several packages are
/// installed, progress of the whole closure (packages done, bytes, rate) a few times a second.
final class ClosureMeter: Sendable {
    private struct State {
        var bytes: [String: Int64] = [:]
        var done: Set<String> = []
        var extracted: [String: Int] = [:]
        var last = ContinuousClock.now - .seconds(1)
    }

    private let area: SoftwareArea
    private let total: Int64
    private let count: Int
    private let reportEach: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(area: SoftwareArea, packages: [PackageTarget], reportEach: Bool) {
        self.area = area
        total = packages.reduce(0) { $0 + $1.info.file.length }
        count = packages.count
        self.reportEach = reportEach
    }

    func progress(_ path: String, key: PackageBuild, bytes: Int64, total packageTotal: Int64, rate: Double, extracted: Int) {
        area.reporter.report(.progress(key, bytes: bytes, total: packageTotal, bytesPerSecond: rate, extracted: extracted))
        guard !reportEach else { return }
        let event: AreaEvent? = state.withLock { state in
            state.bytes[path] = bytes
            state.extracted[path] = extracted
            let now = ContinuousClock.now
            guard now - state.last >= .milliseconds(200) else { return nil }
            state.last = now
            return snapshot(state, now: now)
        }
        if let event { area.reporter.report(event) }
    }

    func finished(_ path: String) {
        guard !reportEach else { return }
        let event = state.withLock { state in
            state.done.insert(path)
            return snapshot(state, now: .now)
        }
        area.reporter.report(event)
    }

    private func snapshot(_ state: State, now: ContinuousClock.Instant) -> AreaEvent {
        let bytes = state.bytes.values.reduce(0, +)
        let seconds = (now - started) / .seconds(1)
        return .closureProgress(
            done: state.done.count, packages: count, bytes: bytes, total: total,
            bytesPerSecond: seconds > 0 ? Double(bytes) / seconds : 0,
            extracted: state.extracted.values.reduce(0, +))
    }
}
