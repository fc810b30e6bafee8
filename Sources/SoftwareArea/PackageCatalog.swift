public import AlienModel
import Foundation
public import Trust

/// A package target as `Publisher` describes it in signed `custom` metadata.
public struct PackageTarget: Sendable, Hashable {
    public var info: TargetInfo
    /// The signed `custom` object, read.
    public var metadata: PackageTargetMetadata
    /// Which build the target holds.
    public var build: PackageBuild
    public var arch: String
    /// aliBuild's package hash (relocation markers use it).
    public var hash: String
    /// Direct runtime requirements, as target paths.
    public var requires: [String]
    /// The recursive runtime closure, as target paths.
    public var fullRequires: [String]
    /// `custom.unpacked_size` when the publisher recorded it.
    public var unpackedSize: UInt64?

    public init(_ info: TargetInfo) throws(SoftwareAreaError) {
        do { metadata = try PackageTargetMetadata(custom: info.file.custom) } catch {
            throw .badTargetMetadata(target: info.path, field: error.field, expected: error.expected, got: error.got)
        }
        guard let hash = metadata.hash else {
            throw .badTargetMetadata(target: info.path, field: PackageTargetMetadata.Key.hash, expected: "a non-empty string", got: "nothing")
        }
        do { build = PackageBuild(name: try PackageName(metadata.name), version: metadata.build) } catch {
            throw .badTargetMetadata(target: info.path, field: PackageTargetMetadata.Key.name, expected: "a package name", got: error.description)
        }
        arch = metadata.arch
        self.hash = hash
        requires = metadata.requires
        fullRequires = metadata.runtimeClosure
        unpackedSize = metadata.unpackedSize
        self.info = info
    }
}

/// What the area's trusted repository offers: package requests → signed targets, closures.
public struct PackageCatalog: Sendable {
    public let updater: Updater
    public let arch: String

    public init(updater: Updater, arch: String) {
        self.updater = updater
        self.arch = arch
    }

    /// Every package target for `arch` (or only those of `name`), sorted by name then newest first.
    public func available(name: String? = nil) async throws(SoftwareAreaError) -> [PackageTarget] {
        let prefix = name.map { "\(arch)/\($0)/" } ?? "\(arch)/"
        let infos: [TargetInfo]
        do { infos = try await updater.targets(matching: prefix) } catch {
            throw .catalog(error, package: name ?? arch)
        }
        var packages: [PackageTarget] = []
        for info in infos where info.path.hasSuffix(".tar.gz") || info.path.hasSuffix(".tar.zst") {
            guard let package = try? PackageTarget(info), package.arch == arch, name == nil || package.build.name.rawValue == name else { continue }
            packages.append(package)
        }
        return packages.sorted { $0.build.name != $1.build.name ? $0.build.name < $1.build.name : Self.newer($0.build, than: $1.build) }
    }

    /// The newest target the request allows (`::latest` and no version: the newest of all).
    public func resolve(_ request: PackageID) async throws(SoftwareAreaError) -> PackageTarget {
        let name = request.name.rawValue
        let candidates = try await available(name: name).filter { request.version.matches($0.build.version) }
        guard let best = candidates.first else {
            throw .unknownPackage(request.description, reason: "no trusted target of \(name) for \(arch) matches")
        }
        return try await target(path: best.info.path, for: request.description)
    }

    /// The target at `path`, looked up by the TUF search (delegations in priority order).
    public func target(path: String, for request: String) async throws(SoftwareAreaError) -> PackageTarget {
        let info: TargetInfo?
        do { info = try await updater.targetInfo(for: path) } catch { throw .catalog(error, package: request) }
        guard let info else { throw .unknownPackage(request, reason: "no trusted targets role lists \(path)") }
        return try PackageTarget(info)
    }

    /// `roots` and their runtime closures, dependencies before dependants, each once.
    public func closure(of roots: [PackageTarget]) async throws(SoftwareAreaError) -> [PackageTarget] {
        var byPath: [String: PackageTarget] = [:]
        var order: [PackageTarget] = []
        var visiting = Set<String>()
        func visit(_ package: PackageTarget, from request: String) async throws(SoftwareAreaError) {
            if byPath[package.info.path] != nil || visiting.contains(package.info.path) { return }
            visiting.insert(package.info.path)
            for path in package.requires + package.fullRequires.filter({ !package.requires.contains($0) }) where byPath[path] == nil {
                let dependency = try await target(path: path, for: "\(package.build) requires \(path)")
                try await visit(dependency, from: request)
            }
            byPath[package.info.path] = package
            order.append(package)
        }
        for root in roots { try await visit(root, from: root.build.description) }
        return order
    }

    /// Whether `lhs` is the newer build: ``PackageVersion``'s order, the one every "newest" uses.
    public static func newer(_ lhs: PackageBuild, than rhs: PackageBuild) -> Bool {
        lhs.version > rhs.version
    }
}
