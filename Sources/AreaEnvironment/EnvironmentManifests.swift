public import AlienModel
import COpenat2
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

/// Reading a package's environment manifest: `<package>/.alien-environment.json` when the
/// package has one (the Builder's, or the one the installer wrote), else its
/// `etc/profile.d/init.sh` through the strict parser (packages installed before manifests
/// existed, plain aliBuild tarballs). Nothing is ever executed.
///
/// Files are opened one component at a time below the package directory with `O_NOFOLLOW`
/// and must be regular files: a package cannot make us read outside itself.
public enum PackageEnvironmentFiles {
    /// `etc/profile.d/init.sh`, relative to the package directory.
    public static let initScript = ["etc", "profile.d", "init.sh"]

    /// The manifest of the package in `directory`; `label` (e.g. `Name/Ver-Rev`) prefixes file
    /// names in errors.
    public static func manifest(directory: String, label: String) throws(EnvironmentManifestError) -> EnvironmentManifest {
        try manifest(in: .path(directory), label: label)
    }

    /// Where a package's files are read from: its directory's path, or a descriptor of it
    /// (owned: closed when read).
    enum Folder {
        case path(String)
        case descriptor(Int32)
    }

    static func manifest(in folder: Folder, label: String) throws(EnvironmentManifestError) -> EnvironmentManifest {
        let manifestLabel = "\(label)/\(EnvironmentManifest.fileName)"
        // The folder is opened once for both files, then closed here.
        let descriptor: Int32
        switch folder {
        case let .descriptor(open): descriptor = open
        case let .path(directory):
            descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else {
                let reason = "cannot open the package directory: \(POSIXFiles.lastError)"
                if errno == ENOENT { return try parseInitScript(in: .path(directory), label: label) }
                throw .manifest(file: manifestLabel, reason: reason)
            }
        }
        defer { close(descriptor) }
        switch read(below: descriptor, components: [EnvironmentManifest.fileName], limit: EnvironmentManifest.maximumFileSize) {
        case let .success(bytes):
            return try EnvironmentManifest(jsonBytes: bytes, file: manifestLabel)
        case let .failure(failure) where failure.missing:
            break
        case let .failure(failure):
            throw .manifest(file: manifestLabel, reason: failure.reason)
        }
        let again = dup(descriptor)
        guard again >= 0 else { throw .manifest(file: "\(label)/\(initScript.joined(separator: "/"))", reason: "cannot open: \(POSIXFiles.lastError)") }
        return try parseInitScript(in: .descriptor(again), label: label)
    }

    /// The manifest in an open `.alien-environment.json` (opened with `O_NOFOLLOW` below the
    /// package folder; closed here).
    static func manifest(openFile descriptor: Int32, label: String) throws(EnvironmentManifestError) -> EnvironmentManifest {
        defer { close(descriptor) }
        switch readFile(descriptor, limit: EnvironmentManifest.maximumFileSize) {
        case let .success(bytes):
            // The file's label is spelled only for the reader that explains errors.
            if let manifest = EnvironmentManifest(canonicalJSONBytes: bytes) { return manifest }
            return try EnvironmentManifest(jsonBytes: bytes, file: "\(label)/\(EnvironmentManifest.fileName)")
        case let .failure(failure): throw .manifest(file: "\(label)/\(EnvironmentManifest.fileName)", reason: failure.reason)
        }
    }

    /// The manifest parsed from the package's init.sh (ignoring any manifest file).
    public static func parseInitScript(directory: String, label: String) throws(EnvironmentManifestError) -> EnvironmentManifest {
        try parseInitScript(in: .path(directory), label: label)
    }

    static func parseInitScript(in folder: Folder, label: String) throws(EnvironmentManifestError) -> EnvironmentManifest {
        let initLabel = "\(label)/\(initScript.joined(separator: "/"))"
        switch read(folder, components: initScript, limit: InitScriptParser.maximumSize) {
        case let .success(bytes): return try InitScriptParser.parse(bytes, file: initLabel)
        case let .failure(failure): throw .manifest(file: initLabel, reason: failure.reason)
        }
    }

    struct ReadFailure: Error {
        var missing: Bool
        var reason: String
    }

