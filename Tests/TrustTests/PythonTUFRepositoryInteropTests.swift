import AlienModel
import Basics
import Foundation
import TestSupport
import Testing
@testable import Trust

/// Our `Updater` against a repository that python-tuf's Metadata API built on disk (the other
/// direction, python-tuf's client against our repository, is tested with the publishing code).
@Suite struct PythonTUFRepositoryInteropTests {
    /// Writes into argv[1]: metadata/ (consistent snapshot; root v1 → v2 rotating the timestamp
    /// key → v3 rotating the root key; targets v2 delegating 'packages' (paths pkgs/*,
    /// terminating) and 'binned' (paths bins/*/*), which delegates 16 succinct hash bins) and
    /// targets/ (files as <dir>/<sha256>.<basename>). Prints the expected targets as JSON:
    /// path → {"role", "content"}, after checking them with python-tuf's own ngclient.
    static let script = #"""
        import json, os, sys
        from datetime import datetime, timedelta, timezone
        from securesystemslib.signer import CryptoSigner
        from tuf.api.metadata import (DelegatedRole, Delegations, Metadata, MetaFile, Root, Snapshot, SuccinctRoles,
                                      TargetFile, Targets, Timestamp)
        from tuf.api.serialization.json import JSONSerializer

        base = sys.argv[1]
        meta_dir, target_dir = os.path.join(base, "metadata"), os.path.join(base, "targets")
        os.makedirs(meta_dir)
        os.makedirs(target_dir)
        expires = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)

        def write(signed, signers, name):
            md = Metadata(signed)
            for s in signers:
                md.sign(s, append=True)
            data = md.to_bytes(JSONSerializer(compact=False))
            with open(os.path.join(meta_dir, name), "wb") as f:
                f.write(data)
            return data

        expected = {}
        def add(role_name, signed, path, content):
            data = content.encode()
            tf = TargetFile.from_data(path, data, ["sha256", "sha512"])
            signed.targets[path] = tf
            directory, _, name = path.rpartition("/")
            os.makedirs(os.path.join(target_dir, directory), exist_ok=True)
            with open(os.path.join(target_dir, directory, f"{tf.hashes['sha256']}.{name}"), "wb") as f:
                f.write(data)
            expected[path] = {"role": role_name, "content": content}

        keys = {r: CryptoSigner.generate_ed25519() for r in ["root", "targets", "snapshot", "timestamp"]}
        root = Root(expires=expires, consistent_snapshot=True)
        for role, signer in keys.items():
            root.add_key(signer.public_key, role)
        write(root, [keys["root"]], "1.root.json")

        # v2: new timestamp key.
        new_timestamp = CryptoSigner.generate_ed25519()
        root.revoke_key(keys["timestamp"].public_key.keyid, "timestamp")
        root.add_key(new_timestamp.public_key, "timestamp")
        keys["timestamp"] = new_timestamp
        root.version = 2
        write(root, [keys["root"]], "2.root.json")
        # v3: new root key, signed by the old and the new one.
        new_root = CryptoSigner.generate_ed25519()
        root.revoke_key(keys["root"].public_key.keyid, "root")
        root.add_key(new_root.public_key, "root")
        root.version = 3
        write(root, [keys["root"], new_root], "3.root.json")

        packages_key, binned_key, bins_key = (CryptoSigner.generate_ecdsa(), CryptoSigner.generate_ed25519(),
                                              CryptoSigner.generate_ed25519())
        targets = Targets(expires=expires, version=2)
        add("targets", targets, "README", "top-level readme")
        add("targets", targets, "pkgs/listed-at-top.tar", "top-level package")
        targets.delegations = Delegations(keys={k.public_key.keyid: k.public_key for k in [packages_key, binned_key]}, roles={
            "packages": DelegatedRole("packages", [packages_key.public_key.keyid], 1, True, paths=["pkgs/*"]),
            "binned": DelegatedRole("binned", [binned_key.public_key.keyid], 1, False, paths=["bins/*/*"]),
        })
        packages = Targets(expires=expires)
        for i in range(3):
            add("packages", packages, f"pkgs/package-{i}.tar", f"package {i}")
        succinct = SuccinctRoles([bins_key.public_key.keyid], 1, 4, "bin")
        binned = Targets(expires=expires, version=3)
        binned.delegations = Delegations(keys={bins_key.public_key.keyid: bins_key.public_key}, succinct_roles=succinct)
        bins = {name: Targets(expires=expires) for name in succinct.get_roles()}
        for i in range(12):
            path = f"bins/el9-x86_64/file-{i}.tar"
            add(succinct.get_role_for_target(path), bins[succinct.get_role_for_target(path)], path, f"binned content {i}")

        snapshot = Snapshot(expires=expires, version=3)
        for name, signed, signer in [("targets", targets, keys["targets"]), ("packages", packages, packages_key),
                                     ("binned", binned, binned_key)] + [(n, b, bins_key) for n, b in bins.items()]:
            data = write(signed, [signer], f"{signed.version}.{name}.json")
            snapshot.meta[f"{name}.json"] = (MetaFile.from_data(signed.version, data, ["sha256"]) if name != "packages"
                                             else MetaFile(signed.version))
        data = write(snapshot, [keys["snapshot"]], "3.snapshot.json")
        timestamp = Timestamp(expires=expires, version=4, snapshot_meta=MetaFile.from_data(3, data, ["sha256", "sha512"]))
        write(timestamp, [keys["timestamp"]], "timestamp.json")

        # Sanity: python-tuf's own client agrees on every target and its role's content.
        import tempfile
        from tuf.api.exceptions import DownloadHTTPError
        from tuf.ngclient import FetcherInterface, Updater

        class FileFetcher(FetcherInterface):
            def _fetch(self, url):
                try:
                    with open(url[len("file://"):], "rb") as f:
                        data = f.read()
                except FileNotFoundError:
                    raise DownloadHTTPError("not found", 404)
                yield data

        with open(os.path.join(meta_dir, "1.root.json"), "rb") as f:
            bootstrap = f.read()
        with tempfile.TemporaryDirectory() as client:
            updater = Updater(client, "file://" + meta_dir, client, "file://" + target_dir, FileFetcher(), bootstrap=bootstrap)
            updater.refresh()
            for path, entry in expected.items():
                info = updater.get_targetinfo(path)
                assert info is not None, path
                with open(updater.download_target(info), "rb") as f:
                    assert f.read() == entry["content"].encode(), path
        json.dump(expected, sys.stdout)
        """#

    private static func run(_ directory: String) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let outFile = directory + "/python.out", errFile = directory + "/python.err"
        _ = FileManager.default.createFile(atPath: outFile, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile, contents: nil)
        let process = Process()
        process.executableURL = PythonTUF.python
        process.arguments = ["-c", script, directory + "/repository"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outFile))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errFile))
        try process.start()
        process.waitUntilExit()
        return (
            process.terminationStatus, Array(try Data(contentsOf: URL(fileURLWithPath: outFile))),
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: errFile)), as: UTF8.self)
        )
    }

    @Test(.enabled(if: PythonTUF.available, PythonTUF.skipReason))
    func refreshesAndDownloadsFromAPythonTUFRepository() async throws {
        let work = try TemporaryDirectory("alien-tests-tuf-interop")
        defer { work.remove() }
        let result = try Self.run(work.path)
        try #require(result.status == 0, "python-tuf script failed: \(result.stderr)")
        guard case let .object(expected) = try JSONValue(parsing: result.stdout) else {
            Issue.record("unexpected python output: \(String(decoding: result.stdout, as: UTF8.self))")
            return
        }
        #expect(expected.count == 17)

        let repository = work.path + "/repository"
        let metadataDirectory = work.path + "/client/metadata", targetDirectory = work.path + "/client/targets"
        let rootV1 = try #require(FileManager.default.contents(atPath: repository + "/metadata/1.root.json"))
        try Updater.initialize(rootBytes: Array(rootV1), metadataDirectory: metadataDirectory)
        let updater = Updater(
            metadataDirectory: metadataDirectory, metadataBaseURL: "file://\(repository)/metadata",
            targetBaseURL: "file://\(repository)/targets", fetcher: DirectoryFetcher())
        try await updater.refresh()
        let trustedRoot = try Metadata<Root>(bytes: Array(try #require(FileManager.default.contents(atPath: metadataDirectory + "/root.json"))))
        #expect(trustedRoot.signed.version == 3)
        #expect(
            FileManager.default.contents(atPath: metadataDirectory + "/timestamp.json")
                == FileManager.default.contents(atPath: repository + "/metadata/timestamp.json"))

        for (path, value) in expected.sorted(by: { $0.key < $1.key }) {
            guard case let .object(fields) = value, case let .string(role)? = fields["role"], case let .string(content)? = fields["content"] else {
                Issue.record("bad entry for \(path)")
                continue
            }
            let info = try #require(try await updater.targetInfo(for: path), "\(path) not found")
            #expect(info.role == role, "\(path)")
            let file = try await updater.downloadTarget(info, to: targetDirectory)
            #expect(file == targetDirectory + "/" + path)
            #expect(FileManager.default.contents(atPath: file) == Data(content.utf8), "\(path)")
        }
        // 'packages' is terminating for pkgs/*: a path it does not list is not searched further.
        #expect(try await updater.targetInfo(for: "pkgs/missing.tar") == nil)
        #expect(try await updater.targetInfo(for: "bins/el9-x86_64/missing.tar") == nil)
        let binFiles = try FileManager.default.contentsOfDirectory(atPath: metadataDirectory).filter { $0.hasPrefix("bin-") }
        #expect(!binFiles.isEmpty)
    }
}
