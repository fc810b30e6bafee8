import AlienModel
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
        let manifestLabel = "\(label)/\(EnvironmentManifest.fileName)"
        switch read(directory: directory, components: [EnvironmentManifest.fileName], limit: EnvironmentManifest.maximumFileSize) {
        case let .success(bytes):
            return try EnvironmentManifest(jsonBytes: bytes, file: manifestLabel)
        case let .failure(failure) where failure.missing:
            break
        case let .failure(failure):
            throw .manifest(file: manifestLabel, reason: failure.reason)
        }
        return try parseInitScript(directory: directory, label: label)
    }

    /// The manifest parsed from the package's init.sh (ignoring any manifest file).
    public static func parseInitScript(directory: String, label: String) throws(EnvironmentManifestError) -> EnvironmentManifest {
        let initLabel = "\(label)/\(initScript.joined(separator: "/"))"
        switch read(directory: directory, components: initScript, limit: InitScriptParser.maximumSize) {
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
        func failure(_ missing: Bool, _ reason: String) -> Result<[UInt8], ReadFailure> { .failure(ReadFailure(missing: missing, reason: reason)) }
        var descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return failure(errno == ENOENT, "cannot open the package directory: \(String(cString: strerror(errno)))") }
        for (offset, component) in components.enumerated() {
            let last = offset == components.count - 1
            let next = openat(descriptor, component, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY))
            let error = errno
            close(descriptor)
            guard next >= 0 else {
                if error == ELOOP || error == ENOTDIR {
                    return failure(false, "\(components[...offset].joined(separator: "/")) is a symbolic link or not a \(last ? "regular file" : "folder")")
                }
                return failure(error == ENOENT, "cannot open: \(String(cString: strerror(error)))")
            }
            descriptor = next
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return failure(false, "cannot stat: \(String(cString: strerror(errno)))") }
        guard status.st_mode & S_IFMT == S_IFREG else { return failure(false, "not a regular file") }
        guard status.st_size <= limit else { return failure(false, "larger than \(limit) bytes") }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { POSIXFiles.readSome(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: $0[count...])) }
            if got < 0 { return failure(false, "cannot read: \(POSIXFiles.lastError)") }
            if got == 0 { break }
            count += got
        }
        guard count <= limit else { return failure(false, "larger than \(limit) bytes") }
        return .success(Array(bytes[..<count]))
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

/// The manifests read during one computation, each file once.
final class ManifestCache {
    private var byDirectory: [String: EnvironmentManifest] = [:]

    func manifest(of package: EnvironmentPackage) throws(EnvironmentError) -> EnvironmentManifest {
        let path = package.directory.path
        if let cached = byDirectory[path] { return cached }
        let manifest: EnvironmentManifest
        do { manifest = try PackageEnvironmentFiles.manifest(directory: path, label: package.moduleName) } catch {
            throw .manifest(error)
        }
        guard manifest.package.name == package.name, manifest.package.folder == "\(package.version)-\(package.revision)" else {
            throw .manifest(.invalid(package: package.moduleName, reason: "its environment describes \(manifest.package.moduleName)"))
        }
        byDirectory[path] = manifest
        return manifest
    }
}

extension EnvironmentArea {
    /// What sourcing the init.sh of `packages` (in order) with `WORK_DIR=<root>` and
    /// `ALIBUILD_ARCH_PREFIX=<arch>` does to `base`, computed from the manifests. `WORK_DIR` and
    /// `ALIBUILD_ARCH_PREFIX` are part of the changes (aliBuild's alienv sets them too).
    public func changes(of packages: [EnvironmentPackage], base: [String: String]) throws(EnvironmentError) -> EnvironmentChanges {
        let cache = ManifestCache()
        _ = try closure(of: packages, cache: cache)
        var evaluation = EnvironmentEvaluation(environment: base)
        evaluation.export("WORK_DIR", root.path)
        evaluation.export("ALIBUILD_ARCH_PREFIX", architecture.rawValue)
        for package in packages {
            let manifest = try cache.manifest(of: package)
            do { try evaluation.source(manifest, lookup: dependencyLookup(cache, from: package)) } catch { throw .manifest(error) }
        }
        return EnvironmentChanges.diff(before: base, after: evaluation.environment)
    }

    /// Finds a dependency's manifest for the evaluation: only inside this area's packages.
    func dependencyLookup(_ cache: ManifestCache, from package: EnvironmentPackage) -> EnvironmentEvaluation.Lookup {
        let packages = packagesDirectory.path
        return { (dependency, directory) throws(EnvironmentManifestError) in
            let module = dependency.moduleName
            guard directory == packages else {
                throw .evaluation(package: package.moduleName, reason: "\(module) would be sourced from \(directory), not from the area's \(packages) "
                                  + "(WORK_DIR or ALIBUILD_ARCH_PREFIX was changed)")
            }
            guard let found = self.package(name: dependency.name, folder: dependency.folder) else {
                throw .evaluation(package: package.moduleName, reason: "needs \(module), which is not installed (missing \(packages)/\(module)/etc/profile.d/init.sh)")
            }
            do throws(EnvironmentError) { return try cache.manifest(of: found) } catch {
                if case let .manifest(inner) = error { throw inner }
                throw .evaluation(package: module, reason: error.description)
            }
        }
    }
}
