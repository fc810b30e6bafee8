public import Foundation
import Tarballs

/// A package as the Builder would have built it, for publishing tests: its tarball holds
/// `<arch>/<Name>/<Version>-<Rev>/.meta.json` (the Builder's provenance format) and a small
/// payload file.
public struct FixturePackage: Sendable {
    public var name: String
    public var version: String
    public var revision: String
    public var hash: String
    /// Direct runtime requirements.
    public var requires: [FixturePackage]
    public var buildRequires: [FixturePackage]
    /// Written into `<prefix>/share/payload.txt` (change it to get a different tarball).
    public var payload: String
    /// Scripts written into `<prefix>/bin/<name>` (mode 0755); `{PREFIX}` in them becomes the
    /// build-time prefix `/build/INSTALLROOT/<hash>/<arch>/<Name>/<Version>-<Rev>`, and the
    /// package is prepared for relocation as the Builder does (`.original-unrelocated`, ...).
    public var programs: [String: String] = [:]
    /// Extra bytes in `<prefix>/share/blob.bin` (incompressible), to make big tarballs.
    public var blobSize = 0
    /// Zero bytes in `<prefix>/share/zeros.bin`: a small tarball that unpacks big.
    public var zerosSize = 0
    /// Further files (path relative to the prefix → contents, mode), written last: they may
    /// replace the generated ones (e.g. a hostile `.original-unrelocated`).
    public var files: [String: (contents: String, mode: Int)] = [:]
    /// Symlinks (path relative to the prefix → target), made last.
    public var symlinks: [String: String] = [:]
    /// Modes given to folders (relative to the prefix; "" is the prefix) once everything is in.
    public var directoryModes: [String: Int] = [:]

    public init(
        name: String, version: String, revision: String = "1", requires: [FixturePackage] = [],
        buildRequires: [FixturePackage] = [], payload: String? = nil
    ) {
        self.name = name
        self.version = version
        self.revision = revision
        self.requires = requires
        self.buildRequires = buildRequires
        self.payload = payload ?? "\(name) \(version)-\(revision)\n"
        // A deterministic 40-hex stand-in for aliBuild's hash.
        var digest = UInt64(1469598103934665603)
        for byte in "\(name)|\(version)|\(revision)".utf8 { digest = (digest ^ UInt64(byte)) &* 1099511628211 }
        let part = String(digest, radix: 16)
        self.hash = String((String(repeating: "0", count: 16 - part.count) + part + String(repeating: "a", count: 24)).prefix(40))
    }

    /// The runtime closure, dependencies before dependants, each once.
    public var runtimeClosure: [FixturePackage] {
        var seen = Set<String>(), order: [FixturePackage] = []
        func visit(_ package: FixturePackage) {
            for dependency in package.requires where !seen.contains(dependency.name) {
                visit(dependency)
                if seen.insert(dependency.name).inserted { order.append(dependency) }
            }
        }
        visit(self)
        return order
    }

    /// Everything the package's init.sh reaches: runtime and build requirements, recursively,
    /// dependencies first, each once (what a site installs with it).
    public var installClosure: [FixturePackage] {
        var seen = Set<String>(), order: [FixturePackage] = []
        func visit(_ package: FixturePackage) {
            for dependency in package.requires + package.buildRequires where !seen.contains(dependency.name) {
                visit(dependency)
                if seen.insert(dependency.name).inserted { order.append(dependency) }
            }
        }
        visit(self)
        return order
    }

    public func fileName(arch: String) -> String { "\(name)-\(version)-\(revision).\(arch).tar.gz" }
    public func targetPath(arch: String) -> String { "\(arch)/\(name)/\(fileName(arch: arch))" }

