public import AlienModel
import Basics
import Foundation
import Trust

/// Progress of area operations, one event per step and package.
public enum AreaEvent: Sendable, Hashable {
    /// The packages an install will make present, dependencies first.
    case resolved([PackageBuild])
    case alreadyInstalled(PackageBuild, path: String)
    /// A streamed download under way: bytes verified and received so far, the tarball's
    /// length, the average rate, and the entries the extraction has written meanwhile
    /// (reported a few times a second at most).
    case progress(PackageBuild, bytes: Int64, total: Int64, bytesPerSecond: Double, extracted: Int = 0)
    /// The whole tarball arrived and was verified: from which source, and whether piece by
    /// piece against a signed piece-hash list (extracted while it arrived) or as a whole file.
    case downloaded(PackageBuild, bytes: Int64, source: String = "http", piecewise: Bool = false)
    /// A closure install under way (several packages at once): packages in place, bytes
    /// received of all tarballs, the average rate, entries extracted (a few times a second).
    case closureProgress(done: Int, packages: Int, bytes: Int64, total: Int64, bytesPerSecond: Double, extracted: Int)
    /// Waiting for another installer's lock on the package (after 2 s, about once a second):
    /// seconds waited, and the holder's pid when known.
    case waiting(PackageBuild, seconds: Int, holder: Int32?)
    /// The tarball is being fetched from a BitTorrent swarm (torrent verified through TUF).
    case swarm(PackageBuild, infoHash: String)
    /// A download path gave up and the HTTP path takes over.
    case fallback(PackageBuild, reason: String)
    case extracted(PackageBuild, files: Int, bytes: UInt64)
    case installed(PackageBuild, path: String)
    case removed(PackageBuild)
    /// A stale stage or trash entry of a killed run was deleted.
    case swept(path: String)
    /// Something after the fact went wrong (e.g. a modulefile could not be written); the
    /// package itself is in place.
    case warning(PackageBuild, String)

    public var json: JSONValue {
        func object(_ event: String, _ key: PackageBuild?, _ extra: [String: JSONValue] = [:]) -> JSONValue {
            var fields = extra
            fields["event"] = .string(event)
            if let key { fields["package"] = .string(key.description) }
            return .object(fields)
        }
        switch self {
        case let .resolved(keys): return object("resolved", nil, ["packages": .array(keys.map { .string($0.description) })])
        case let .alreadyInstalled(key, path): return object("already-installed", key, ["path": .string(path)])
        case let .progress(key, bytes, total, rate, extracted):
            return object(
                "progress", key,
                [
                    "bytes": .integer(bytes), "total": .integer(total), "bytes_per_second": .integer(Int64(rate.rounded())),
                    "extracted_entries": .integer(Int64(extracted))
                ])
        case let .downloaded(key, bytes, source, piecewise):
            return object(
                "downloaded", key,
                [
                    "bytes": .integer(bytes), "source": .string(source),
                    "verified": .string(piecewise ? "pieces" : "whole-file")
                ])
        case let .closureProgress(done, packages, bytes, total, rate, extracted):
            return object(
                "closure-progress", nil,
                [
                    "done": .integer(Int64(done)), "packages": .integer(Int64(packages)), "bytes": .integer(bytes),
                    "total": .integer(total), "bytes_per_second": .integer(Int64(rate.rounded())),
                    "extracted_entries": .integer(Int64(extracted))
                ])
        case let .waiting(key, seconds, holder):
            var fields: [String: JSONValue] = ["seconds": .integer(Int64(seconds))]
            if let holder { fields["holder_pid"] = .integer(Int64(holder)) }
            return object("waiting", key, fields)
        case let .swarm(key, infoHash): return object("swarm", key, ["infohash": .string(infoHash)])
        case let .fallback(key, reason): return object("fallback", key, ["reason": .string(reason)])
        case let .extracted(key, files, bytes): return object("extracted", key, ["files": .integer(Int64(files)), "bytes": .integer(Int64(bytes))])
        case let .installed(key, path): return object("installed", key, ["path": .string(path)])
        case let .removed(key): return object("removed", key)
        case let .swept(path): return object("swept", nil, ["path": .string(path)])
        case let .warning(key, message): return object("warning", key, ["message": .string(message)])
        }
    }

