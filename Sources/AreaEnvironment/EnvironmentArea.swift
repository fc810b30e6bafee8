public import AlienModel
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An installed package as the environment sees it: an aliBuild install tree
/// `<area>/<arch>/<Name>/<Version>-<Rev>/` with `etc/profile.d/init.sh`.
public struct EnvironmentPackage: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Which build it is.
    public var build: PackageBuild {
        didSet { moduleName = build.description }
    }
    /// The package's folder as a path (what the environment side opens; no URL per package).
    public var path: String
    /// `Name/Version-Rev`, the module name (the build's spelling), spelled once: `env` keys its
    /// caches and messages by it several times per package.
    public private(set) var moduleName: String

    public init(build: PackageBuild, directory: URL) {
        self.init(build: build, path: directory.path)
    }

    public init(build: PackageBuild, path: String) {
        self.build = build
        self.path = path
        moduleName = build.description
    }

    /// With the module name already spelled (`build.description`, which the caller has).
    init(build: PackageBuild, path: String, moduleName: String) {
        self.build = build
        self.path = path
        self.moduleName = moduleName
    }

    /// The package's folder.
    public var directory: URL {
        get { URL(fileURLWithPath: path, isDirectory: true) }
        set { path = newValue.path }
    }

    public var initScript: URL { directory.appendingPathComponent("etc/profile.d/init.sh") }
    public var description: String { moduleName }

    /// ``PackageBuild``'s order (by name; same name: older build first, `v5-9` < `v5-10`), then the path.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.build != rhs.build ? lhs.build < rhs.build : lhs.path < rhs.path
    }
}

/// A software area's environment side: `<root>/<arch>/<Name>/<Version>-<Rev>/` trees and
/// `<root>/<arch>/Modules/modulefiles`.
public struct EnvironmentArea: Sendable {
    public let root: URL
    public let architecture: Architecture

    /// `<root>/<arch>`, what aliBuild's init.sh reaches as `$WORK_DIR/$ALIBUILD_ARCH_PREFIX`.
    public let packagesDirectory: URL
    /// `packagesDirectory.path`, computed once (the environment asks for it per package).
    public let packagesPath: String
    /// `root.path`, computed once.
    public let rootPath: String

    public init(root: URL, architecture: Architecture) {
        self.root = root.standardizedFileURL
        self.architecture = architecture
        rootPath = self.root.path
        packagesDirectory = URL(fileURLWithPath: rootPath + "/" + architecture.rawValue, isDirectory: true)
        packagesPath = packagesDirectory.path
    }

    /// The area of an existing folder given by a plain absolute path (`isPlainAbsolutePath`),
    /// which is its `root.path` as it is: no URL path is read (the first costs `env` ~0.2 M
    /// instructions of Foundation set-up).
    init(plainRootPath path: String, architecture: Architecture) {
        root = URL(fileURLWithPath: path, isDirectory: true)
        self.architecture = architecture
        rootPath = path
        packagesPath = path + "/" + architecture.rawValue
        packagesDirectory = URL(fileURLWithPath: packagesPath, isDirectory: true)
    }

    /// Whether `path` is absolute and already what a file URL's standardized `path` gives:
    /// no empty, `.` or `..` component, no trailing `/`, only bytes that need no percent
    /// encoding in a URL (letters, digits, `/._-+,=@~`).
    static func isPlainAbsolutePath(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        guard bytes.count > 1, bytes[0] == 0x2F, bytes[bytes.count - 1] != 0x2F else { return false }
        for byte in bytes {
            let plain =
                (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte)
                || [0x2F, 0x2E, 0x5F, 0x2D, 0x2B, 0x2C, 0x3D, 0x40, 0x7E].contains(byte)
            guard plain else { return false }
        }
        for component in path.utf8.split(separator: 0x2F, omittingEmptySubsequences: false).dropFirst() {
            if component.isEmpty || component.elementsEqual([0x2E]) || component.elementsEqual([0x2E, 0x2E]) { return false }
        }
        return true
    }

    /// `<root>/<arch>/Modules/modulefiles`: the MODULEPATH entry of the area.
    public var modulePath: URL { packagesDirectory.appendingPathComponent("Modules/modulefiles") }

    /// The architectures an area holds packages for (folders under the root with a valid arch name).
    public static func architectures(in root: URL) -> [Architecture] {
        architectures(inPath: root.path)
    }

    /// `architectures(in:)` of a folder's path.
    static func architectures(inPath path: String) -> [Architecture] {
        let names = POSIXFiles.entries(of: path) ?? []
        return names.sorted().compactMap { try? Architecture($0) }
    }

