public import AlienModel
import Basics
import Foundation
import Tarballs
import Trust

/// What `<package dir>/.alien-install.json` says: where the package came from (target path,
/// length, hashes, custom metadata as signed), when it was installed and where, and every file
/// with its size and sha256 (symlinks with their target), for `verify`. Written inside the stage
/// before the rename, so it appears with the package.
public struct InstallRecord: Sendable, Hashable {
    public static let fileName = ".alien-install.json"

    public struct Entry: Sendable, Hashable {
        /// Relative to the package directory.
        public var path: String
        public var size: UInt64
        /// Hex sha256 of a regular file; nil for a symlink.
        public var sha256: String?
        /// A symlink's target; nil for a regular file.
        public var link: String?
        /// Permission bits of a regular file as installed (records before modes were kept: nil).
        public var mode: UInt32?
    }

    public var package: PackageBuild
    public var arch: String
    public var target: String
    public var length: Int64
    public var hashes: [String: String]
    public var custom: JSONValue?
    /// Seconds since 1970.
    public var installedAt: Int64
    public var prefix: String
    public var files: [Entry]

    /// Bytes of all regular files.
    public var size: UInt64 { files.reduce(0) { $0 + $1.size } }

    /// Target paths of the runtime closure (`custom.full_requires`, else `custom.requires`).
    public var requires: [String] { PackageTargetMetadata.runtimeClosure(in: custom) }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "package": .object([
                "name": .string(package.name.rawValue), "version": .string(package.version.version),
                "revision": .string(package.version.revision)
            ]),
            "arch": .string(arch), "target": .string(target), "length": .integer(length),
            "hashes": .object(hashes.mapValues { .string($0) }), "installed_at": .integer(installedAt), "prefix": .string(prefix),
            "files": .array(
                files.map { entry in
                    var fields: [String: JSONValue] = ["path": .string(entry.path), "size": .integer(Int64(entry.size))]
                    if let sha256 = entry.sha256 { fields["sha256"] = .string(sha256) }
                    if let link = entry.link { fields["link"] = .string(link) }
                    if let mode = entry.mode { fields["mode"] = .integer(Int64(mode)) }
                    return .object(fields)
                })
        ]
        if let custom { object["custom"] = custom }
        return .object(object)
    }

    public init(
        package: PackageBuild, arch: String, target: String, length: Int64, hashes: [String: String], custom: JSONValue?,
        installedAt: Int64, prefix: String, files: [Entry]
    ) {
        self.package = package
        self.arch = arch
        self.target = target
        self.length = length
        self.hashes = hashes
        self.custom = custom
        self.installedAt = installedAt
        self.prefix = prefix
        self.files = files
    }

    /// Reads a record file.
    public init(path: String) throws(SoftwareAreaError) {
        guard let bytes = FileSystem.readBytes(path) else { throw .badFile(path: path, reason: "cannot read the install record") }
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw .badFile(path: path, reason: "not JSON: \(error)") }
        func bad(_ field: String) -> SoftwareAreaError { .badFile(path: path, reason: "field '\(field)' is missing or malformed") }
        guard case let .object(object) = value else { throw bad("(top level)") }
        guard case let .object(package)? = object["package"], case let .string(name)? = package["name"],
            case let .string(version)? = package["version"], case let .string(revision)? = package["revision"]
        else { throw bad("package") }
        guard let packageName = try? PackageName(name) else { throw bad("package.name") }
        guard case let .string(arch)? = object["arch"] else { throw bad("arch") }
        guard case let .string(target)? = object["target"] else { throw bad("target") }
        guard case let .integer(length)? = object["length"] else { throw bad("length") }
        guard case let .object(hashValues)? = object["hashes"] else { throw bad("hashes") }
        guard case let .integer(installedAt)? = object["installed_at"] else { throw bad("installed_at") }
        guard case let .string(prefix)? = object["prefix"] else { throw bad("prefix") }
        guard case let .array(fileValues)? = object["files"] else { throw bad("files") }
        var hashes: [String: String] = [:]
        for (algorithm, hash) in hashValues {
            guard case let .string(text) = hash else { throw bad("hashes.\(algorithm)") }
            hashes[algorithm] = text
        }
        var files: [Entry] = []
        for value in fileValues {
            guard case let .object(fields) = value, case let .string(file)? = fields["path"], case let .integer(size)? = fields["size"] else {
                throw bad("files")
            }
            var entry = Entry(path: file, size: UInt64(max(0, size)))
            if case let .string(hash)? = fields["sha256"] { entry.sha256 = hash }
            if case let .string(link)? = fields["link"] { entry.link = link }
            if case let .integer(mode)? = fields["mode"], (0...0o7777).contains(mode) { entry.mode = UInt32(mode) }
            files.append(entry)
        }
        self.init(
            package: PackageBuild(name: packageName, version: PackageVersion(version: version, revision: revision)), arch: arch, target: target,
            length: length, hashes: hashes, custom: object["custom"], installedAt: installedAt, prefix: prefix, files: files)
    }

    /// The regular files and symlinks under `directory` (the record itself excluded), sorted by
    /// path. Files are hashed on every core, except those `known` (hashed while they were
    /// extracted) whose size still matches and that are not among `changed` (rewritten since).
    static func inventory(
        of directory: String, known: [String: ExtractedFile] = [:],
        changed: Set<String> = []
    ) throws(SoftwareAreaError) -> [Entry] {
        var entries: [Entry] = []
        var regular: [(name: String, mode: UInt32)] = []
        var unreadable: (path: String, code: Int32)?
        let code = FileTree.walk(directory) { entry in
            let name = entry.path
            if name == fileName { return }
            switch entry.info.st_mode & S_IFMT {
            case S_IFREG:
                let mode = UInt32(entry.info.st_mode & 0o7777)
                if let file = known[name], file.size == UInt64(entry.info.st_size), !changed.contains(name) {
                    entries.append(Entry(path: name, size: file.size, sha256: file.sha256, link: nil, mode: mode))
                } else {
                    regular.append((name, mode))
                }
            case S_IFLNK:
                var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlinkat(entry.directory, entry.name, &target, target.count - 1)
                guard length >= 0 else {
                    if unreadable == nil { unreadable = (name, errno) }
                    return
                }
                let bytes = target[..<length].map { UInt8(bitPattern: $0) }
                entries.append(Entry(path: name, size: 0, link: String(decoding: bytes, as: UTF8.self)))
            default: return
            }
        }
        if let unreadable {
            throw .io(path: "\(directory)/\(unreadable.path)", operation: "readlink", reason: String(cString: strerror(unreadable.code)))
        }
        guard code == 0 else { throw .io(path: directory, operation: "list", reason: String(cString: strerror(code))) }
        let files = regular
        let slots = ResultSlots<(UInt64, String)?>(count: files.count)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < files.count {
                slots.set(index, FileDigest.sha256(path: "\(directory)/\(files[index].name)").map { ($0.0, $0.1.hex) })
                index += workers
            }
        }
        for (index, file) in regular.enumerated() {
            guard let (size, hash) = slots.get(index) ?? nil else {
                throw .io(path: "\(directory)/\(file.name)", operation: "read", reason: "cannot hash the file")
            }
            entries.append(Entry(path: file.name, size: size, sha256: hash, link: nil, mode: file.mode))
        }
        return entries.sorted { $0.path < $1.path }
    }
}

extension InstallRecord.Entry {
    init(path: String, size: UInt64) {
        self.init(path: path, size: size, sha256: nil, link: nil, mode: nil)
    }
}
