public import AlienModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EnvironmentArea {
    /// The revoked builds this area refuses for use, `Name/Version-Revision` → the revocation:
    /// those of `<root>/.alien/revocations.json` (written by SoftwareArea at each refresh)
    /// unless `<root>/.alien/config.json` says `"revocation_policy": "alert"`. An area without
    /// the file (the common case: one failed `open`) refuses nothing.
    public func quarantinedBuilds() -> [String: PackageRevocation] {
        let state = rootPath + "/.alien"
        let revocations = Self.storedRevocations(stateDirectory: state)
        guard !revocations.isEmpty else { return [:] }
        if case let .object(config)? = Self.readJSON(state + "/config.json", limit: 1 << 20),
            case .string("alert")? = config["revocation_policy"]
        {
            return [:]
        }
        var builds: [String: PackageRevocation] = [:]
        for revocation in revocations where revocation.arch == architecture.rawValue {
            builds[revocation.folder] = revocation
        }
        return builds
    }

    /// Revocations files are small; past this the file is not one.
    public static let maximumRevocationsBytes = 16 << 20

    /// The one reader of `<state>/revocations.json` (SoftwareArea writes it at each refresh): the
    /// revocations it stores; none when the file is absent, unreadable, too large or malformed.
    public static func storedRevocations(stateDirectory: String) -> [PackageRevocation] {
        guard case let .object(document)? = readJSON(stateDirectory + "/revocations.json", limit: maximumRevocationsBytes),
            case let .array(items)? = document["revocations"]
        else { return [] }
        return items.compactMap { try? PackageRevocation(custom: $0) }
    }

    /// Refuses (`revoked`) a closure that holds a quarantined build.
    public func refuseQuarantined(_ closure: [EnvironmentPackage]) throws(EnvironmentError) {
        let quarantined = quarantinedBuilds()
        guard !quarantined.isEmpty else { return }
        for package in closure {
            if let revocation = quarantined[package.build.description] {
                throw .revoked(package: package.build.description, reason: "\(revocation.reason), at \(revocation.time)")
            }
        }
    }

    /// A small JSON file's value; nil when absent, unreadable, too large or malformed.
    static func readJSON(_ path: String, limit: Int) -> JSONValue? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard case let .success(bytes) = PackageEnvironmentFiles.readFile(descriptor, limit: limit) else { return nil }
        return try? JSONValue(parsing: bytes)
    }
}