    /// `.meta.json` as `Builder`'s Provenance writes it (pretty-printed, sorted keys).
    public func metaJSON(arch: String) -> String {
        func info(_ package: FixturePackage) -> [String: Any] {
            [
                "name": package.name, "tag": package.version, "source": NSNull(), "version": package.version,
                "revision": package.revision, "hash": package.hash
            ]
        }
        var buildClosure: [FixturePackage] = []
        for package in buildRequires + buildRequires.flatMap(\.runtimeClosure) where !buildClosure.contains(where: { $0.name == package.name }) {
            buildClosure.append(package)
        }
        let record: [String: Any] = [
            "alien_install_version": "0.1.0", "architecture": arch, "defaults": "release", "package": info(self),
            "dependencies": [
                "direct": ["build": buildRequires.map(info), "runtime": requires.map(info)],
                "recursive": ["build": buildClosure.map(info), "runtime": runtimeClosure.map(info)]
            ]
        ]
        let data = (try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Replaces the generated init.sh when set (hostile or hand-written packages).
    public var initScriptOverride: String?

    /// `etc/profile.d/init.sh` exactly in aliBuild's generated grammar (build.py
    /// `generate_initdotsh`): the direct runtime and build requirements' init.sh first (guarded
    /// by their `_REVISION`), then the package's own variables and `bin`/`lib` in front of
    /// `PATH`/`LD_LIBRARY_PATH` — what the environment commands and modulefiles read.
    public func initScript(arch: String = "slc9_x86-64") -> String {
        if let initScriptOverride { return initScriptOverride }
        func prefix(_ name: String) -> String { name.uppercased().replacingOccurrences(of: "-", with: "_") }
        var lines = [": \"${ALIBUILD_ARCH_PREFIX:=\(arch)}\""]
        lines += (requires + buildRequires).map {
            "[ -n \"${\(prefix($0.name))_REVISION}\" ] || . \"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/\($0.name)/\($0.version)-\($0.revision)/etc/profile.d/init.sh"
        }
        let big = prefix(name)
        lines += [
            "export \(big)_ROOT=\"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/\(name)/\(version)-\(revision)",
            "export RECC_PREFIX_MAP=\"$\(big)_ROOT=/recc/\(big)_ROOT:$RECC_PREFIX_MAP\"",
            "export \(big)_VERSION=\(version)",
            "export \(big)_REVISION=\(revision)",
            "export \(big)_HASH=\(hash)",
            "export \(big)_COMMIT=\(hash.prefix(12))",
            "export PATH=\"$\(big)_ROOT/bin${PATH+:$PATH}\"",
            "export LD_LIBRARY_PATH=\"$\(big)_ROOT/lib${LD_LIBRARY_PATH+:$LD_LIBRARY_PATH}\""
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Packs the tarball into `output` (a file path); returns it.
    @discardableResult
    public func pack(arch: String, to output: URL) throws -> URL {
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("alien-fixture-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tree) }
        let prefix = tree.appendingPathComponent("\(arch)/\(name)/\(version)-\(revision)")
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("share"), withIntermediateDirectories: true)
        try metaJSON(arch: arch).write(to: prefix.appendingPathComponent(".meta.json"), atomically: false, encoding: .utf8)
        try payload.write(to: prefix.appendingPathComponent("share/payload.txt"), atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("etc/profile.d"), withIntermediateDirectories: true)
        try initScript(arch: arch).write(to: prefix.appendingPathComponent("etc/profile.d/init.sh"), atomically: false, encoding: .utf8)
        if blobSize > 0 {
            var generator = SystemRandomNumberGenerator()
            let blob = (0..<blobSize).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try Data(blob).write(to: prefix.appendingPathComponent("share/blob.bin"))
        }
        if zerosSize > 0 {
            try Data(count: zerosSize).write(to: prefix.appendingPathComponent("share/zeros.bin"))
        }
        if !programs.isEmpty {
            let packagePath = "\(arch)/\(name)/\(version)-\(revision)"
            try FileManager.default.createDirectory(at: prefix.appendingPathComponent("bin"), withIntermediateDirectories: true)
            for (program, body) in programs {
                let file = prefix.appendingPathComponent("bin/\(program)")
                try body.replacingOccurrences(of: "{PREFIX}", with: "/build/INSTALLROOT/\(hash)/\(packagePath)")
                    .write(to: file, atomically: false, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
            }
            try PackageRelocation.prepare(installDir: prefix, packagePath: packagePath, hash: hash, revision: revision)
        }
        for (path, file) in files.sorted(by: { $0.key < $1.key }) {
            let url = prefix.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: url)
            try file.contents.write(to: url, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: file.mode], ofItemAtPath: url.path)
        }
        for (path, target) in symlinks.sorted(by: { $0.key < $1.key }) {
            let url = prefix.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
        }
        for (path, mode) in directoryModes {
            try FileManager.default.setAttributes(
                [.posixPermissions: mode], ofItemAtPath: path.isEmpty ? prefix.path : prefix.appendingPathComponent(path).path)
        }
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = try TarballWriter(compression: .gzip, synchronize: false).pack(directory: tree.path, to: output.path)
        return output
    }

    /// Packs this package and its runtime closure into `workDir`'s TARS store as `build` does:
    /// `TARS/<arch>/store/<h2>/<hash>/<file>` with a link `TARS/<arch>/<Name>/<file>`.
    /// Returns this package's store file.
    @discardableResult
    public func store(in workDir: URL, arch: String) throws -> URL {
        for dependency in installClosure { _ = try dependency.storeOne(in: workDir, arch: arch) }
        return try storeOne(in: workDir, arch: arch)
    }

    private func storeOne(in workDir: URL, arch: String) throws -> URL {
        let file = workDir.appendingPathComponent("TARS/\(arch)/store/\(hash.prefix(2))/\(hash)/\(fileName(arch: arch))")
        if FileManager.default.fileExists(atPath: file.path) { return file }
        try pack(arch: arch, to: file)
        let links = workDir.appendingPathComponent("TARS/\(arch)/\(name)")
        try FileManager.default.createDirectory(at: links, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: links.appendingPathComponent(fileName(arch: arch)).path,
            withDestinationPath: "../store/\(hash.prefix(2))/\(hash)/\(fileName(arch: arch))")
        return file
    }
}
