import AlienModel
import Foundation
import Trust

/// A package target as `Publisher` describes it in signed `custom` metadata.
public struct PackageTarget: Sendable, Hashable {
    public var info: TargetInfo
    public var key: PackageKey
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
        let custom = info.file.custom
        func string(_ field: String) throws(SoftwareAreaError) -> String {
            guard case let .object(object)? = custom, case let .string(value)? = object[field], !value.isEmpty else {
                throw .badTargetMetadata(target: info.path, field: field, expected: "a non-empty string", got: Self.kind(custom, field))
            }
            return value
        }
        key = PackageKey(name: try string("name"), version: try string("version"), revision: try string("revision"))
        arch = try string("arch")
        hash = try string("hash")
        for part in [key.name, key.version, key.revision, arch] where part.contains("/") || part == ".." || part == "." {
            throw .badTargetMetadata(target: info.path, field: "name/version/revision/arch", expected: "a path component", got: part)
        }
        requires = Self.stringList(custom, "requires") ?? []
        fullRequires = Self.stringList(custom, "full_requires") ?? requires
        if case let .object(object)? = custom, case let .integer(size)? = object["unpacked_size"], size >= 0 {
            unpackedSize = UInt64(size)
        }
        self.info = info
    }

    static func stringList(_ custom: JSONValue?, _ field: String) -> [String]? {
        guard case let .object(object)? = custom, case let .array(items)? = object[field] else { return nil }
        return items.compactMap { if case let .string(text) = $0 { text } else { nil } }
    }

    private static func kind(_ custom: JSONValue?, _ field: String) -> String {
        guard case let .object(object)? = custom else { return custom == nil ? "no custom object" : "custom as \(custom!.kind)" }
        return object[field].map { $0.kind } ?? "nothing"
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
            throw .trust(package: name ?? arch, reason: error.description)
        }
        var packages: [PackageTarget] = []
        for info in infos where info.path.hasSuffix(".tar.gz") || info.path.hasSuffix(".tar.zst") {
            guard let package = try? PackageTarget(info), package.arch == arch, name == nil || package.key.name == name else { continue }
            packages.append(package)
        }
        return packages.sorted { $0.key.name != $1.key.name ? $0.key.name < $1.key.name : Self.newer($0.key, than: $1.key) }
    }

    /// The newest target the request allows (`::latest` and no version: the newest of all).
    public func resolve(_ request: PackageID) async throws(SoftwareAreaError) -> PackageTarget {
        let name = request.name.rawValue
        let candidates = try await available(name: name).filter { request.version.matches(version: $0.key.version, revision: $0.key.revision) }
        guard let best = candidates.first else {
            throw .unknownPackage(request.description, reason: "no trusted target of \(name) for \(arch) matches")
        }
        return try await target(path: best.info.path, for: request.description)
    }

    /// The target at `path`, looked up by the TUF search (delegations in priority order).
    public func target(path: String, for request: String) async throws(SoftwareAreaError) -> PackageTarget {
        let info: TargetInfo?
        do { info = try await updater.targetInfo(for: path) } catch { throw .trust(package: request, reason: error.description) }
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
                let dependency = try await target(path: path, for: "\(package.key) requires \(path)")
                try await visit(dependency, from: request)
            }
            byPath[package.info.path] = package
            order.append(package)
        }
        for root in roots { try await visit(root, from: root.key.description) }
        return order
    }

    /// Version order: runs of digits compare as numbers, other runs as text; then the revision.
    public static func newer(_ lhs: PackageKey, than rhs: PackageKey) -> Bool {
        let byVersion = compare(lhs.version, rhs.version)
        if byVersion != .orderedSame { return byVersion == .orderedDescending }
        return compare(lhs.revision, rhs.revision) == .orderedDescending
    }

    static func compare(_ lhs: String, _ rhs: String) -> ComparisonResult {
        let left = runs(lhs), right = runs(rhs)
        for (a, b) in zip(left, right) where a != b {
            if let x = UInt64(a), let y = UInt64(b) { return x < y ? .orderedAscending : .orderedDescending }
            return a < b ? .orderedAscending : .orderedDescending
        }
        return left.count == right.count ? .orderedSame : (left.count < right.count ? .orderedAscending : .orderedDescending)
    }

    private static func runs(_ text: String) -> [String] {
        var parts: [String] = [], current = "", digits = false
        for character in text {
            let isDigit = character.isASCII && character.isNumber
            if !current.isEmpty, isDigit != digits {
                parts.append(current)
                current = ""
            }
            digits = isDigit
            current.append(character)
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }
}
