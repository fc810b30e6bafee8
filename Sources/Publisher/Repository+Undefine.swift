public import AlienModel
import Trust

/// What `undefine` did.
public struct UndefineReport: Sendable {
    /// Target paths withdrawn.
    public var removed: [String]
    public var targetsVersion: Int64
    public var timestampVersion: Int64
}

extension Repository {
    /// Withdraws the targets of `package` (PackMan's `undefine`): every defined target whose
    /// `custom` name matches and whose version or version-revision matches the selector
    /// (`ROOT::v6-32-06` takes every revision of v6-32-06, `ROOT::v6-32-06-2` one), limited to
    /// `arch` when given, with their companion targets (`custom.piece_hashes_of`, `custom.torrent_of`). Refuses when a target that stays requires one that goes, unless `force`.
    /// The files stay in `targets/` (content-addressed, harmless, still named by older
    /// snapshots that caches may hold); only metadata changes.
    @discardableResult
    public func undefine(_ package: PackageID, arch: String? = nil, force: Bool = false, signers: Signers) throws(PublisherError) -> UndefineReport {
        guard case .exact = package.version else {
            throw .invalidArgument("undefine \(package): give a version, NAME::VERSION or NAME::VERSION-REVISION")
        }
        return try transaction { state, floors throws(PublisherError) in
            var targets = state.targets.signed
            let removed = targets.targets.filter { _, file in
                guard let info = try? PackageTargetMetadata(custom: file.custom) else { return false }
                return info.name == package.name.rawValue && (arch == nil || info.arch == arch)
                    && package.version.matches(version: info.version, revision: info.revision)
            }.keys.sorted()
            guard !removed.isEmpty else { throw .notDefined(package.description + (arch.map { " on \($0)" } ?? "")) }
            for path in removed { targets.targets[path] = nil }
            // Their companions (piece-hash lists, torrents) go with them.
            let withdrawn = Set(removed)
            for (path, file) in targets.targets {
                guard case let .object(custom)? = file.custom else { continue }
                for key in ["piece_hashes_of", "torrent_of"] {
                    if case let .string(of)? = custom[key], withdrawn.contains(of) { targets.targets[path] = nil }
                }
            }
            if !force {
                for path in removed {
                    let dependants = targets.targets.filter { _, file in
                        (try? PackageTargetMetadata(custom: file.custom)).map { $0.requires.contains(path) || ($0.fullRequires ?? []).contains(path) } ?? false
                    }.keys.sorted()
                    if !dependants.isEmpty { throw .stillRequired(target: path, by: dependants) }
                }
            }
            let (next, writes) = try resign(state, root: state.root.signed, signers: signers, newTargets: targets, floors: floors)
            let report = UndefineReport(
                removed: removed, targetsVersion: next.targets.signed.version,
                timestampVersion: next.timestamp.signed.version)
            return (report, writes)
        }
    }
}
