public import AlienModel
import Basics
public import Foundation
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
    ///
    /// Keys and requirements are checked against the current metadata first; the files are
    /// uploaded (content-addressed names: safe while another publish runs); then, as one
    /// `transaction`, the targets are merged into the metadata current at that moment, which
    /// may hold another publish's packages by then.
    @discardableResult
    public func publish(_ packages: [PackageTarball], signers: Signers, extensions: [any PublishExtension] = []) throws(PublisherError) -> PublishReport {
        let initial = try load()
        let batch = try Self.batch(packages)
        try Self.check(batch, signers: signers, against: initial)
        let prepared = try Self.prepare(batch, extensions: extensions)

        // Files of the packages that change the current targets: before the lock.
        var uploaded: Set<String> = []
        for item in prepared where initial.targets.signed.targets[item.path] != item.target {
            try upload(item, done: &uploaded)
        }
        return try transaction { state, floors throws(PublisherError) in
            try Self.check(batch, signers: signers, against: state)
            var report = PublishReport()
            var targets = state.targets.signed
            for item in prepared {
                if let existing = targets.targets[item.path] {
                    if existing == item.target {
                        report.unchanged.append(item.path)
                        continue
                    }
                    report.replaced.append(item.entry)
                } else {
                    report.added.append(item.entry)
                }
                // (Another publish may have changed this path since the uploads above.)
                try upload(item, done: &uploaded)
                targets.targets[item.path] = item.target
                for (path, file) in item.companions { targets.targets[path] = file }
            }
            report.uploaded = uploaded.count
            guard !report.added.isEmpty || !report.replaced.isEmpty else { return (report, nil) }
            let (next, writes) = try resign(state, root: state.root.signed, signers: signers, newTargets: targets, floors: floors)
            report.targetsVersion = next.targets.signed.version
            report.snapshotVersion = next.snapshot.signed.version
            report.timestampVersion = next.timestamp.signed.version
            return (report, writes)
        }
    }

    /// Uploads the item's files that are not in the store yet (`done`: the stored paths
    /// uploaded so far by this publish).
    private func upload(_ item: Prepared, done: inout Set<String>) throws(PublisherError) {
        for upload in item.uploads where !done.contains(upload.stored) {
            if try store.exists(upload.stored) { continue }
            try store.writeFile(upload.stored, from: upload.file)
            done.insert(upload.stored)
        }
    }

    /// One file per target path.
    private static func batch(_ packages: [PackageTarball]) throws(PublisherError) -> [String: PackageTarball] {
        var batch: [String: PackageTarball] = [:]
        for package in packages {
            if let other = batch[package.targetPath], other.sha256 != package.sha256 {
                throw .invalidArgument("two different files for target \(package.targetPath): \(other.file.path) and \(package.file.path)")
            }
            batch[package.targetPath] = package
        }
        return batch
    }

    /// The signing keys reach their thresholds and every requirement is defined or in the batch.
    private static func check(_ batch: [String: PackageTarball], signers: Signers, against state: RepositoryState) throws(PublisherError) {
        for role in ["targets", "snapshot", "timestamp"] { _ = try signers.keys(for: role, in: state.root.signed) }
        let defined = state.targets.signed.targets
        for path in batch.keys.sorted() {
            for required in batch[path]!.fullRequiresPaths + batch[path]!.requiresPaths
            where defined[required] == nil && batch[required] == nil {
                throw .missingDependency(target: path, requires: required)
            }
        }
    }

    /// A package's target entry, its companions' entries and the files to upload.
    private struct Prepared {
        var path: String
        var target: TargetFile
        var entry: PublishReport.Target
        var companions: [(path: String, file: TargetFile)]
        var uploads: [(stored: String, file: URL)]
    }

    private static func prepare(_ batch: [String: PackageTarball], extensions: [any PublishExtension]) throws(PublisherError) -> [Prepared] {
        var prepared: [Prepared] = []
        for path in batch.keys.sorted() {
            let package = batch[path]!
            var custom = package.custom
            var companionFiles: [CompanionFile] = []
            for plugin in extensions {
                custom.merge(try plugin.customFields(for: package)) { _, new in new }
                companionFiles += try plugin.companionFiles(for: package)
            }
            var item = Prepared(
                path: path, target: try TargetFile.checked(length: package.length, sha256: package.sha256, custom: .object(custom)),
                entry: PublishReport.Target(path: path, sha256: package.sha256, length: package.length),
                companions: [], uploads: [(package.storedPath, package.file)])
            for companion in companionFiles {
                let (length, sha256) = try hashFile(companion.file.path)
                item.companions.append((companion.targetPath, try TargetFile.checked(length: length, sha256: sha256, custom: .object(companion.custom))))
                item.uploads.append((PackageTarball.storedPath(targetPath: companion.targetPath, sha256: sha256), companion.file))
            }
            prepared.append(item)
        }
        return prepared
    }

    /// Inspects tarball files (reads `.meta.json`, streams sha256), in parallel.
    public static func inspect(_ files: [URL]) throws(PublisherError) -> [PackageTarball] {
        let results = ResultSlots<Result<PackageTarball, PublisherError>>(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            results.set(index, Result { () throws(PublisherError) in try PackageTarball.inspect(files[index]) })
        }
        var tarballs: [PackageTarball] = []
        for slot in results.values {
            switch slot {
            case let .success(tarball)?: tarballs.append(tarball)
            case let .failure(error)?: throw error
            case nil: throw .invalidArgument("internal: an inspection did not finish")
            }
        }
        return tarballs
    }
}

extension TargetFile {
    static func checked(length: Int64, sha256: String, custom: JSONValue?) throws(PublisherError) -> TargetFile {
        do { return try TargetFile(length: length, hashes: ["sha256": sha256], custom: custom) } catch {
            throw .trust(context: "target", error)
        }
    }
}
