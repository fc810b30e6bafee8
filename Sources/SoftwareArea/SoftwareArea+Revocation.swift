public import AlienModel
import AreaEnvironment
import Foundation
import Trust

/// What a site does with an installed package its repository revoked. New installs and leases
/// of a revoked build are refused under every policy.
public enum RevocationPolicy: String, Sendable, Hashable, CaseIterable {
    /// Tell the admin; the package stays usable (environments and runs still work).
    case alert
    /// Keep the files (for forensics: what ran, with which bytes) but refuse every new use:
    /// environments, runs, leases. The default: safe at once, reversible, and it destroys no evidence.
    case quarantine
    /// Remove the package once no lease holds it and no installed package requires it (retried
    /// at every refresh until then); refused for new use meanwhile, as `quarantine`.
    case remove
}

/// What applying the repository's revocations to an area found and did.
public struct RevocationReport: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable {
        /// Policy `alert`: left usable.
        case alerted = "alert"
        case quarantined
        case removed
        /// Policy `remove`, but a live lease (a running job) holds it: removed at a later refresh.
        case keptLeased = "kept-leased"
        /// Policy `remove`, but installed packages require it: removed once they are gone.
        case keptRequired = "kept-required"
    }

    /// A revoked package that was installed when the revocations were applied.
    public struct Entry: Sendable, Hashable {
        public var revocation: PackageRevocation
        public var package: PackageBuild
        public var action: Action
        /// The holders of live leases on it (the jobs running with it); never killed.
        public var holders: [String]
        /// Installed packages that require it.
        public var requiredBy: [String]
    }

    public var policy: RevocationPolicy
    /// Every revocation the repository holds for the area's architecture.
    public var revocations: [PackageRevocation]
    /// Those the area had not seen before this refresh.
    public var new: [PackageRevocation]
    /// The revoked packages that were installed, and what was done with each.
    public var present: [Entry]
}

extension SoftwareArea {
    /// The revocations the last refresh stored (none when it never ran or the file is unreadable).
    public func knownRevocations() -> [PackageRevocation] {
        EnvironmentArea.storedRevocations(stateDirectory: layout.state)
    }

    /// The stored revocation of `key`, if any.
    public func revocation(of key: PackageBuild) -> PackageRevocation? {
        knownRevocations().first { $0.name == key.name.rawValue && $0.build == key.version }
    }

    /// Why `key` may not be used now (a revocation under the `quarantine` or `remove` policy), else nil.
    public func quarantine(of key: PackageBuild) -> PackageRevocation? {
        configuration.revocationPolicy == .alert ? nil : revocation(of: key)
    }

    /// Revoked packages that are still installed, with their revocations.
    public func revokedPresent() -> [(package: Installed, revocation: PackageRevocation)] {
        let revoked = knownRevocations()
        guard !revoked.isEmpty else { return [] }
        return installed().compactMap { package in
            revoked.first { $0.name == package.key.name.rawValue && $0.build == package.key.version }.map { (package, $0) }
        }
    }

    /// Refreshes the trusted metadata, then `applyRevocations` with what it holds.
    public func refreshRevocations() async throws(SoftwareAreaError) -> RevocationReport {
        try applyRevocations(try await catalog().revocations())
    }

    /// Stores `revocations` as the area's known ones and applies the area's policy to the
    /// revoked packages installed: nothing more for `alert` and `quarantine` (the stored list
    /// is what refuses their use), removal for `remove` when no lease holds the package and no
    /// installed package requires it. Running jobs are never touched.
    @discardableResult
    public func applyRevocations(_ revocations: [PackageRevocation]) throws(SoftwareAreaError) -> RevocationReport {
        let before = Set(knownRevocations())
        if Set(revocations) != before {
            let document = JSONValue.object(["revocations": .array(revocations.map(\.json))])
            try FileSystem.writeAtomically(document.compactJSONBytes + [0x0A], to: layout.revocations)
        }
        let policy = configuration.revocationPolicy
        var report = RevocationReport(policy: policy, revocations: revocations, new: revocations.filter { !before.contains($0) }, present: [])
        let installed = installed()
        let leases = liveLeases()
        for revocation in revocations {
            guard let package = installed.first(where: { $0.key.name.rawValue == revocation.name && $0.key.version == revocation.build }) else {
                continue
            }
            let key = package.key
            let holders = leases.filter { $0.packages.contains(key.description) }.map(\.holder)
            let requiredBy = dependants(of: key, among: installed).map(\.description)
            var action: RevocationReport.Action
            switch policy {
            case .alert: action = .alerted
            case .quarantine: action = .quarantined
            case .remove:
                do throws(SoftwareAreaError) {
                    try remove(key, force: false)
                    action = .removed
                } catch {
                    switch error {
                    case .leased: action = .keptLeased
                    case .required: action = .keptRequired
                    default: throw error
                    }
                }
            }
            report.present.append(.init(revocation: revocation, package: key, action: action, holders: holders, requiredBy: requiredBy))
        }
        return report
    }

    /// Refuses a closure that holds a revoked build (a dependant of a revoked package is refused too).
    static func refuseRevoked(_ packages: [PackageTarget], _ revoked: [PackageRevocation]) throws(SoftwareAreaError) {
        guard !revoked.isEmpty else { return }
        let byPath = Dictionary(revoked.map { ($0.target, $0) }, uniquingKeysWith: { first, _ in first })
        for package in packages {
            if let revocation = byPath[package.info.path] {
                throw .revoked(package: package.build.description, reason: revocation.reason, time: revocation.time)
            }
        }
    }
}
