public import AlienModel
import Foundation

/// What the low-level `alien-install trust` commands do, as library calls: bootstrap a
/// metadata directory from a root file, refresh it, download targets. Each returns a report the
/// CLI prints as text or JSON; failures are `UpdaterError`s or per-target failures in the report.
public enum TrustClient {
    /// One trusted role after a refresh.
    public struct RoleState: Hashable, Sendable {
        public var role: String
        public var version: Int64
        public var expires: Expiry
    }

    /// The outcome of one requested target.
    public struct TargetOutcome: Hashable, Sendable {
        public enum Status: String, Sendable { case downloaded, cached, unknown, failed }
        public var path: String
        public var status: Status
        public var localPath: String?
        public var length: Int64?
        public var sha256: String?
        /// Why it failed, or which role does not list it.
        public var reason: String?
    }

    /// Checks `rootFile` (a root signed by its own threshold of keys) and makes it the trusted
    /// root of `metadataDirectory`.
    public static func initialize(rootFile: String, metadataDirectory: String) throws(TrustClientError) -> RoleState {
        guard let data = FileManager.default.contents(atPath: rootFile) else {
            throw .unreadable(path: rootFile)
        }
        let bytes = [UInt8](data)
        do {
            try Updater.initialize(rootBytes: bytes, metadataDirectory: metadataDirectory)
            let root = try Metadata<Root>(bytes: bytes)
            return RoleState(role: "root", version: root.signed.version, expires: root.signed.expires)
        } catch let error as UpdaterError {
            throw .update(file: rootFile, error)
        } catch let error as TrustError {
            throw .malformed(file: rootFile, error)
        } catch {
            throw .update(file: rootFile, .io(path: rootFile, reason: "\(error)"))
        }
    }

    /// Runs the update workflow; returns the trusted top-level roles afterwards.
    public static func refresh(
        metadataDirectory: String, metadataURL: String, fetcher: any RemoteFetcher,
        configuration: UpdaterConfiguration = .init()
    ) async throws(UpdaterError) -> [RoleState] {
        let updater = Updater(
            metadataDirectory: metadataDirectory, metadataBaseURL: metadataURL, targetBaseURL: nil,
            fetcher: fetcher, configuration: configuration)
        try await updater.refresh()
        // A successful refresh always leaves a trusted set.
        guard let set = await updater.trustedMetadata else { return [] }
        return roles(of: set)
    }

    /// The top-level roles of a trusted set, in the order root, timestamp, snapshot, targets.
    public static func roles(of set: TrustedMetadataSet) -> [RoleState] {
        var roles = [RoleState(role: "root", version: set.root.version, expires: set.root.expires)]
        if let timestamp = set.timestamp { roles.append(RoleState(role: "timestamp", version: timestamp.version, expires: timestamp.expires)) }
        if let snapshot = set.snapshot { roles.append(RoleState(role: "snapshot", version: snapshot.version, expires: snapshot.expires)) }
        if let targets = set.targets { roles.append(RoleState(role: "targets", version: targets.version, expires: targets.expires)) }
        return roles
    }

    /// Refreshes, then looks each target up through the delegations (nothing is downloaded).
    /// A path no trusted role lists maps to nil.
    public static func lookup(
        _ paths: [String], metadataDirectory: String, metadataURL: String, fetcher: any RemoteFetcher,
        configuration: UpdaterConfiguration = .init()
    ) async throws(UpdaterError) -> [(String, TargetInfo?)] {
        let updater = Updater(
            metadataDirectory: metadataDirectory, metadataBaseURL: metadataURL, targetBaseURL: nil,
            fetcher: fetcher, configuration: configuration)
        try await updater.refresh()
        var found: [(String, TargetInfo?)] = []
        for path in paths {
            found.append((path, try await updater.targetInfo(for: path)))
        }
        return found
    }

    /// Refreshes, then finds and downloads each target (a present file with matching hashes is
    /// kept). Every path gets an outcome; the caller decides the exit status.
    public static func download(
        _ paths: [String], metadataDirectory: String, metadataURL: String, targetBaseURL: String,
        targetDirectory: String, fetcher: any RemoteFetcher,
        configuration: UpdaterConfiguration = .init()
    ) async throws(UpdaterError) -> [TargetOutcome] {
        let updater = Updater(
            metadataDirectory: metadataDirectory, metadataBaseURL: metadataURL, targetBaseURL: targetBaseURL,
            fetcher: fetcher, configuration: configuration)
        try await updater.refresh()
        // Looked up one after the other (the trusted set), then the ones not already in the
        // target directory downloaded several at a time.
        var outcomes: [TargetOutcome] = []
        var wanted: [(index: Int, info: TargetInfo)] = []
        for path in paths {
            var outcome = TargetOutcome(path: path, status: .failed)
            do throws(UpdaterError) {
                if let info = try await updater.targetInfo(for: path) {
                    outcome.length = info.file.length
                    outcome.sha256 = info.file.hashes["sha256"]
                    if let cached = await updater.cachedTarget(info, in: targetDirectory) {
                        outcome.status = .cached
                        outcome.localPath = cached
                    } else {
                        outcome.status = .downloaded
                        wanted.append((outcomes.count, info))
                    }
                } else {
                    outcome.status = .unknown
                    outcome.reason = "no trusted targets role lists '\(path)'"
                }
            } catch {
                outcome.reason = error.description
            }
            outcomes.append(outcome)
        }
        let results = await updater.downloadTargets(wanted.map(\.info), to: targetDirectory)
        for ((index, _), result) in zip(wanted, results) {
            switch result {
            case let .success(path): outcomes[index].localPath = path
            case let .failure(error):
                outcomes[index].status = .failed
                outcomes[index].reason = error.description
            }
        }
        return outcomes
    }
}

extension TrustClient.RoleState {
    public var json: JSONValue {
        .object(["role": .string(role), "version": .integer(version), "expires": .string(expires.description)])
    }
}

extension TargetInfo {
    /// `{"path", "role", "length", "hashes", "custom"?}`
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "path": .string(path), "role": .string(role), "length": .integer(file.length),
            "hashes": .object(file.hashes.mapValues { .string($0) })
        ]
        if let custom = file.custom { object["custom"] = custom }
        return .object(object)
    }
}

extension TrustClient.TargetOutcome {
    public var json: JSONValue {
        var object: [String: JSONValue] = ["path": .string(path), "status": .string(status.rawValue)]
        if let localPath { object["file"] = .string(localPath) }
        if let length { object["length"] = .integer(length) }
        if let sha256 { object["sha256"] = .string(sha256) }
        if let reason { object["reason"] = .string(reason) }
        return .object(object)
    }
}

/// Why a `trust` command could not start.
public enum TrustClientError: Error, Hashable, Sendable, CustomStringConvertible {
    case unreadable(path: String)
    /// The TUF client refused the root file.
    case update(file: String, UpdaterError)
    /// The root file is not root metadata.
    case malformed(file: String, TrustError)

    public var description: String {
        switch self {
        case let .unreadable(path): "\(path): cannot read the file"
        case let .update(file, error): "\(file): \(error)"
        case let .malformed(file, error): "\(file): \(error)"
        }
    }
}
