import Foundation
import Tarballs
import Trust

/// A package as another package's dependency names it.
public struct PackageRef: Hashable, Sendable {
    public var name: String
    public var version: String
    public var revision: String
    /// aliBuild's package hash (empty when the record does not say).
    public var hash: String

    public init(name: String, version: String, revision: String, hash: String = "") {
        self.name = name
        self.version = version
        self.revision = revision
        self.hash = hash
    }

    /// `<Name>-<Version>-<Rev>.<arch>.<extension>`, aliBuild's tarball name.
    public func fileName(arch: String, extension ext: String = "tar.gz") -> String {
        "\(name)-\(version)-\(revision).\(arch).\(ext)"
    }

    /// `<arch>/<Name>/<Name>-<Version>-<Rev>.<arch>.<extension>`: the target path in targets metadata.
    public func targetPath(arch: String, extension ext: String = "tar.gz") -> String {
        "\(arch)/\(name)/\(fileName(arch: arch, extension: ext))"
    }
}

/// What a package tarball's `.meta.json` (written by the Builder) says about it.
public struct PackageRecord: Hashable, Sendable {
    public var package: PackageRef
    public var arch: String
    /// aliBuild's `requires`: the direct runtime and build dependencies — exactly the packages
    /// whose init.sh this package's init.sh sources, so all must be installed beside it.
    public var requires: [PackageRef]
    /// The install closure: the recursive runtime and build closures together (what aliBuild
    /// fetches from a store to make a package usable).
    public var fullRequires: [PackageRef]
    /// The recursive build closure (informational).
    public var buildRequires: [PackageRef]

    public init(package: PackageRef, arch: String, requires: [PackageRef], fullRequires: [PackageRef], buildRequires: [PackageRef]) {
        self.package = package
        self.arch = arch
        self.requires = requires
        self.fullRequires = fullRequires
        self.buildRequires = buildRequires
    }

    /// Parses `.meta.json`: `architecture`, `package` {name, version, revision, hash} and
    /// `dependencies` {direct, recursive} × {build, runtime} lists of the same objects.
    public init(metaJSON bytes: [UInt8], source: String) throws(PublisherError) {
        func fail(_ reason: String) -> PublisherError { .tarball(path: source, reason: ".meta.json: \(reason)") }
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw fail("\(error)") }
        guard case let .object(top) = value else { throw fail("expected a JSON object, got \(value.kind)") }
        func string(_ object: [String: JSONValue], _ field: String, _ context: String) throws(PublisherError) -> String {
            guard case let .string(text)? = object[field], !text.isEmpty else {
                throw fail("\(context).\(field): expected a non-empty string, got \(object[field]?.kind ?? "nothing")")
            }
            return text
        }
        func ref(_ value: JSONValue, _ context: String) throws(PublisherError) -> PackageRef {
            guard case let .object(object) = value else { throw fail("\(context): expected an object, got \(value.kind)") }
            var hash = ""
            if case let .string(text)? = object["hash"] { hash = text }
            return PackageRef(name: try string(object, "name", context), version: try string(object, "version", context),
                              revision: try string(object, "revision", context), hash: hash)
        }
        func list(_ kind: String, _ type: String) throws(PublisherError) -> [PackageRef] {
            guard case let .object(dependencies)? = top["dependencies"] else { return [] }
            guard case let .object(group)? = dependencies[kind], let entries = group[type] else { return [] }
            guard case let .array(items) = entries else { throw fail("dependencies.\(kind).\(type): expected an array, got \(entries.kind)") }
            var refs: [PackageRef] = []
            for (index, item) in items.enumerated() { refs.append(try ref(item, "dependencies.\(kind).\(type)[\(index)]")) }
            return refs
        }
        guard let packageValue = top["package"] else { throw fail("missing field 'package'") }
        package = try ref(packageValue, "package")
        arch = try string(top, "architecture", "")
        func union(_ lists: [PackageRef]...) -> [PackageRef] {
            var seen = Set<String>(), refs: [PackageRef] = []
            for ref in lists.joined() where seen.insert(ref.name).inserted { refs.append(ref) }
            return refs
        }
        requires = union(try list("direct", "runtime"), try list("direct", "build"))
        buildRequires = try list("recursive", "build")
        fullRequires = union(try list("recursive", "runtime"), buildRequires)
    }
}

