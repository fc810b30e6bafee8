public import AlienModel
import Foundation
import Trust

/// A holder's claim on installed packages until `expires`: what a running job holds is never
/// removed. Stored as `<area>/.alien/leases/<holder>.json`; expired leases are ignored and swept.
public struct Lease: Sendable, Hashable {
    public var holder: String
    /// `Name/Version-Rev` of each package.
    public var packages: [String]
    /// Seconds since 1970.
    public var expires: Int64

    public var json: JSONValue {
        .object(["holder": .string(holder), "packages": .array(packages.map { .string($0) }), "expires": .integer(expires)])
    }

    init?(json: JSONValue) {
        guard case let .object(object) = json, case let .string(holder)? = object["holder"],
            case let .array(items)? = object["packages"], case let .integer(expires)? = object["expires"]
        else { return nil }
        self.holder = holder
        packages = items.compactMap { if case let .string(text) = $0 { text } else { nil } }
        self.expires = expires
    }

    init(holder: String, packages: [String], expires: Int64) {
        self.holder = holder
        self.packages = packages
        self.expires = expires
    }
}

extension SoftwareArea {
    /// The longest lease: a year and a day (a job longer than that is not a job).
    public static let maxLeaseSeconds: Int64 = 366 * 86400

    /// Leases `requests` (installed packages) for `holder` until now + `ttl` seconds; an existing
    /// lease of the holder is extended and its packages kept.
    @discardableResult
    public func acquireLease(holder: String, packages requests: [PackageID], ttl: Int64) throws(SoftwareAreaError) -> Lease {
        try Self.checkHolder(holder)
        guard ttl > 0, ttl <= Self.maxLeaseSeconds else {
            throw .invalidArgument(name: "ttl", expected: "seconds from 1 to \(Self.maxLeaseSeconds) (366 days)", got: String(ttl))
        }
        var keys: [String] = []
        let revoked = knownRevocations()
        for request in requests {
            // The newest installed build nobody revoked; a revoked one is never leased anew.
            let matches = installed(matching: request)
            let revocation = { (key: PackageBuild) in revoked.first { $0.name == key.name.rawValue && $0.build == key.version } }
            guard let match = matches.first(where: { revocation($0.key) == nil }) else {
                if let newest = matches.first, let found = revocation(newest.key) {
                    throw .revoked(package: newest.key.description, reason: found.reason, time: found.time)
                }
                throw .notInstalled(request.description)
            }
            keys.append(match.key.description)
        }
        let lock = try FileLock.acquire(layout.leaseLock)
        defer { lock.unlock() }
        let now = clock()
        var lease = Lease(holder: holder, packages: [], expires: now + ttl)
        if let existing = readLease(holder), existing.expires > now { lease.packages = existing.packages }
        for key in keys where !lease.packages.contains(key) { lease.packages.append(key) }
        try FileSystem.writeAtomically(lease.json.compactJSONBytes + [0x0A], to: leasePath(holder))
        return lease
    }

    /// Releases `requests` from the holder's lease (all of it when empty); nil when nothing is left.
    @discardableResult
    public func releaseLease(holder: String, packages requests: [PackageID] = []) throws(SoftwareAreaError) -> Lease? {
        try Self.checkHolder(holder)
        let lock = try FileLock.acquire(layout.leaseLock)
        defer { lock.unlock() }
        guard var lease = readLease(holder) else { return nil }
        if !requests.isEmpty {
            lease.packages.removeAll { key in
                requests.contains { request in
                    let parts = key.split(separator: "/", maxSplits: 1)
                    guard parts.count == 2, parts[0] == request.name.rawValue else { return false }
                    // The one version rule (`VersionSelector.matches`): `v6` is not `v6-32-06-1`.
                    guard let build = PackageVersion(folder: parts[1]) else { return false }
                    return request.version.matches(build)
                }
            }
        }
        if requests.isEmpty || lease.packages.isEmpty {
            unlink(leasePath(holder))
            return nil
        }
        try FileSystem.writeAtomically(lease.json.compactJSONBytes + [0x0A], to: leasePath(holder))
        return lease
    }

    /// Unexpired leases; expired ones are deleted on the way.
    public func liveLeases() -> [Lease] {
        let now = clock()
        var live: [Lease] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.leases)) ?? [] where name.hasSuffix(".json") {
            let path = "\(layout.leases)/\(name)"
            guard let bytes = FileSystem.readBytes(path), let value = try? JSONValue(parsing: bytes), let lease = Lease(json: value) else {
                continue
            }
            if lease.expires > now { live.append(lease) } else { unlink(path) }
        }
        return live.sorted { $0.holder < $1.holder }
    }

    func leasePath(_ holder: String) -> String { "\(layout.leases)/\(holder).json" }

    func readLease(_ holder: String) -> Lease? {
        guard let bytes = FileSystem.readBytes(leasePath(holder)), let value = try? JSONValue(parsing: bytes) else { return nil }
        return Lease(json: value)
    }

    static func checkHolder(_ holder: String) throws(SoftwareAreaError) {
        let allowed = holder.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
        guard !holder.isEmpty, holder.count <= 200, allowed, !holder.hasPrefix(".") else {
            throw .invalidArgument(name: "holder", expected: "letters, digits, '.', '_', '-' (not starting with '.')", got: holder)
        }
    }
}