    /// The bytes of a regular file below `directory`, no component a symlink, at most `limit`.
    static func read(directory: String, components: [String], limit: Int) -> Result<[UInt8], ReadFailure> {
        read(.path(directory), components: components, limit: limit)
    }

    /// `read(below:…)` of a folder given by path (opened here) or by an owned descriptor.
    static func read(_ folder: Folder, components: [String], limit: Int) -> Result<[UInt8], ReadFailure> {
        let descriptor: Int32
        switch folder {
        case let .descriptor(open): descriptor = open
        case let .path(directory):
            descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else {
                return .failure(ReadFailure(missing: errno == ENOENT, reason: "cannot open the package directory: \(POSIXFiles.lastError)"))
            }
        }
        defer { close(descriptor) }
        return read(below: descriptor, components: components, limit: limit)
    }

    /// The bytes of a regular file below an open folder (which stays open), no component a
    /// symlink, at most `limit`.
    static func read(below folder: Int32, components: [String], limit: Int) -> Result<[UInt8], ReadFailure> {
        func failure(_ missing: Bool, _ reason: String) -> Result<[UInt8], ReadFailure> { .failure(ReadFailure(missing: missing, reason: reason)) }
        var descriptor = folder
        for (offset, component) in components.enumerated() {
            let last = offset == components.count - 1
            let next = openat(descriptor, component, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY))
            let error = errno
            if descriptor != folder { close(descriptor) }
            guard next >= 0 else {
                if error == ELOOP || error == ENOTDIR {
                    return failure(false, "\(components[...offset].joined(separator: "/")) is a symbolic link or not a \(last ? "regular file" : "folder")")
                }
                return failure(error == ENOENT, "cannot open: \(String(cString: strerror(error)))")
            }
            descriptor = next
        }
        defer { if descriptor != folder { close(descriptor) } }
        return readFile(descriptor, limit: limit)
    }

    /// The bytes of an open file (which stays open), when it is a regular file of at most `limit` bytes.
    static func readFile(_ descriptor: Int32, limit: Int) -> Result<[UInt8], ReadFailure> {
        func failure(_ missing: Bool, _ reason: String) -> Result<[UInt8], ReadFailure> { .failure(ReadFailure(missing: missing, reason: reason)) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return failure(false, "cannot stat: \(POSIXFiles.lastError)") }
        guard status.st_mode & S_IFMT == S_IFREG else { return failure(false, "not a regular file") }
        guard status.st_size <= limit else { return failure(false, "larger than \(limit) bytes") }
        // The size fstat gave (a package's files do not change once it is installed: it is
        // renamed into place complete); a file that shrank meanwhile gives what it still has.
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { POSIXFiles.readSome(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: $0[count...])) }
            if got < 0 { return failure(false, "cannot read: \(POSIXFiles.lastError)") }
            if got == 0 { break }
            count += got
        }
        bytes.removeLast(bytes.count - count)
        return .success(bytes)
    }

    /// Writes the manifest into a package directory as a new regular file (an existing entry of
    /// that name — the tarball's file or anything else — is replaced, never followed). Returns
    /// why it failed, nil when written.
    public static func write(_ manifest: EnvironmentManifest, directory: String) -> String? {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return "cannot open \(directory): \(String(cString: strerror(errno)))" }
        defer { close(descriptor) }
        let name = EnvironmentManifest.fileName
        if unlinkat(descriptor, name, 0) != 0, errno != ENOENT {
            return "cannot replace \(name): \(String(cString: strerror(errno)))"
        }
        let file = openat(descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard file >= 0 else { return "cannot create \(name): \(String(cString: strerror(errno)))" }
        defer { close(file) }
        let bytes = manifest.jsonBytes + [0x0A]
        return bytes.withUnsafeBytes { POSIXFiles.writeAll(file, $0) }.map { "cannot write \(name): \($0)" }
    }
}

/// What a process that exits right after its one computation leaves allocated (retained once,
/// never released).
final class KeptUntilExit<Value> {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The manifests read and the package folders looked at during one computation, each once.
/// Packages are found relative to a descriptor of the area's `<root>/<arch>`, and a package's
/// manifest file, opened when the package is found, stays open until it is read: a package of a
/// closure costs four short system calls (`openat2`, `fstat`, `read`, `close`), not walks
/// of long paths.
final class ManifestCache {
    /// Manifests read (entries hold their positions: resizing copies no manifests).
    private var manifests: [EnvironmentManifest] = []
    /// What is known of a package, by `Name/Ver-Rev` (short: mostly an inline string): one
    /// dictionary, so that a package costs two lookups of its name, not ten.
    private var entries: [String: Entry] = [:]

