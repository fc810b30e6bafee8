import AlienModel
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

        public init(noDependencies: Bool = false, evict: Bool = false, replace: Bool = false) {
            self.noDependencies = noDependencies
            self.evict = evict
            self.replace = replace
        }
    }

    public struct InstallOutcome: Sendable, Hashable {
        public enum Status: String, Sendable { case installed, alreadyInstalled = "already-installed", replaced }
        public var package: PackageKey
        public var status: Status
        public var path: String
    }

    /// Makes the requested packages (and their runtime closures, dependencies first) present.
    /// Stops at the first failure, which leaves that package absent and the others as they were.
    public func install(_ requests: [PackageID], options: InstallOptions = .init()) async throws(SoftwareAreaError) -> [InstallOutcome] {
        sweep()
        let catalog = try catalog()
        var roots: [PackageTarget] = []
        for request in requests { roots.append(try await catalog.resolve(request)) }
        let order = options.noDependencies ? roots : try await catalog.closure(of: roots)
        reporter.report(.resolved(order.map(\.key)))
        var outcomes: [InstallOutcome] = []
        for package in order {
            let replace = options.replace && roots.contains(package)
            outcomes.append(try await install(package, catalog: catalog, replace: replace, evict: options.evict))
        }
        return outcomes
    }

    /// One package, under its lock: a second installer waits here, then finds it installed.
    func install(_ package: PackageTarget, catalog: PackageCatalog, replace: Bool, evict: Bool) async throws(SoftwareAreaError) -> InstallOutcome {
        let key = package.key
        let final = layout.packageDirectory(key)
        let lock = try FileLock.acquire(layout.lock(key))
        defer { lock.unlock() }
        if !replace, FileSystem.exists(layout.record(key)) {
            reporter.report(.alreadyInstalled(key, path: final))
            return InstallOutcome(package: key, status: .alreadyInstalled, path: final)
        }
        try ensureSpace(for: package, evict: evict)
        let stage = try StageDirectory(in: layout.stage)
        defer { stage.discard() }

        let unpackRoot = "\(stage.path)/tree"
        let summary = try await fetchAndExtract(package, catalog: catalog, stage: stage.path, into: unpackRoot)
        reporter.report(.extracted(key, files: summary.regularFiles, bytes: summary.bytes))

        let relative = layout.relativePath(key)
        let unpacked = "\(unpackRoot)/\(relative)"
        guard FileSystem.isDirectory(unpacked), summary.topLevel == [layout.arch] else {
            throw .unexpectedLayout(package: key.description, expected: relative, got: summary.topLevel)
        }
        let relocated: [String]
        do {
            relocated = try PackageRelocation.relocate(URL(fileURLWithPath: unpacked), to: final, packagePath: relative,
                                                       hash: package.hash, revision: key.revision)
        } catch {
            throw .relocation(package: key.description, reason: error.description)
        }
        // Files were hashed while extracted; only the relocated ones are read again.
        var known: [String: ExtractedFile] = [:]
        let inside = relative + "/"
        for (path, file) in summary.digests where path.hasPrefix(inside) { known[String(path.dropFirst(inside.count))] = file }
        let files = try InstallRecord.inventory(of: unpacked, known: known, changed: Set(relocated))
        let record = InstallRecord(package: key, arch: layout.arch, target: package.info.path, length: package.info.file.length,
                                   hashes: package.info.file.hashes, custom: package.info.file.custom, installedAt: clock(),
                                   prefix: final, files: files)
        try FileSystem.writeAtomically(record.json.compactJSONBytes + [0x0A], to: "\(unpacked)/\(InstallRecord.fileName)")
        FileSystem.syncTree(unpacked)

        let parent = (final as NSString).deletingLastPathComponent
        try FileSystem.makeDirectories(parent)
        var status = InstallOutcome.Status.installed
        if FileSystem.exists(final) {
            // Replacing (repair), or a directory without a record: out of sight first, then in.
            let trash = "\(layout.trash)/\(FileSystem.randomName())"
            try FileSystem.rename(final, to: trash)
            try FileSystem.rename(unpacked, to: final)
            FileSystem.syncPath(parent, directory: true)
            FileSystem.removeTree(trash)
            status = .replaced
        } else {
            try FileSystem.rename(unpacked, to: final)
            FileSystem.syncPath(parent, directory: true)
        }
        touch(key)
        if let hook = hooks.afterInstall {
            // The package is in place; what follows (its modulefile) cannot undo that.
            do { try hook(layout, record) } catch { reporter.report(.warning(key, "after install: \(error)")) }
        }
        reporter.report(.installed(key, path: final))
        return InstallOutcome(package: key, status: status, path: final)
    }

    /// The tarball plus the unpacked tree (`custom.unpacked_size`, else 3× the tarball) must fit.
    func ensureSpace(for package: PackageTarget, evict: Bool) throws(SoftwareAreaError) {
        let length = UInt64(max(0, package.info.file.length))
        let needed = length + (package.unpackedSize ?? 3 * length) + (1 << 16)
        guard let available = disk.availableBytes(at: layout.stage), available < needed else { return }
        if evict {
            let current = installed().reduce(UInt64(0)) { $0 + $1.record.size }
            let shortfall = needed - available
            _ = try collectGarbage(budget: current > shortfall ? current - shortfall : 0, dryRun: false)
            if let after = disk.availableBytes(at: layout.stage), after >= needed { return }
        }
        throw .insufficientSpace(package: package.key.description, area: layout.root, needed: needed,
                                 available: disk.availableBytes(at: layout.stage) ?? available)
    }
}
