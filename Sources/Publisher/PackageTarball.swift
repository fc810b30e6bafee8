public import AlienModel
public import Foundation
import Tarballs
import Trust

extension PackageProvenance.Package {
    /// `<Name>-<Version>-<Rev>.<arch>.<extension>`, aliBuild's tarball name.
    public func fileName(arch: String, extension ext: String = "tar.gz") -> String {
        "\(name)-\(build).\(arch).\(ext)"
    }

    /// `<arch>/<Name>/<Name>-<Version>-<Rev>.<arch>.<extension>`: the target path in targets metadata.
    public func targetPath(arch: String, extension ext: String = "tar.gz") -> String {
        "\(arch)/\(name)/\(fileName(arch: arch, extension: ext))"
    }
}

/// What a package tarball's `.meta.json` (written by the Builder) says about it.
public struct PackageRecord: Hashable, Sendable {
    public var package: PackageProvenance.Package
    public var arch: String
    /// aliBuild's `requires`: the direct runtime and build dependencies — exactly the packages
    /// whose init.sh this package's init.sh sources, so all must be installed beside it.
    public var requires: [PackageProvenance.Package]
    /// The install closure: the recursive runtime and build closures together (what aliBuild
    /// fetches from a store to make a package usable).
    public var fullRequires: [PackageProvenance.Package]
    /// The recursive build closure (informational).
    public var buildRequires: [PackageProvenance.Package]

    public init(
        package: PackageProvenance.Package, arch: String, requires: [PackageProvenance.Package],
        fullRequires: [PackageProvenance.Package], buildRequires: [PackageProvenance.Package]
    ) {
        self.package = package
        self.arch = arch
        self.requires = requires
        self.fullRequires = fullRequires
        self.buildRequires = buildRequires
    }

    /// Reads `.meta.json` (``PackageProvenance``): the package, its architecture, and its
    /// dependencies as the fields above gather them.
    public init(metaJSON bytes: [UInt8], source: String) throws(PublisherError) {
        let provenance: PackageProvenance
        do { provenance = try PackageProvenance(metaJSON: bytes) } catch {
            throw .tarball(path: source, reason: ".meta.json: \(error.reason)")
        }
        /// The identity and hash (the recipe's tag and source are provenance only).
        func ref(_ package: PackageProvenance.Package) -> PackageProvenance.Package {
            PackageProvenance.Package(name: package.name, version: package.version, revision: package.revision, hash: package.hash)
        }
        func union(_ lists: [PackageProvenance.Package]...) -> [PackageProvenance.Package] {
            var seen = Set<String>(), refs: [PackageProvenance.Package] = []
            for package in lists.joined() where seen.insert(package.name).inserted { refs.append(ref(package)) }
            return refs
        }
        package = ref(provenance.package)
        arch = provenance.architecture
        requires = union(provenance.directRuntime, provenance.directBuild)
        buildRequires = provenance.recursiveBuild.map(ref)
        fullRequires = union(provenance.recursiveRuntime, provenance.recursiveBuild)
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
            throw .unreadableTarball(path: path, error)
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
        return PackageTarball(
            file: file, record: record, length: length, sha256: sha256,
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

    /// The signed `custom` metadata of the target (keys documented in docs/ARCHITECTURE.md, "Targets").
    public var metadata: PackageTargetMetadata {
        PackageTargetMetadata(
            name: record.package.name, version: record.package.version, revision: record.package.revision, arch: record.arch,
            hash: record.package.hash, requires: requiresPaths, fullRequires: fullRequiresPaths, buildRequires: buildRequiresPaths)
    }

    /// The members of the target's `custom` object.
    public var custom: [String: JSONValue] { metadata.fields }
}