    struct Entry {
        /// Whether `package(in:dependency:)` looked for it, and what it found.
        var lookedUp = false
        var package: EnvironmentPackage?
        /// Its manifest file, opened when it was found, until `manifest(of:)` reads it; -1 if none.
        var opened: Int32 = -1
        /// Its manifest's position in `manifests`; -1 until read.
        var manifest = -1
    }
    /// `<root>/<arch>` of the area the cache serves (nil until asked; -1 when it cannot be opened).
    private var packagesFolder: (path: String, descriptor: Int32)?
    /// Whether openat2(2) answers here (Linux 5.6 and later, when no seccomp filter refuses it).
    private var hasOpenat2Here: Bool

    /// `openat2: false` takes the path of systems without it (`fstatat`, then `openat`).
    init(openat2: Bool = true) {
        hasOpenat2Here = openat2
    }

    deinit {
        for entry in entries.values where entry.opened >= 0 { close(entry.opened) }
        if let folder = packagesFolder, folder.descriptor >= 0 { close(folder.descriptor) }
    }

    /// `area.package(name:folder:)` of a manifest's dependency, remembered (the closure and the
    /// evaluation both ask).
    func package(in area: EnvironmentArea, dependency: EnvironmentManifest.Dependency) -> EnvironmentPackage? {
        let key = Self.moduleName(dependency)
        if let index = entries.index(forKey: key), entries.values[index].lookedUp { return entries.values[index].package }
        // The folder's version and revision as `PackageVersion(folder:)` reads them: split at
        // the last `-`, which is the one between them when the revision has none (and neither
        // is empty, as a valid manifest's never are).
        let plain = !dependency.version.isEmpty && !dependency.revision.isEmpty && !dependency.revision.utf8.contains(0x2D)
        let version = plain ? PackageVersion(version: dependency.version, revision: dependency.revision) : PackageVersion(folder: dependency.folder)
        var opened: Int32 = -1
        let found =
            version.flatMap { openPackage(in: area, relative: key, build: PackageBuild(name: dependency.name, version: $0), opened: &opened) }
            ?? area.package(name: dependency.name, folder: dependency.folder)
        let previous = entries[key, default: Entry()].found(found, opened: opened)
        if previous >= 0 { close(previous) }
        return found
    }

    /// `dependency.moduleName` (`Name/Ver-Rev`) in one allocation (no interpolation).
    static func moduleName(_ dependency: EnvironmentManifest.Dependency) -> String {
        let name = dependency.name.rawValue.utf8, version = dependency.version.utf8, revision = dependency.revision.utf8
        return String(unsafeUninitializedCapacity: name.count + version.count + revision.count + 2) { out in
            var index = out.initialize(fromContentsOf: name)
            out[index] = 0x2F
            index = out[(index + 1)...].initialize(fromContentsOf: version)
            out[index] = 0x2D
            return out[(index + 1)...].initialize(fromContentsOf: revision)
        }
    }

