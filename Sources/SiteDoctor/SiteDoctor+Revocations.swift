import AlienModel
import SoftwareArea

extension SiteDoctor {
    /// Revoked packages still installed: the repository's revocations (fresh when it is
    /// reachable, else those the last refresh stored) against the area. A revoked package
    /// still usable (policy `alert`) fails; one quarantined or awaiting removal warns.
    /// Read-only: the policy is applied by installs, `revocations` and packmand, not here.
    func checkRevocations(_ area: SoftwareArea?, reachable: Bool) async -> SiteCheck {
        guard let area else { return SiteCheck("revoked-present", .skip, "no usable area") }
        var revocations = area.knownRevocations()
        var source = "as last refreshed"
        if reachable, let catalog = try? area.catalog(), let fresh = try? await catalog.revocations() {
            revocations = fresh
            source = "from the repository"
        }
        let present = area.installed().compactMap { package in
            revocations.first { $0.name == package.key.name.rawValue && $0.build == package.key.version }.map { (package.key, $0) }
        }
        let policy = area.configuration.revocationPolicy
        guard !present.isEmpty else {
            return SiteCheck("revoked-present", .pass, "no revoked package installed (\(revocations.count) revocation(s) \(source); policy \(policy.rawValue))")
        }
        let list = present.map { key, revocation in "\(key) (revoked \(revocation.time): \(revocation.reason))" }.joined(separator: "; ")
        let status: SiteCheck.Status = policy == .alert ? .fail : .warn
        let state = policy == .alert ? "still usable (policy alert)" : "refused for use (policy \(policy.rawValue)), files kept"
        return SiteCheck(
            "revoked-present", status, "\(present.count) revoked package(s) installed, \(state): \(list)",
            hint: "remove them once no job holds them (alien-install remove PKG), or set \"revocation_policy\": \"remove\" in the area's config.json")
    }
}
