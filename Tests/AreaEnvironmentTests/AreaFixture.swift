import AlienModel
import AreaEnvironment
import Foundation

/// Small software areas written in code for the command-line tests: packages with aliBuild's
/// init.sh and, unless asked otherwise, the manifest the installer writes.
struct AreaFixture {
    static let arch = "slc9_x86-64"
    let root: URL

    init(architectures: [String] = [Self.arch]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("alien-env-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for architecture in architectures {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(architecture), withIntermediateDirectories: true)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Installs `name/version-1` requiring `requires` (name, version), with one env entry.
    @discardableResult
    func install(
        _ name: String, _ version: String, requires: [(String, String)] = [], value: String = "$X_ROOT/share",
        manifest: Bool = true, arch: String = Self.arch
    ) throws -> URL {
        let directory = root.appendingPathComponent("\(arch)/\(name)/\(version)-1")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("etc/profile.d"), withIntermediateDirectories: true)
        let package = EnvironmentManifest.Package(name: try PackageName(name), version: version, revision: "1", hash: "0123abcd", commit: "c0ffee")
        let prefix = package.name.environmentPrefix
        let environment = EnvironmentManifest(
            architecture: arch, package: package,
            requires: try requires.map { .init(name: try PackageName($0.0), version: $0.1, revision: "1") },
            env: [
                .init(
                    name: prefix + "_DATA", value: try EnvironmentTemplate(shellDoubleQuoted: value.replacingOccurrences(of: "X_ROOT", with: prefix + "_ROOT")))
            ],
            prependPath: [.init(name: "PATH", items: [try EnvironmentTemplate(shellDoubleQuoted: "$\(prefix)_ROOT/bin")])]
        ).normalized()
        try environment.initScript.write(to: directory.appendingPathComponent("etc/profile.d/init.sh"), atomically: true, encoding: .utf8)
        if manifest { try Data(environment.jsonBytes + [0x0A]).write(to: directory.appendingPathComponent(EnvironmentManifest.fileName)) }
        return directory
    }
}