    /// The package when its folder is one below the area's descriptor (not a symlink) and its
    /// manifest opens as a file there (not a symlink), which stays open for `manifest(of:)`.
    /// Anything else (no manifest, a symlink, an error) is nil here, and `package(name:folder:)`
    /// then decides by path, as for any package.
    private func openPackage(in area: EnvironmentArea, relative: String, build: PackageBuild, opened: inout Int32) -> EnvironmentPackage? {
        let base = area.packagesPath
        if packagesFolder == nil { packagesFolder = (base, open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) }
        guard let packagesFolder, packagesFolder.path == base, packagesFolder.descriptor >= 0 else { return nil }
        let file = Self.joined(relative, EnvironmentManifest.fileName)
        let flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC
        var descriptor: Int32 = -1
        if hasOpenat2Here {
            // One call, no symlink anywhere below the area's folder (the name's folder included).
            descriptor = copenat2_beneath_no_symlinks(packagesFolder.descriptor, file, flags)
            if descriptor < 0, errno == ENOSYS || errno == EPERM { hasOpenat2Here = false }
        }
        if !hasOpenat2Here {
            // `lstat` of the package's folder (not a symlink), then its manifest (`O_NOFOLLOW`).
            var status = stat()
            guard fstatat(packagesFolder.descriptor, relative, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT == S_IFDIR else { return nil }
            descriptor = openat(packagesFolder.descriptor, file, flags)
        }
        guard descriptor >= 0 else { return nil }
        opened = descriptor
        // `relative` is the build's spelling (`Name/Ver-Rev`): its module name, not spelled again.
        return EnvironmentPackage(build: build, path: Self.joined(base, relative), moduleName: relative)
    }

    /// `a/b` in one allocation (no intermediate `a/`).
    static func joined(_ a: String, _ b: String) -> String {
        String(unsafeUninitializedCapacity: a.utf8.count + b.utf8.count + 1) { out in
            let index = out.initialize(fromContentsOf: a.utf8)
            out[index] = 0x2F
            return out[(index + 1)...].initialize(fromContentsOf: b.utf8)
        }
    }

    /// How many variables the manifests read so far can set at most (own variables, env, lists).
    var variableRoom: Int {
        manifests.reduce(0) { $0 + $1.ownVariableCount + $1.env.count + $1.appendPath.count + $1.prependPath.count }
    }

    /// The manifest's `requires` (without copying the whole manifest).
    func requires(of package: EnvironmentPackage) throws(EnvironmentError) -> [EnvironmentManifest.Dependency] {
        manifests[try manifestIndex(of: package)].requires
    }

    func manifest(of package: EnvironmentPackage) throws(EnvironmentError) -> EnvironmentManifest {
        manifests[try manifestIndex(of: package)]
    }

    /// Where the package's manifest is in `manifests`, read now if it was not.
    private func manifestIndex(of package: EnvironmentPackage) throws(EnvironmentError) -> Int {
        // By `Name/Ver-Rev`: one area per cache. The open file, if any, is taken out of the entry.
        let key = package.moduleName
        let (cached, file) = entries[key, default: Entry()].takeFileUnlessRead()
        if cached >= 0 { return cached }
        let manifest: EnvironmentManifest
        do {
            if file >= 0 {
                manifest = try PackageEnvironmentFiles.manifest(openFile: file, label: package.moduleName)
            } else {
                manifest = try PackageEnvironmentFiles.manifest(directory: package.path, label: package.moduleName)
            }
        } catch {
            throw .manifest(error)
        }
        guard manifest.package.name == package.build.name, manifest.package.version == package.build.version.version,
            manifest.package.revision == package.build.version.revision
        else {
            throw .manifest(.invalid(package: package.moduleName, reason: "its environment describes \(manifest.package.moduleName)"))
        }
        entries[key, default: Entry()].manifest = manifests.count
        manifests.append(manifest)
        return manifests.count - 1
    }
}

extension ManifestCache.Entry {
    /// Records what a lookup found; returns a file opened before that is no longer needed (-1 if none).
    mutating func found(_ package: EnvironmentPackage?, opened descriptor: Int32) -> Int32 {
        lookedUp = true
        self.package = package
        let previous = opened
        opened = descriptor
        return previous
    }

    /// The manifest's position when it was read, else -1 and the open file (which the caller
    /// now owns; -1 if none).
    mutating func takeFileUnlessRead() -> (manifest: Int, file: Int32) {
        guard manifest < 0 else { return (manifest, -1) }
        let file = opened
        opened = -1
        return (-1, file)
    }
}

extension EnvironmentArea {
    /// What sourcing the init.sh of `packages` (in order) with `WORK_DIR=<root>` and
    /// `ALIBUILD_ARCH_PREFIX=<arch>` does to `base`, computed from the manifests. `WORK_DIR` and
    /// `ALIBUILD_ARCH_PREFIX` are part of the changes (aliBuild's alienv sets them too).
    public func changes(of packages: [EnvironmentPackage], base: [String: String]) throws(EnvironmentError) -> EnvironmentChanges {
        try changes(of: packages, base: base, freeingMemory: true)
    }