/// A package tarball on disk, inspected: its record, length and sha256.
public struct PackageTarball: Hashable, Sendable {
    public var file: URL
    public var record: PackageRecord
    public var length: Int64
    public var sha256: String
    /// `tar.gz` or `tar.zst`, from the file name.
    public var fileExtension: String

    /// Reads `.meta.json` (`<arch>/<Name>/<Version>-<Rev>/.meta.json`) and hashes the file.
    public static func inspect(_ file: URL) throws(PublisherError) -> PackageTarball {
        let path = file.path
        guard let compression = TarballCompression(fileName: file.lastPathComponent) else {
            throw .tarball(path: path, reason: "expected a file name ending in .tar.gz or .tar.zst")
        }
        let member: (name: String, bytes: [UInt8])?
        do {
            member = try TarballMemberReader().firstMember(of: path) { name in
                let parts = name.split(separator: "/")
                return parts.count == 4 && parts[3] == ".meta.json"
            }
        } catch {
            throw .tarball(path: path, reason: "\(error)")
        }
        guard let member else {
            throw .tarball(path: path, reason: "no <arch>/<Name>/<Version>-<Rev>/.meta.json inside; expected a package tarball made by `alien-install build`")
        }
        let record = try PackageRecord(metaJSON: member.bytes, source: path)
        let expected = "\(record.arch)/\(record.package.name)/\(record.package.version)-\(record.package.revision)/.meta.json"
        guard member.name == expected else {
            throw .tarball(path: path, reason: "\(member.name) does not match its own record; expected \(expected)")
        }
        let (length, sha256) = try hashFile(path)
        return PackageTarball(file: file, record: record, length: length, sha256: sha256,
                              fileExtension: compression.fileExtension)
    }

    public init(file: URL, record: PackageRecord, length: Int64, sha256: String, fileExtension: String) {
        self.file = file
        self.record = record
        self.length = length
        self.sha256 = sha256
        self.fileExtension = fileExtension
    }

    /// `<arch>/<Name>/<Name>-<Version>-<Rev>.<arch>.tar.gz`
    public var targetPath: String { record.package.targetPath(arch: record.arch, extension: fileExtension) }

    /// The stored file: `targets/<arch>/<Name>/<sha256>.<Name>-<Version>-<Rev>.<arch>.tar.gz`
    /// (TUF consistent snapshots: the hash prefixes the base name).
    public var storedPath: String { Self.storedPath(targetPath: targetPath, sha256: sha256) }

    public static func storedPath(targetPath: String, sha256: String) -> String {
        var parts = targetPath.split(separator: "/").map(String.init)
        parts[parts.count - 1] = "\(sha256).\(parts[parts.count - 1])"
        return "targets/" + parts.joined(separator: "/")
    }

    /// The target paths of the direct runtime requirements, the runtime closure and the build closure.
    public var requiresPaths: [String] { record.requires.map { $0.targetPath(arch: record.arch, extension: fileExtension) } }
    public var fullRequiresPaths: [String] { record.fullRequires.map { $0.targetPath(arch: record.arch, extension: fileExtension) } }
    public var buildRequiresPaths: [String] { record.buildRequires.map { $0.targetPath(arch: record.arch, extension: fileExtension) } }

    /// The `custom` object of the target (keys documented in docs/ARCHITECTURE.md, "Targets").
    public var custom: [String: JSONValue] {
        [
            "name": .string(record.package.name), "version": .string(record.package.version),
            "revision": .string(record.package.revision), "arch": .string(record.arch),
            "hash": .string(record.package.hash),
            "requires": .array(requiresPaths.map { .string($0) }),
            "full_requires": .array(fullRequiresPaths.map { .string($0) }),
            "build_requires": .array(buildRequiresPaths.map { .string($0) }),
        ]
    }
}
