import AlienModel
import Foundation
import SoftwareArea
import Testing
import Transport

/// The suites of this target, one at a time: a job installs process-wide signal handlers and
/// tells them its child.
@Suite(.serialized) enum JobsProcessTests {}

/// A software area written in code: ROOT → zlib installed (init.sh in aliBuild's grammar, an
/// install record each), state under `.alien/` as `SoftwareArea.open` makes it.
struct JobsFixture {
    static let arch = "slc9_x86-64"
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("alien-jobs-\(UUID().uuidString)")
        try install(name: "zlib", version: "v1.3.1", requires: [])
        try install(name: "ROOT", version: "v6-32-06", requires: [("zlib", "v1.3.1")])
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func area(repository: String? = nil, rootFile: String? = nil) throws -> SoftwareArea {
        try SoftwareArea.open(root: root.path, arch: Self.arch, repository: repository, rootFile: rootFile, fetcher: HTTPClient())
    }

    var leases: String { root.appendingPathComponent(".alien/leases").path }
    var usageLog: String { root.appendingPathComponent(".alien/usage.log").path }

    func install(name: String, version: String, requires: [(String, String)]) throws {
        let relative = "\(Self.arch)/\(name)/\(version)-1"
        let directory = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("etc/profile.d"), withIntermediateDirectories: true)
        let prefix = name.uppercased()
        var lines = [": \"${ALIBUILD_ARCH_PREFIX:=\(Self.arch)}\""]
        for (dependency, dependencyVersion) in requires {
            lines.append(
                "[ -n \"${\(dependency.uppercased())_REVISION}\" ] || . \"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/\(dependency)/\(dependencyVersion)-1/etc/profile.d/init.sh"
            )
        }
        lines += [
            "export \(prefix)_ROOT=\"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/\(name)/\(version)-1",
            "export RECC_PREFIX_MAP=\"$\(prefix)_ROOT=/recc/\(prefix)_ROOT:$RECC_PREFIX_MAP\"",
            "export \(prefix)_VERSION=\(version)",
            "export \(prefix)_REVISION=1",
            "export \(prefix)_HASH=0123",
            "export \(prefix)_COMMIT=v1",
            "export PATH=\"$\(prefix)_ROOT/bin${PATH+:$PATH}\"",
            "export LD_LIBRARY_PATH=\"$\(prefix)_ROOT/lib${LD_LIBRARY_PATH+:$LD_LIBRARY_PATH}\""
        ]
        try (lines.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("etc/profile.d/init.sh"), atomically: true, encoding: .utf8)
        let record = InstallRecord(
            package: PackageBuild(name: try PackageName(name), version: PackageVersion(version: version, revision: "1")), arch: Self.arch,
            target: "\(Self.arch)/\(name)/\(name)-\(version)-1.\(Self.arch).tar.gz", length: 1,
            hashes: ["sha256": String(repeating: "ab", count: 32)], custom: nil, installedAt: 1_700_000_000,
            prefix: directory.path, files: [])
        try Data(record.json.compactJSONBytes).write(to: directory.appendingPathComponent(InstallRecord.fileName))
    }
}