    /// `changes(of:base:)`; with `freeingMemory` false, the manifests read and the evaluation's
    /// variables stay allocated: for a process that prints the result and exits (`alien-env`),
    /// where freeing a hundred manifests object by object is ~4 % of the run and returns nothing
    /// that the exit would not.
    func changes(of packages: [EnvironmentPackage], base: [String: String], freeingMemory: Bool) throws(EnvironmentError) -> EnvironmentChanges {
        let variables = try variables(of: packages, base: base, freeingMemory: freeingMemory)
        return EnvironmentChanges.diff(
            before: base, after: variables.count,
            value: { name in
                variables[name].flatMap { $0.exported ? $0.value : nil }
            },
            each: exported(variables))
    }

    /// `EnvironmentShell.posixStatements` of `changes(of:base:freeingMemory:)`, without the
    /// changes' dictionary: the variables set are listed, then printed in name order (`env`
    /// prints the statements of a hundred packages on every call).
    func posixStatements(of packages: [EnvironmentPackage], base: [String: String], freeingMemory: Bool) throws(EnvironmentError) -> [UInt8] {
        let variables = try variables(of: packages, base: base, freeingMemory: freeingMemory)
        var values: [(name: String, value: String)] = []
        values.reserveCapacity(variables.count)
        var removed: [String] = []
        EnvironmentChanges.walk(
            before: base,
            value: { name in
                variables[name].flatMap { $0.exported ? $0.value : nil }
            },
            each: exported(variables),
            set: { values.append(($0, $1)) }, remove: { removed.append($0) })
        if !freeingMemory { _ = Unmanaged.passRetained(KeptUntilExit(values)) }
        return EnvironmentShell.posixStatements(removed: removed.sorted(), values: values)
    }

    /// The exported variables' names and values (what `env` would print), read one at a time.
    private func exported(_ variables: EnvironmentEvaluation.Variables) -> some Sequence<(String, String)> {
        zip(variables.names, variables.values).lazy.filter { $0.1.exported }.map { ($0.0, $0.1.value) }
    }

    /// The shell variables after sourcing the packages' init.sh over `base` (see `changes`).
    private func variables(of packages: [EnvironmentPackage], base: [String: String], freeingMemory: Bool) throws(EnvironmentError)
        -> EnvironmentEvaluation.Variables
    {
        let cache = ManifestCache()
        // A package the repository revoked and the site quarantines gives no environment.
        try refuseQuarantined(try closure(of: packages, cache: cache))
        var evaluation = EnvironmentEvaluation(environment: base)
        // At most what the closure's manifests set (own variables, env, lists) and the two below.
        evaluation.reserveCapacity(2 + cache.variableRoom)
        evaluation.export("WORK_DIR", rootPath)
        evaluation.export("ALIBUILD_ARCH_PREFIX", architecture.rawValue)
        for package in packages {
            let manifest = try cache.manifest(of: package)
            do { try evaluation.source(manifest, lookup: dependencyLookup(cache, from: package)) } catch { throw .manifest(error) }
        }
        let variables = evaluation.table
        if !freeingMemory { _ = Unmanaged.passRetained(KeptUntilExit((cache, variables))) }
        return variables
    }

    /// Finds a dependency's manifest for the evaluation: only inside this area's packages.
    func dependencyLookup(_ cache: ManifestCache, from package: EnvironmentPackage) -> EnvironmentEvaluation.Lookup {
        let packages = packagesPath
        return { (dependency, directory) throws(EnvironmentManifestError) in
            guard directory == packages else {
                throw .evaluation(
                    package: package.moduleName,
                    reason: "\(dependency.moduleName) would be sourced from \(directory), not from the area's \(packages) "
                        + "(WORK_DIR or ALIBUILD_ARCH_PREFIX was changed)")
            }
            guard let found = cache.package(in: self, dependency: dependency) else {
                throw .evaluation(
                    package: package.moduleName,
                    reason: "needs \(dependency.moduleName), which is not installed (missing \(packages)/\(dependency.moduleName)/etc/profile.d/init.sh)")
            }
            do throws(EnvironmentError) { return try cache.manifest(of: found) } catch {
                if case let .manifest(inner) = error { throw inner }
                throw .evaluation(package: dependency.moduleName, reason: error.description)
            }
        }
    }
}
