import Foundation
import Trust

/// Hook for what later publishing steps add next to a package tarball (a piece-hash sidecar, a
/// `.torrent` target): extra `custom` fields for the tarball's target and extra targets of
/// their own. Extensions run after the tarball is inspected and before anything is uploaded.
public protocol PublishExtension: Sendable {
    /// Fields merged into the tarball target's `custom` object.
    func customFields(for package: PackageTarball) throws(PublisherError) -> [String: JSONValue]
    /// Extra targets (path → local file) published with the package.
    func companionFiles(for package: PackageTarball) throws(PublisherError) -> [CompanionFile]
}

/// A file published as a target of its own next to a package tarball.
public struct CompanionFile: Hashable, Sendable {
    public var targetPath: String
    public var file: URL
    public var custom: [String: JSONValue]

    public init(targetPath: String, file: URL, custom: [String: JSONValue] = [:]) {
        self.targetPath = targetPath
        self.file = file
        self.custom = custom
    }
}

/// What `publish` did.
public struct PublishReport: Sendable {
    public struct Target: Hashable, Sendable {
        public var path: String
        public var sha256: String
        public var length: Int64
    }
    /// New target paths.
    public var added: [Target] = []
    /// Target paths that had another file before.
    public var replaced: [Target] = []
    /// Target paths already published with the same sha256 (nothing done).
    public var unchanged: [String] = []
    /// Target files actually copied or uploaded (files already in the store are skipped).
    public var uploaded = 0
    /// The new metadata versions, or nil when nothing changed (no metadata written).
    public var targetsVersion: Int64?
    public var snapshotVersion: Int64?
    public var timestampVersion: Int64?
}

extension Repository {
    /// Publishes `packages` as targets. Every runtime requirement (`full_requires`) must be
    /// defined already or be among `packages`. Identical republishing is a no-op; a different
    /// file for a defined target path replaces it. One new targets/snapshot/timestamp for all.
    @discardableResult
    public func publish(_ packages: [PackageTarball], signers: Signers, extensions: [any PublishExtension] = []) throws(PublisherError) -> PublishReport {
        let state = try load()
        let root = state.root.signed
        for role in ["targets", "snapshot", "timestamp"] { _ = try signers.keys(for: role, in: root) }

        // One file per target path in this call.
        var batch: [String: PackageTarball] = [:]
        for package in packages {
            if let other = batch[package.targetPath], other.sha256 != package.sha256 {
                throw .invalidArgument("two different files for target \(package.targetPath): \(other.file.path) and \(package.file.path)")
            }
            batch[package.targetPath] = package
        }
        var targets = state.targets.signed
        for (path, package) in batch {
            for required in package.fullRequiresPaths + package.requiresPaths
            where targets.targets[required] == nil && batch[required] == nil {
                throw .missingDependency(target: path, requires: required)
            }
        }

        var report = PublishReport()
        var uploads: [(stored: String, file: URL)] = []
        for path in batch.keys.sorted() {
            let package = batch[path]!
            var custom = package.custom
            var companions: [CompanionFile] = []
            for plugin in extensions {
                custom.merge(try plugin.customFields(for: package)) { _, new in new }
                companions += try plugin.companionFiles(for: package)
            }
            let target = try TargetFile.checked(length: package.length, sha256: package.sha256, custom: .object(custom))
            let entry = PublishReport.Target(path: path, sha256: package.sha256, length: package.length)
            if let existing = targets.targets[path] {
                if existing == target {
                    report.unchanged.append(path)
                    continue
                }
                report.replaced.append(entry)
            } else {
                report.added.append(entry)
            }
            targets.targets[path] = target
            uploads.append((package.storedPath, package.file))
            for companion in companions {
                let (length, sha256) = try hashFile(companion.file.path)
                targets.targets[companion.targetPath] = try TargetFile.checked(length: length, sha256: sha256, custom: .object(companion.custom))
                uploads.append((PackageTarball.storedPath(targetPath: companion.targetPath, sha256: sha256), companion.file))
            }
        }
        guard !uploads.isEmpty else { return report }

        // Sign before writing anything; then files, then metadata with the timestamp last.
        let (next, writes) = try resign(state, root: root, signers: signers, newTargets: targets)
        for upload in uploads where try !store.exists(upload.stored) {
            try store.writeFile(upload.stored, from: upload.file)
            report.uploaded += 1
        }
        try writes.commit(to: store)
        report.targetsVersion = next.targets.signed.version
        report.snapshotVersion = next.snapshot.signed.version
        report.timestampVersion = next.timestamp.signed.version
        return report
    }

    /// Inspects tarball files (reads `.meta.json`, streams sha256), in parallel.
    public static func inspect(_ files: [URL]) throws(PublisherError) -> [PackageTarball] {
        let results = ResultSlots<PackageTarball>(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            results.set(index, Result { () throws(PublisherError) in try PackageTarball.inspect(files[index]) })
        }
        return try results.values()
    }
}

extension TargetFile {
    static func checked(length: Int64, sha256: String, custom: JSONValue?) throws(PublisherError) -> TargetFile {
        do { return try TargetFile(length: length, hashes: ["sha256": sha256], custom: custom) } catch {
            throw .invalidArgument("target: \(error)")
        }
    }
}

/// Results filled in from concurrent iterations, read back in order.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private var slots: [Result<Value, PublisherError>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Value, PublisherError>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func values() throws(PublisherError) -> [Value] {
        var values: [Value] = []
        for slot in slots {
            switch slot {
            case let .success(value)?: values.append(value)
            case let .failure(error)?: throw error
            case nil: throw .invalidArgument("internal: an inspection did not finish")
            }
        }
        return values
    }
}
