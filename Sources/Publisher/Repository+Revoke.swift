public import AlienModel
import Basics
import Foundation
import Trust

/// What `revoke` did.
public struct RevokeReport: Sendable {
    /// The revocations signed by this call.
    public var revoked: [PackageRevocation] = []
    /// Builds revoked before (their first revocation, with its reason and time, is kept).
    public var alreadyRevoked: [PackageRevocation] = []
    /// The new metadata versions, or nil when nothing changed.
    public var targetsVersion: Int64?
    public var timestampVersion: Int64?
}

extension Repository {
    /// Revokes the published builds `package` names (`Name::Version` every revision of it,
    /// `Name::Version-Revision` one), limited to `arch` when given: for each, a target
    /// `revocations/<arch>/<Name>/<Version>-<Revision>.json` signed by the targets role, its
    /// bytes and `custom` the same `PackageRevocation` (package, revoked target path and sha256,
    /// `reason`, the signing time). The revoked tarball stays defined (sites match what they
    /// hold against it); `undefine` is the way to withdraw a version without saying it is bad.
    /// A build revoked already keeps its first revocation (idempotent); a build never
    /// published is refused.
    @discardableResult
    public func revoke(_ package: PackageID, reason: String, arch: String? = nil, signers: Signers) throws(PublisherError) -> RevokeReport {
        guard case .exact = package.version else {
            throw .invalidArgument("revoke \(package): give a version, NAME::VERSION or NAME::VERSION-REVISION")
        }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalidArgument("revoke \(package): a reason is required (sites show it when they refuse the package)") }
        let time = UTCTimestamp.format(now.secondsSince1970)
        return try transaction { state, floors throws(PublisherError) in
            var targets = state.targets.signed
            var report = RevokeReport()
            var documents: [(stored: String, bytes: [UInt8])] = []
            let matching = targets.targets.compactMap { path, file -> (String, TargetFile, PackageTargetMetadata)? in
                guard let info = try? PackageTargetMetadata(custom: file.custom), info.name == package.name.rawValue,
                    arch == nil || info.arch == arch, package.version.matches(version: info.version, revision: info.revision)
                else { return nil }
                return (path, file, info)
            }.sorted { $0.0 < $1.0 }
            guard !matching.isEmpty else { throw .notDefined(package.description + (arch.map { " on \($0)" } ?? "")) }
            for (path, file, info) in matching {
                let revocationPath = PackageRevocation.targetPath(arch: info.arch, name: info.name, version: info.version, revision: info.revision)
                if let existing = targets.targets[revocationPath], let known = try? PackageRevocation(custom: existing.custom) {
                    report.alreadyRevoked.append(known)
                    continue
                }
                let revocation = PackageRevocation(
                    name: info.name, version: info.version, revision: info.revision, arch: info.arch, target: path,
                    sha256: file.hashes["sha256"], reason: trimmed, time: time)
                let bytes = revocation.documentBytes
                let sha256 = sha256Hex(bytes)
                targets.targets[revocationPath] = try TargetFile.checked(length: Int64(bytes.count), sha256: sha256, custom: revocation.json)
                documents.append((PackageTarball.storedPath(targetPath: revocationPath, sha256: sha256), bytes))
                report.revoked.append(revocation)
            }
            guard !report.revoked.isEmpty else { return (report, nil) }
            // Signed first (a missing key writes nothing), then the documents (content-addressed
            // names nothing refers to yet), then the metadata naming them.
            let (next, writes) = try resign(state, root: state.root.signed, signers: signers, newTargets: targets, floors: floors)
            for document in documents where try !store.exists(document.stored) {
                try store.writeBytes(document.stored, Data(document.bytes))
            }
            report.targetsVersion = next.targets.signed.version
            report.timestampVersion = next.timestamp.signed.version
            return (report, writes)
        }
    }

    /// The revocations the current targets metadata holds, sorted by target path.
    public func revocations() throws(PublisherError) -> [PackageRevocation] {
        let targets = try load().targets.signed.targets
        return targets.keys.sorted().compactMap { path in try? PackageRevocation(custom: targets[path]?.custom) }
    }
}
