public import AlienModel
import Foundation
import Tarballs
import Trust

extension SoftwareArea {
    public struct InstallOptions: Sendable, Hashable {
        /// Install only the named packages, not their runtime closures.
        public var noDependencies = false
        /// When space is short, remove least recently used packages (gc's rules) to make room.
        public var evict = false
        /// Install the named packages again even when present, replacing them (verify --repair).
        public var replace = false
        /// Packages downloaded and extracted at once (nil: `defaultParallelism`).
        public var parallelism: Int?

        public init(noDependencies: Bool = false, evict: Bool = false, replace: Bool = false, parallelism: Int? = nil) {
            self.noDependencies = noDependencies
            self.evict = evict
            self.replace = replace
            self.parallelism = parallelism
        }

        /// Twice the cores, between 2 and 8: downloads wait on the network while extractions
        /// use the cores, and one repository host sees at most 8 connections (browsers use 6).
        public static var defaultParallelism: Int { max(2, min(8, 2 * ProcessInfo.processInfo.activeProcessorCount)) }
    }

    public struct InstallOutcome: Sendable, Hashable {
        public enum Status: String, Sendable { case installed, alreadyInstalled = "already-installed", replaced }
        public var package: PackageBuild
        public var status: Status
        public var path: String
    }

    /// Makes the requested packages (and their runtime closures) present: one TUF refresh, then
    /// the packages downloaded, verified and extracted in parallel (`InstallOptions.parallelism`),
    /// each renamed into place once its dependencies are (so a visible package's dependencies
    /// are visible). The first failure stops the install: packages not yet renamed are
    /// discarded, the failed one is absent, the others are complete or as they were.
    /// Outcomes are in dependency order.
    public func install(_ requests: [PackageID], options: InstallOptions = .init()) async throws(SoftwareAreaError) -> [InstallOutcome] {
        sweep()
        let catalog = try catalog()
        let revoked = try await catalog.revocations()
        _ = try? applyRevocations(revoked)
        var roots: [PackageTarget] = []
        for request in requests { roots.append(try await catalog.resolve(request, excluding: revoked)) }
        let order = options.noDependencies ? roots : try await catalog.closure(of: roots)
        try Self.refuseRevoked(order, revoked)
        reporter.report(.resolved(order.map(\.build)))
        let replace = options.replace ? Set(roots.map(\.info.path)) : []
        let closure = ClosureInstall(
            area: self, catalog: catalog, order: order, replace: replace,
            parallelism: max(1, options.parallelism ?? InstallOptions.defaultParallelism), afterInstall: hooks.startInstall?())
        try closure.ensureSpace(evict: options.evict)
        return try await closure.run()
    }

    /// The tarball plus the unpacked tree (`custom.unpacked_size`, else 3× the tarball) of each
    /// package to install must fit at once (they are staged in parallel).
    func ensureSpace(for packages: [PackageTarget], evict: Bool) throws(SoftwareAreaError) {
        guard !packages.isEmpty else { return }
        let needed = packages.reduce(UInt64(0)) { total, package in
            let length = UInt64(max(0, package.info.file.length))
            return total + length + (package.unpackedSize ?? 3 * length) + (1 << 16)
        }
        let name = packages.count == 1 ? packages[0].build.description : "\(packages.count) packages"
        guard let available = disk.availableBytes(at: layout.stage), available < needed else { return }
        if evict {
            let current = installed().reduce(UInt64(0)) { $0 + $1.record.size }
            let shortfall = needed - available
            _ = try collectGarbage(budget: current > shortfall ? current - shortfall : 0, dryRun: false)
            if let after = disk.availableBytes(at: layout.stage), after >= needed { return }
        }
        throw .insufficientSpace(package: name, area: layout.root, needed: needed, available: disk.availableBytes(at: layout.stage) ?? available)
    }

    /// The sources this area asks in turn: its swarm source (when configured) then HTTP.
    var orderedSources: [any PackageSource] {
        (swarm.map { [$0] } ?? []) + [HTTPSource(transfers: transfers)]
    }

