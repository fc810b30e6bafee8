import AlienModel
import Basics
import Foundation
import Publisher
import Testing
import TestSupport
import Trust

/// python-tuf's ngclient `Updater` as the client of a repository published here, served by a
/// real nginx: refresh, `get_targetinfo`, `download_target`; then again, with the same trusted
/// metadata, after a root rotation (with a new timestamp key), a new publish and an undefine.
enum PythonTUFClient {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".venv/bin/python")

    /// Whether .venv has python-tuf (and nginx is installed). `make test` sets
    /// ALIEN_REQUIRE_INTEROP=1, so there a missing tool fails the run instead of skipping.
    static var available: Bool {
        if ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] == "1" { return true }
        let lib = root.appendingPathComponent(".venv/lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        return FileManager.default.isExecutableFile(atPath: python.path)
            && FileManager.default.isExecutableFile(atPath: NginxServer.executable)
            && versions.contains { FileManager.default.fileExists(atPath: lib.appendingPathComponent("\($0)/site-packages/tuf/ngclient/updater.py").path) }
    }

    static let skipReason: Comment = "python-tuf (in .venv) or nginx is missing: run `make deps`"

    /// argv: base URL, metadata dir, target dir, then target paths. Prints
    /// {"root_version": N, "targets": {path: null | {"file", "sha256", "custom"}}}.
    static let script = #"""
        import hashlib, json, sys
        from tuf.ngclient import Updater
        base, metadata_dir, target_dir, paths = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
        updater = Updater(metadata_dir=metadata_dir, metadata_base_url=base + "/metadata/",
                          target_dir=target_dir, target_base_url=base + "/targets/", bootstrap=None)
        updater.refresh()
        out = {"root_version": updater._trusted_set.root.version, "targets": {}}
        for path in paths:
            info = updater.get_targetinfo(path)
            if info is None:
                out["targets"][path] = None
                continue
            file = updater.download_target(info)
            with open(file, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            out["targets"][path] = {"file": file, "sha256": digest, "custom": info.custom}
        print(json.dumps(out))
        """#

    struct Answer {
        var rootVersion: Int64
        /// path → (sha256, custom) or nil when python-tuf says the target is not defined.
        var targets: [String: (sha256: String, custom: JSONValue)?]
    }

    static func run(base: String, metadataDir: URL, targetDir: URL, paths: [String]) throws -> Answer {
        let work = try Fixtures.temporaryDirectory("pytuf")
        let scriptFile = work.appendingPathComponent("client.py")
        try script.write(to: scriptFile, atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("out"), err = work.appendingPathComponent("err")
        try Data().write(to: out)
        try Data().write(to: err)
        let process = Process()
        process.executableURL = python
        process.arguments = [scriptFile.path, base, metadataDir.path, targetDir.path] + paths
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.start()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw Fixtures.Failure("python-tuf client failed: \(stderr)") }
        let value = try JSONValue(parsing: [UInt8](try Data(contentsOf: out)))
        guard case let .object(top) = value, case let .integer(version)? = top["root_version"],
            case let .object(targets)? = top["targets"]
        else { throw Fixtures.Failure("unexpected output: \(value)") }
        var answer = Answer(rootVersion: version, targets: [:])
        for (path, entry) in targets {
            if case let .object(fields) = entry, case let .string(sha256)? = fields["sha256"] {
                answer.targets[path] = .some((sha256, fields["custom"] ?? .null))
            } else {
                answer.targets[path] = .some(nil)
            }
        }
        return answer
    }
}

@Suite struct PythonTUFClientTests {
    @Test(.enabled(if: PythonTUFClient.available, PythonTUFClient.skipReason))
    func ngclientReadsWhatWePublish() throws {
        let keys = Fixtures.Keys()
        let (repository, directory) = try Fixtures.repository("ngclient", keys: keys)
        let packages = try Repository.inspect(try Fixtures.tarballs([Fixtures.zlib, Fixtures.xz, Fixtures.cmake, Fixtures.root]))
        try repository.publish(packages, signers: keys.online)
        let server = try NginxServer(root: directory)
        defer { server.stop() }
        let base = server.baseURL.absoluteString
        let client = try Fixtures.temporaryDirectory("client")
        let metadataDir = client.appendingPathComponent("metadata"), targetDir = client.appendingPathComponent("targets")
        try FileManager.default.createDirectory(at: metadataDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: targetDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: directory.appendingPathComponent("metadata/1.root.json"),
            to: metadataDir.appendingPathComponent("root.json"))

        let first = try PythonTUFClient.run(base: base, metadataDir: metadataDir, targetDir: targetDir, paths: packages.map(\.targetPath))
        #expect(first.rootVersion == 1)
        for package in packages {
            let got = try #require(first.targets[package.targetPath] ?? nil, "\(package.targetPath) not found by python-tuf")
            #expect(got.sha256 == package.sha256)
            #expect(got.custom == .object(package.custom))
        }
        // Files were fetched by their consistent-snapshot names (nginx logs after answering: wait for the line).
        let deadline = Date().addingTimeInterval(300)  // a hang catcher: the loop ends with the line
        while Date() < deadline, !server.accessLogLines.contains(where: { $0.contains("/targets/slc9_x86-64/zlib/") }) { usleep(20_000) }
        #expect(server.accessLogLines.contains { $0.contains("/targets/slc9_x86-64/zlib/\(packages[0].sha256).zlib-") && $0.hasSuffix(" 200") })

        // Rotate root (new keys, new timestamp key), publish a new zlib revision, undefine ROOT.
        let newRoot = [SigningKey.generate(), SigningKey.generate()], newTimestamp = SigningKey.generate()
        try repository.rotateRoot(
            oldRootKeys: keys.root, newRootKeys: newRoot, timestampKey: newTimestamp,
            otherKeys: [keys.targets, keys.snapshot])
        let online = Signers([keys.targets, keys.snapshot, newTimestamp])
        try repository.undefine(try PackageID(parsing: "ROOT::v6-32-06"), signers: online)
        var zlib2 = Fixtures.zlib
        zlib2.revision = "2"
        let newZlib = try Repository.inspect(try Fixtures.tarballs([zlib2]))[0]
        try repository.publish([newZlib], signers: online)
        try Fixtures.verify(directory)

        let rootPath = Fixtures.root.targetPath(arch: Fixtures.arch)
        let second = try PythonTUFClient.run(
            base: base, metadataDir: metadataDir, targetDir: targetDir,
            paths: [rootPath, newZlib.targetPath, packages[0].targetPath])
        #expect(second.rootVersion == 2)
        let undefined = try #require(second.targets[rootPath], "python-tuf did not answer for \(rootPath)")
        #expect(undefined == nil, "an undefined target is still visible to python-tuf")
        #expect((second.targets[newZlib.targetPath] ?? nil)?.sha256 == newZlib.sha256)
        #expect((second.targets[packages[0].targetPath] ?? nil)?.sha256 == packages[0].sha256)
    }
}
