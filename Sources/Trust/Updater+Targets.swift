extension Updater {
    /// §5.6.7: pre-order depth-first search of the delegation tree for `targetPath` (python-tuf's
    /// `_preorder_depth_first_walk`): roles in priority order, a terminating match ends
    /// backtracking, at most `maxDelegations` roles visited. Refreshes first if needed. Nil when
    /// no visited role lists the path. Delegated metadata that was fetched is written once verified.
    public func targetInfo(for targetPath: String) async throws(UpdaterError) -> TargetInfo? {
        var set = try await refreshedSet()
        var toVisit: [(role: String, delegator: String)] = [("targets", "root")]
        var visited = Set<String>()
        var found: TargetInfo?
        do throws(UpdaterError) {
            while visited.count <= configuration.maxDelegations, let (role, delegator) = toVisit.popLast() {
                if visited.contains(role) { continue }
                let targets = try await loadTargets(role: role, delegator: delegator, set: &set)
                if let file = targets.targets[targetPath] {
                    found = TargetInfo(path: targetPath, file: file, role: role)
                    break
                }
                visited.insert(role)
                guard let delegations = targets.delegations else { continue }
                var children: [(role: String, delegator: String)] = []
                for (child, terminating) in delegations.roles(for: targetPath) {
                    children.append((child, role))
                    if terminating {
                        toVisit.removeAll()
                        break
                    }
                }
                toVisit.append(contentsOf: children.reversed())
            }
        } catch {
            store(set)
            throw error
        }
        store(set)
        return found
    }

    /// The local file `targetDirectory/<path>` if it exists with the target's length and
    /// hashes; nil otherwise (also for a path that cannot be stored locally).
    public func cachedTarget(_ info: TargetInfo, in targetDirectory: String) -> String? {
        guard (try? NameEncoding.targetComponents(info.path)) != nil else { return nil }
        let path = "\(targetDirectory)/\(info.path)"
        guard let (length, digests) = LocalFiles.digests(of: path, algorithms: info.file.hashes.keys),
            (try? MultiHasher.check(
                name: info.path, length: length, digests: digests,
                expectedLength: info.file.length, expectedHashes: info.file.hashes)) != nil
        else { return nil }
        return path
    }

    /// Downloads the target into `targetDirectory/<path>` (subdirectories created): streamed
    /// into a temporary file in `targetDirectory`, refused beyond the recorded length, checked
    /// against the length and every recorded hash, its data synced, then renamed into place and
    /// the directory synced. Nothing is left behind on failure. A file already there with
    /// matching length and hashes is kept and not downloaded again. With consistent snapshots
    /// (and `prefixTargetsWithHash`) the URL is `<targetBaseURL><dir>/<sha256>.<basename>`.
    /// Returns the final path.
    public func downloadTarget(_ info: TargetInfo, to targetDirectory: String) async throws(UpdaterError) -> String {
        guard let plan = try await downloadPlan(info, in: targetDirectory) else { return "\(targetDirectory)/\(info.path)" }
        return try await Self.fetchAndPlace(plan, targetDirectory: targetDirectory, fetcher: fetcher)
    }

    /// `downloadTarget` of each target, at most `concurrency` at a time, results in the order of
    /// `infos`: each target synced, renamed into place and its directory synced as it completes
    /// (the syncs of concurrent downloads share the file system's journal commits). One `syncfs`
    /// for the whole batch was measured and not kept: it also writes every other process's dirty
    /// data on that file system, which on a busy worker node can cost seconds (BENCHMARKS.md, TUF
    /// client, session 24).
    public func downloadTargets(
        _ infos: [TargetInfo], to targetDirectory: String,
        concurrency: Int = 8
    ) async -> [Result<String, UpdaterError>] {
        var results = [Result<String, UpdaterError>](repeating: .failure(.noTargetBaseURL), count: infos.count)
        var plans: [(index: Int, plan: DownloadPlan)] = []
        for (index, info) in infos.enumerated() {
            do throws(UpdaterError) {
                if let plan = try await downloadPlan(info, in: targetDirectory) {
                    plans.append((index, plan))
                } else {
                    results[index] = .success("\(targetDirectory)/\(info.path)")
                }
            } catch {
                results[index] = .failure(error)
            }
        }
        let fetcher = self.fetcher
        await withTaskGroup(of: Completed.self) { group in
            var pending = plans.makeIterator()
            var running = 0
            while true {
                while running < max(1, concurrency), let next = pending.next() {
                    running += 1
                    group.addTask { await Self.download(next.plan, slot: next.index, targetDirectory: targetDirectory, fetcher: fetcher) }
                }
                guard let completed = await group.next() else { break }
                running -= 1
                results[completed.slot] = completed.result
            }
        }
        return results
    }

    /// What a download needs, decided on the actor: the URL and the path's components. Nil when
    /// the target is already in `targetDirectory` with matching length and hashes.
    struct DownloadPlan: Sendable {
        var info: TargetInfo
        var url: String
        var components: [Substring]
    }

    /// A download of `downloadTargets`, finished: its place in the results, and the outcome.
    struct Completed: Sendable {
        var slot: Int
        var result: Result<String, UpdaterError>
    }

    private static func download(_ plan: DownloadPlan, slot: Int, targetDirectory: String, fetcher: any RemoteFetcher) async -> Completed {
        do {
            return Completed(slot: slot, result: .success(try await fetchAndPlace(plan, targetDirectory: targetDirectory, fetcher: fetcher)))
        } catch {
            return Completed(slot: slot, result: .failure(error))
        }
    }

    private func downloadPlan(_ info: TargetInfo, in targetDirectory: String) async throws(UpdaterError) -> DownloadPlan? {
        let components = try NameEncoding.targetComponents(info.path)
        if cachedTarget(info, in: targetDirectory) != nil { return nil }
        guard let targetBaseURL else { throw .noTargetBaseURL }
        if let unsupported = info.file.hashes.keys.sorted().first(where: { !MultiHasher.supported.contains($0) }) {
            throw .unsupportedHash(name: info.path, algorithm: unsupported)
        }
        let url = try await targetURL(for: info, components: components, base: targetBaseURL)
        return DownloadPlan(info: info, url: url, components: components)
    }

    /// The download itself, off the actor: fetched into a temporary file (refused beyond the
    /// recorded length), checked against the length and hashes, its data synced, renamed into
    /// place, the directory synced. The temporary file is removed on any failure.
    private static func fetchAndPlace(
        _ plan: DownloadPlan, targetDirectory: String,
        fetcher: any RemoteFetcher
    ) async throws(UpdaterError) -> String {
        let info = plan.info
        if !LocalFiles.isDirectory(targetDirectory) { try LocalFiles.makeDirectories(targetDirectory) }
        let temporary = LocalFiles.temporaryPath(in: targetDirectory, for: "download")
        do throws(UpdaterError) {
            do {
                _ = try await fetcher.download(plan.url, to: temporary, maxLength: info.file.length)
            } catch let error as FetchError {
                throw UpdaterError.fetch(role: info.path, error)
            } catch {
                throw UpdaterError.fetch(role: info.path, .failed(url: plan.url, reason: "\(error)"))
            }
            guard let (length, digests) = LocalFiles.digests(of: temporary, algorithms: info.file.hashes.keys, sync: true) else {
                throw .io(path: temporary, reason: "cannot read or sync the downloaded file")
            }
            try MultiHasher.check(
                name: info.path, length: length, digests: digests,
                expectedLength: info.file.length, expectedHashes: info.file.hashes)
            return try moveIntoPlace(temporary, directory: targetDirectory, components: plan.components)
        } catch {
            try? LocalFiles.remove(temporary)
            throw error
        }
    }

    /// A small target's bytes, in memory: fetched (refused beyond the recorded length) and
    /// checked against the recorded length and every recorded hash; nothing is written. For
    /// companions of a package (piece-hash lists, torrents) that are read once.
    public func targetBytes(_ info: TargetInfo) async throws(UpdaterError) -> [UInt8] {
        let components = try NameEncoding.targetComponents(info.path)
        guard let targetBaseURL else { throw .noTargetBaseURL }
        if let unsupported = info.file.hashes.keys.sorted().first(where: { !MultiHasher.supported.contains($0) }) {
            throw .unsupportedHash(name: info.path, algorithm: unsupported)
        }
        let url = try await targetURL(for: info, components: components, base: targetBaseURL)
        let bytes: [UInt8]
        do {
            bytes = try await fetcher.fetch(url, maxLength: info.file.length)
        } catch let error as FetchError {
            throw UpdaterError.fetch(role: info.path, error)
        } catch {
            throw UpdaterError.fetch(role: info.path, .failed(url: url, reason: "\(error)"))
        }
        try MultiHasher.verify(bytes, name: info.path, length: info.file.length, hashes: info.file.hashes)
        return bytes
    }

    /// Where the target's bytes are fetched from: `<targetBaseURL><path>`, or with consistent
    /// snapshots (and `prefixTargetsWithHash`) `<targetBaseURL><dir>/<sha256>.<basename>`.
    /// Refreshes first if needed (the root decides the naming).
    public func targetURL(for info: TargetInfo) async throws(UpdaterError) -> String {
        let components = try NameEncoding.targetComponents(info.path)
        guard let targetBaseURL else { throw .noTargetBaseURL }
        return try await targetURL(for: info, components: components, base: targetBaseURL)
    }

    private func targetURL(for info: TargetInfo, components: [Substring], base: String) async throws(UpdaterError) -> String {
        let set = try await refreshedSet()
        var remotePath = info.path
        if set.root.consistentSnapshot == true, configuration.prefixTargetsWithHash {
            let algorithm = info.file.hashes["sha256"] != nil ? "sha256" : info.file.hashes.keys.sorted().first ?? "sha256"
            let prefix = info.file.hashes[algorithm] ?? ""
            remotePath = (components.dropLast() + ["\(prefix).\(components.last!)"]).joined(separator: "/")
        }
        return base + remotePath
    }

    /// Creates the missing parent directories of the final path, renames `temporary` there and
    /// syncs the directory.
    private static func moveIntoPlace(_ temporary: String, directory: String, components: [Substring]) throws(UpdaterError) -> String {
        var parent = directory
        for component in components.dropLast() {
            parent += "/\(component)"
            if !LocalFiles.isDirectory(parent) { try LocalFiles.makeDirectories(parent) }
        }
        let final = "\(directory)/\(components.joined(separator: "/"))"
        try LocalFiles.move(temporary, to: final)
        LocalFiles.syncDirectory(parent)
        return final
    }
}
