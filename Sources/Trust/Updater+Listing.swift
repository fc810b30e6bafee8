extension Updater {
    /// Every target whose path starts with `prefix` (e.g. `slc9_x86-64/ROOT/`), as listed by the
    /// trusted top-level targets role and the delegated roles reachable from it (pre-order, roles
    /// in priority order, at most `maxDelegations` roles loaded; succinct hash bins are visited
    /// too). A delegated role's entry counts only when every delegation on the way to it covers
    /// that path, so a role never vouches for a path it was not delegated; the first role in
    /// pre-order to list a path wins. Refreshes first if needed; delegated metadata that was
    /// fetched is written once verified.
    ///
    /// This is for discovery ("which versions of ROOT exist"): before using a target, look its
    /// path up with `targetInfo(for:)`, the TUF search with terminating delegations.
    public func targets(matching prefix: String) async throws(UpdaterError) -> [TargetInfo] {
        var set = try await refreshedSet()
        // A role to visit with the delegation edges leading to it (delegator's delegations, child name).
        var toVisit: [(role: String, delegator: String, chain: [(Delegations, String)])] = [("targets", "root", [])]
        var visited = Set<String>()
        var found: [String: TargetInfo] = [:]
        do throws(UpdaterError) {
            while visited.count <= configuration.maxDelegations, let (role, delegator, chain) = toVisit.popLast() {
                if !visited.insert(role).inserted { continue }
                let targets = try await loadTargets(role: role, delegator: delegator, set: &set)
                for (path, file) in targets.targets where path.hasPrefix(prefix) && found[path] == nil {
                    let covered = chain.allSatisfy { delegations, child in
                        delegations.roles(for: path).contains { $0.name == child }
                    }
                    if covered { found[path] = TargetInfo(path: path, file: file, role: role) }
                }
                guard let delegations = targets.delegations else { continue }
                var children: [String] = delegations.roles.map(\.name)
                if let succinct = delegations.succinctRoles { children += succinct.roleNames }
                for child in children.reversed() {
                    toVisit.append((child, role, chain + [(delegations, child)]))
                }
            }
        } catch {
            store(set)
            throw error
        }
        store(set)
        return found.values.sorted { $0.path < $1.path }
    }
}