    /// Gets `plan`'s tarball from the first source that delivers it and extracts it into
    /// `unpackRoot` (inside the stage): verified pieces straight into the extraction while
    /// later bytes arrive, or, without a piece list, the whole file checked, then extracted.
    /// Files are hashed as they are written. Returns the summary and the verified tarball when
    /// one is kept for seeding.
    func fetchAndExtract(
        _ plan: DownloadPlan, stage: String, into unpackRoot: String, run: InstallRun,
        progress: @escaping @Sendable (_ bytes: Int64, _ total: Int64, _ rate: Double, _ extracted: Int) -> Void
    )
        async throws(SoftwareAreaError) -> (summary: ExtractionSummary, kept: String?)
    {
        let key = plan.package.build
        let extraction: TarballStream?
        do { extraction = plan.pieces == nil ? nil : try TarballExtractor(digests: true, writeback: true).stream(into: unpackRoot) } catch {
            throw .extraction(package: key.description, error)
        }
        let keep = keepTarballs && plan.torrent != nil ? "\(stage)/kept.tarball" : nil
        let sink: TarballSink
        do { sink = try TarballSink(plan: plan, extraction: extraction, downloadFile: "\(stage)/download", keep: keep) } catch {
            extraction?.cancel()
            throw error
        }
        let context = SourceContext(key: key, directory: stage, run: run, reporter: reporter) { bytes, total, rate in
            progress(bytes, total, rate, extraction?.extractedSoFar.entries ?? 0)
        }
        var delivered: String?
        do throws(SoftwareAreaError) {
            for source in orderedSources {
                switch try await source.deliver(plan, into: sink, context: context) {
                case .delivered: delivered = source.name
                case let .declined(reason):
                    guard sink.delivered == 0 else {
                        throw .io(path: plan.package.info.path, operation: "download from \(source.name)", reason: "declined after delivering bytes")
                    }
                    if let reason { reporter.report(.fallback(key, reason: reason)) }
                }
                if delivered != nil { break }
            }
            guard delivered != nil else { throw .trust(package: key.description, reason: "\(plan.package.info.path): no source delivered it") }
            try sink.finish()
        } catch {
            extraction?.cancel()
            throw error
        }
        reporter.report(.downloaded(key, bytes: plan.length, source: delivered ?? "", piecewise: plan.pieces != nil))
        let summary: ExtractionSummary
        if let extraction {
            do { summary = try await extraction.finished() } catch {
                extraction.cancel()
                throw .extraction(package: key.description, error)
            }
        } else {
            let file = sink.wholeFile ?? "\(stage)/download"
            summary = try await Blocking.run { () throws(SoftwareAreaError) in
                do throws(TarballError) { return try TarballExtractor(digests: true, writeback: true).extract(archive: file, into: unpackRoot) } catch {
                    throw .extraction(package: key.description, error)
                }
            }
        }
        let kept = keepTarballs && plan.torrent != nil ? (sink.wholeFile ?? sink.keptCopy) : nil
        if kept == nil, let file = sink.wholeFile, file.hasPrefix(stage) { unlink(file) }
        return (summary, kept)
    }

    /// Moves a verified tarball and its torrent into the cache (best effort: seeding is optional).
    func keepForSeeding(tarball: String, torrent: TrustedTorrent, plan: DownloadPlan) {
        let name = "\(plan.sha256).\(plan.package.info.path.split(separator: "/").last.map(String.init) ?? "tarball")"
        do {
            try FileSystem.makeDirectories(layout.cache)
            let destination = "\(layout.cache)/\(name)"
            if rename(tarball, destination) != 0 { unlink(tarball); return }
            try FileSystem.writeAtomically(FileSystem.readBytes(torrent.path) ?? [], to: destination + ".torrent")
        } catch {
            reporter.report(.warning(plan.package.build, "cannot keep \(name) for seeding: \(error)"))
        }
    }
}