    /// Every complete package of the area (a folder with its environment: `.alien-environment.json`
    /// or `etc/profile.d/init.sh`), sorted.
    /// Symlinks (`latest`), hidden folders (stage directories) and `Modules` are skipped.
    public func installed() throws(EnvironmentError) -> [EnvironmentPackage] {
        try installed(named: nil)
    }

    /// The complete packages of one name (all names when nil), sorted.
    func installed(named only: PackageName?) throws(EnvironmentError) -> [EnvironmentPackage] {
        guard POSIXFiles.isDirectory(packagesPath) else {
            throw .noArea(path: rootPath, reason: "no folder \(architecture.rawValue) (no packages for this architecture)")
        }
        var result: [EnvironmentPackage] = []
        let names = only.map { [$0.rawValue] } ?? (POSIXFiles.entries(of: packagesPath) ?? [])
        for nameText in names {
            guard !nameText.hasPrefix("."), nameText != "Modules", let name = try? PackageName(nameText) else { continue }
            // A valid name is one path component: the folder's path without a URL.
            for entry in POSIXFiles.entries(of: packagesPath + "/" + nameText) ?? [] {
                guard !entry.hasPrefix("."), let package = self.package(name: name, folder: entry) else { continue }
                result.append(package)
            }
        }
        return result.sorted()
    }

    /// The package in `<arch>/<name>/<folder>` if it is a complete install tree: a folder (not a
    /// symlink) holding its environment manifest or, for plain aliBuild packages, its init.sh.
    func package(name: PackageName, folder: String) -> EnvironmentPackage? {
        guard let build = PackageVersion(folder: folder) else { return nil }
        let path = packagesPath + "/" + name.rawValue + "/" + folder
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR,
            stat(path + "/" + EnvironmentManifest.fileName, &status) == 0 || stat(path + "/etc/profile.d/init.sh", &status) == 0
        else { return nil }
        return EnvironmentPackage(build: PackageBuild(name: name, version: build), path: path)
    }

    /// The installed package a request means: an exact `Version` or `Version-Rev`, or the newest
    /// for `Pkg` and `Pkg::latest` — the newest not quarantined after a revocation, when several match.
    public func resolve(_ request: PackageID) throws(EnvironmentError) -> EnvironmentPackage {
        let candidates = try installed(named: request.name)
        let matching = candidates.filter { request.version.matches($0.build.version) }
        guard let newest = matching.max() else {
            throw .notInstalled(request: request.moduleName, area: packagesPath, installed: candidates.map(\.moduleName))
        }
        if matching.count > 1 {
            let quarantined = quarantinedBuilds()
            if quarantined[newest.build.description] != nil,
                let usable = matching.filter({ quarantined[$0.build.description] == nil }).max()
            {
                return usable
            }
        }
        return newest
    }

    /// The packages of a request list, in order, without repeats.
    public func resolve(_ requests: [PackageID]) throws(EnvironmentError) -> [EnvironmentPackage] {
        var result: [EnvironmentPackage] = []
        for request in requests {
            let package = try resolve(request)
            if !result.contains(package) { result.append(package) }
        }
        return result
    }

    /// The packages and everything their init.sh sources (their manifests' `requires`),
    /// dependencies first; a missing dependency is an error naming it.
    public func closure(of packages: [EnvironmentPackage]) throws(EnvironmentError) -> [EnvironmentPackage] {
        try closure(of: packages, cache: ManifestCache())
    }

    func closure(of packages: [EnvironmentPackage], cache: ManifestCache) throws(EnvironmentError) -> [EnvironmentPackage] {
        var ordered: [EnvironmentPackage] = []
        var seen: Set<String> = []
        func visit(_ package: EnvironmentPackage, depth: Int) throws(EnvironmentError) {
            guard seen.insert(package.moduleName).inserted else { return }
            guard depth < EnvironmentEvaluation.maximumDepth else {
                throw .manifest(.evaluation(package: package.moduleName, reason: "dependencies nested deeper than \(EnvironmentEvaluation.maximumDepth)"))
            }
            for dependency in try cache.requires(of: package) {
                guard let found = cache.package(in: self, dependency: dependency) else {
                    let path = packagesDirectory.appendingPathComponent("\(dependency.moduleName)/etc/profile.d/init.sh")
                    throw .missingDependency(package: package.moduleName, dependency: dependency.moduleName, path: path.path)
                }
                try visit(found, depth: depth + 1)
            }
            ordered.append(package)
        }
        for package in packages { try visit(package, depth: 0) }
        return ordered
    }
}