    /// One line for a terminal.
    public var text: String {
        switch self {
        case let .resolved(keys): "resolved \(keys.count) package(s): \(keys.map(\.description).joined(separator: " "))"
        case let .alreadyInstalled(key, _): "\(key): already installed"
        case let .progress(key, bytes, total, rate, extracted):
            "\(key): \(Self.size(bytes)) of \(Self.size(total)), \(Self.size(Int64(rate)))/s, ETA \(Self.eta(bytes: bytes, total: total, rate: rate))"
                + (extracted > 0 ? ", \(extracted) entries extracted" : "")
        case let .downloaded(key, bytes, source, piecewise):
            "\(key): downloaded \(bytes) bytes from \(source) (verified \(piecewise ? "piece by piece" : "as a whole"))"
        case let .closureProgress(done, packages, bytes, total, rate, extracted):
            "\(done) of \(packages) packages in place, \(Self.size(bytes)) of \(Self.size(total)), \(Self.size(Int64(rate)))/s, "
                + "ETA \(Self.eta(bytes: bytes, total: total, rate: rate))" + (extracted > 0 ? ", \(extracted) entries extracted" : "")
        case let .waiting(key, seconds, holder):
            "\(key): waiting \(seconds) s for the lock held by another installer" + (holder.map { " (pid \($0))" } ?? "")
        case let .swarm(key, infoHash): "\(key): joining the swarm of torrent \(infoHash)"
        case let .fallback(key, reason): "\(key): \(reason)"
        case let .extracted(key, files, bytes): "\(key): extracted \(files) files, \(bytes) bytes"
        case let .installed(key, path): "\(key): installed in \(path)"
        case let .removed(key): "\(key): removed"
        case let .swept(path): "removed stale \(path)"
        case let .warning(key, message): "\(key): warning: \(message)"
        }
    }
}

extension AreaEvent {
    /// The package the event is about, if one.
    public var package: PackageBuild? {
        switch self {
        case .resolved, .closureProgress, .swept: nil
        case let .alreadyInstalled(key, _), let .progress(key, _, _, _, _), let .downloaded(key, _, _, _), let .swarm(key, _), let .fallback(key, _),
            let .extracted(key, _, _), let .installed(key, _), let .removed(key), let .warning(key, _), let .waiting(key, _, _):
            key
        }
    }

    /// A lock wait report.
    public var isWaiting: Bool {
        if case .waiting = self { return true }
        return false
    }

    /// "12.3 MiB" (binary units).
    static func size(_ bytes: Int64) -> String {
        ByteCountText.format(bytes)
    }

    /// Remaining time at the current rate: "42s", "3m05s", "1h02m", or "?" without a rate.
    static func eta(bytes: Int64, total: Int64, rate: Double) -> String {
        guard rate > 0, total >= bytes else { return "?" }
        let seconds = Int((Double(total - bytes) / rate).rounded(.up))
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return String(format: "%dm%02ds", seconds / 60, seconds % 60) }
        return String(format: "%dh%02dm", seconds / 3600, seconds / 60 % 60)
    }
}

/// Receives progress; the CLI prints it (text or one JSON object per line).
public protocol AreaReporter: Sendable {
    func report(_ event: AreaEvent)
}

/// Drops every event.
public struct SilentReporter: AreaReporter {
    public init() {}
    public func report(_ event: AreaEvent) {}
}

/// What happens after a package became visible or was removed (the environment side hooks
/// modulefile generation in here).
public struct AreaHooks: Sendable {
    /// What runs once a package is in place.
    public typealias AfterInstall = @Sendable (AreaLayout, InstallRecord) throws -> Void

    /// Makes the after-install hook of one install (called once per install, so that the
    /// packages of a closure share what the hook keeps, such as manifests it read).
    public var startInstall: (@Sendable () -> AfterInstall)?
    public var afterRemove: (@Sendable (AreaLayout, PackageBuild) throws -> Void)?

    public init(
        startInstall: (@Sendable () -> AfterInstall)? = nil,
        afterRemove: (@Sendable (AreaLayout, PackageBuild) throws -> Void)? = nil
    ) {
        self.startInstall = startInstall
        self.afterRemove = afterRemove
    }
}

/// Which lock waits get a line of their own where no live line is redrawn (output that is not
/// a terminal): a package's first wait report, then one at least ten seconds later, and so on.
/// Reports come about once a second, but a busy machine can skip a second, so no particular
/// second is waited for (a line only at "2 s, 12 s, ..." could never come).
public struct LockWaitLines: Sendable {
    private var printed: [PackageBuild: Int] = [:]

    public init() {}

    /// Whether the report of `seconds` waited for `key`'s lock gets a line (and records it).
    public mutating func wantsLine(_ key: PackageBuild, seconds: Int) -> Bool {
        if let last = printed[key], seconds < last + 10 { return false }
        printed[key] = seconds
        return true
    }
}

/// Free space where the area lives (statvfs; a fake in tests).
public protocol DiskSpaceProbe: Sendable {
    func availableBytes(at path: String) -> UInt64?
}

public struct StatvfsProbe: DiskSpaceProbe {
    public init() {}
    public func availableBytes(at path: String) -> UInt64? { FileSystem.availableBytes(at: path) }
}
