public import Trust

/// What `rotateRoot` did.
public struct RotationReport: Sendable {
    public var rootVersion: Int64
    /// Roles whose metadata was re-signed because their keys changed (or because a role they
    /// name changed).
    public var resigned: [String]
    public var timestampVersion: Int64
}

/// What `refreshTimestamp` did.
public struct RefreshReport: Sendable {
    /// False when the timestamp did not expire within the window asked for (nothing written).
    public var refreshed: Bool
    public var version: Int64
    public var expires: Expiry
    /// Roles that expire before the new timestamp does (they need a publish or their own re-signing).
    public var expiringSoon: [String]
}

extension Repository {
    /// A new root, version N+1, signed by a threshold of the current root keys (`oldRootKeys`)
    /// and by the new root keys (`newRootKeys`, all of them, at least `newThreshold`). Keys for
    /// targets, snapshot or timestamp replace the current ones when given; the roles concerned
    /// are then re-signed with them (and the ones below them: targets → snapshot → timestamp),
    /// using `otherKeys` for roles whose keys stay. Keys no role uses any more leave the root.
    @discardableResult
    public func rotateRoot(
        oldRootKeys: [SigningKey], newRootKeys: [SigningKey], newThreshold: Int? = nil,
        targetsKey: SigningKey? = nil, snapshotKey: SigningKey? = nil, timestampKey: SigningKey? = nil,
        otherKeys: [SigningKey] = []
    ) throws(PublisherError) -> RotationReport {
        return try transaction { state, floors throws(PublisherError) in
            let old = state.root.signed
            let oldSigners = try Signers(oldRootKeys).keys(for: "root", in: old)
            let newIDs = Self.distinctIDs(newRootKeys)
            guard !newIDs.isEmpty else { throw .invalidArgument("rotate-root: at least one new root key is needed") }
            let threshold = newThreshold ?? min(old.roles["root"]?.threshold ?? 1, newIDs.count)
            guard (1...newIDs.count).contains(threshold) else {
                throw .invalidArgument("root threshold \(threshold): expected 1...\(newIDs.count) (the number of distinct new root keys)")
            }
            var root = old
            root.version = old.version + 1
            root.expires = try expiry("root", expiries.root)
            var changed: [String] = []
            do throws(TrustError) {
                root.roles["root"] = try RoleKeys(keyIDs: newIDs, threshold: threshold)
                for key in newRootKeys { root.keys[key.keyID] = key.key }
                for (role, key) in [("targets", targetsKey), ("snapshot", snapshotKey), ("timestamp", timestampKey)] {
                    guard let key, root.roles[role]?.keyIDs != [key.keyID] else { continue }
                    root.roles[role] = try RoleKeys(keyIDs: [key.keyID], threshold: 1)
                    root.keys[key.keyID] = key.key
                    changed.append(role)
                }
            } catch {
                throw .trust(context: "rotate-root", error)
            }
            let used = Set(root.roles.values.flatMap(\.keyIDs))
            root.keys = root.keys.filter { used.contains($0.key) }

            var rootMetadata = Metadata(signed: root)
            do throws(TrustError) {
                for key in oldSigners + newRootKeys { try rootMetadata.sign(with: key) }
                try old.verify(rootMetadata, as: "root")
                try root.verify(rootMetadata, as: "root")
            } catch {
                throw .invalidMetadata(file: "\(root.version).root.json", expected: nil, error)
            }
            let signers = Signers(otherKeys + [targetsKey, snapshotKey, timestampKey].compactMap { $0 })
            let rootFiles = [("\(root.version).root.json", rootMetadata), ("root.json", rootMetadata)]
            var writes = MetadataWrites()
            var next = state
            let resignTargets = changed.contains("targets"), resignSnapshot = resignTargets || changed.contains("snapshot")
            if changed.isEmpty {
                for (name, metadata) in rootFiles { writes.add(name, metadata) }
            } else {
                (next, writes) = try resign(
                    state, root: root, signers: signers, newTargets: nil, targets: resignTargets,
                    snapshot: resignSnapshot, beforeTimestamp: rootFiles, floors: floors)
            }
            var resigned = changed.isEmpty ? [] : ["timestamp"]
            if resignSnapshot { resigned.insert("snapshot", at: 0) }
            if resignTargets { resigned.insert("targets", at: 0) }
            return (RotationReport(rootVersion: root.version, resigned: resigned, timestampVersion: next.timestamp.signed.version), writes)
        }
    }

    /// Re-signs the timestamp (version + 1, a new expiry, same snapshot) unless `ifExpiringWithin`
    /// seconds is given and the current one lasts longer than that. Meant for cron.
    @discardableResult
    public func refreshTimestamp(signers: Signers, ifExpiringWithin window: Int64? = nil) throws(PublisherError) -> RefreshReport {
        try transaction { state, _ throws(PublisherError) in
            let current = state.timestamp.signed
            if let window, current.expires.secondsSince1970 > now.secondsSince1970 + window {
                return (
                    RefreshReport(
                        refreshed: false, version: current.version, expires: current.expires,
                        expiringSoon: expiringBefore(current.expires, state)), nil
                )
            }
            var timestamp = current
            timestamp.version += 1
            timestamp.expires = try expiry("timestamp", expiries.timestamp)
            var writes = MetadataWrites()
            writes.add("timestamp.json", try signers.sign(timestamp, as: "timestamp", in: state.root.signed))
            return (
                RefreshReport(
                    refreshed: true, version: timestamp.version, expires: timestamp.expires,
                    expiringSoon: expiringBefore(timestamp.expires, state)), writes
            )
        }
    }

    private func expiringBefore(_ time: Expiry, _ state: RepositoryState) -> [String] {
        var roles: [String] = []
        if state.root.signed.expires < time { roles.append("root") }
        if state.targets.signed.expires < time { roles.append("targets") }
        if state.snapshot.signed.expires < time { roles.append("snapshot") }
        return roles
    }
}
