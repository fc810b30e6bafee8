import AlienModel
import Basics
import Foundation
import Testing
@testable import Trust

/// Where python-tuf lives: the project's .venv (see Tests/InteropTests/Interop.swift), filled by
/// `make deps` from requirements-interop.txt.
enum PythonTUF {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".venv/bin/python")

    /// Whether .venv has python-tuf. `make test` sets ALIEN_REQUIRE_INTEROP=1, so there a
    /// missing tuf fails the run instead of skipping.
    static var available: Bool {
        if ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] == "1" { return true }
        let lib = root.appendingPathComponent(".venv/lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        return FileManager.default.isExecutableFile(atPath: python.path)
            && versions.contains {
                FileManager.default.fileExists(atPath: lib.appendingPathComponent("\($0)/site-packages/tuf/api/metadata.py").path)
            }
    }

    static let skipReason: Comment = "python-tuf is not installed in .venv: run `make deps` (requirements-interop.txt lists tuf)"

    /// (b) verifies the metadata in the file argv[1] (written here) with python-tuf; (a) builds
    /// and signs metadata with python-tuf (Ed25519, ECDSA P-256 and RSA-PSS keys). Prints one
    /// JSON object with both results.
    static let script = #"""
        import json, sys
        from datetime import datetime, timezone
        from securesystemslib.signer import CryptoSigner
        from securesystemslib.signer._utils import compute_default_keyid
        from tuf.api.metadata import (Metadata, Root, Targets, Snapshot, Timestamp, TargetFile, MetaFile,
                                      Delegations, DelegatedRole)
        from tuf.api.serialization.json import CanonicalJSONSerializer, JSONSerializer

        out = {"verified": {}}
        with open(sys.argv[1], "rb") as f:
            ours = json.loads(f.read())
        root = Metadata[Root].from_bytes(ours["root"].encode())
        for name in ["root", "targets", "snapshot", "timestamp", "packages"]:
            md = Metadata.from_bytes(ours[name].encode())
            try:
                if name == "packages":
                    Metadata[Targets].from_bytes(ours["targets"].encode()).verify_delegate(name, md)
                else:
                    root.verify_delegate(name, md)
                out["verified"][name] = "ok"
            except Exception as e:
                out["verified"][name] = f"{type(e).__name__}: {e}"
            out["verified"][name + ".canonical"] = CanonicalJSONSerializer().serialize(md.signed).decode()
        out["verified"]["keyids"] = {k: compute_default_keyid(v.keytype, v.scheme, v.keyval) for k, v in root.signed.keys.items()}

        ed, ec, rsa = CryptoSigner.generate_ed25519(), CryptoSigner.generate_ecdsa(), CryptoSigner.generate_rsa()
        expires = datetime(2030, 1, 1, tzinfo=timezone.utc)
        root = Root(expires=expires)
        for role, signer in [("root", ed), ("root", ec), ("root", rsa), ("targets", ec), ("snapshot", rsa), ("timestamp", ed)]:
            root.add_key(signer.public_key, role)
        root.roles["root"].threshold = 3
        root.unrecognized_fields["x-extra"] = {"b": [1, -2, None, True, "\u00e9\u0001\"\\ \U0001F600\u2028"], "A": {}, "a": 9223372036854775807}
        tfile = TargetFile(length=1234, hashes={"sha256": "ab" * 32}, path="pkgs/ROOT-v6.tar.zst",
                           unrecognized_fields={"custom": {"tag": "v6", "n": -1, "tab\t": "\u00e9\n"}})
        deleg = Delegations(keys={ed.public_key.keyid: ed.public_key}, roles={
            "packages": DelegatedRole("packages", [ed.public_key.keyid], 1, True, paths=["pkgs/*"]),
            "binned": DelegatedRole("binned", [ed.public_key.keyid], 1, False, path_hash_prefixes=["0a", "ff"],
                                    unrecognized_fields={"x-note": "kept"}),
        })
        roles = {
            "root": (root, [ed, ec, rsa]),
            "targets": (Targets(expires=expires, targets={tfile.path: tfile}, delegations=deleg), [ec]),
            "snapshot": (Snapshot(expires=expires, meta={"targets.json": MetaFile(3, length=100, hashes={"sha256": "cd" * 32}),
                                                         "packages.json": MetaFile(1)}), [rsa]),
            "timestamp": (Timestamp(expires=expires, snapshot_meta=MetaFile(7, hashes={"sha512": "ef" * 64})), [ed]),
        }
        for name, (signed, signers) in roles.items():
            md = Metadata(signed)
            for s in signers:
                md.sign(s, append=True)
            out[name] = md.to_bytes(JSONSerializer(compact=False)).decode()
            out[name + ".canonical"] = CanonicalJSONSerializer().serialize(md.signed).decode()
        out["keyids"] = {"ed25519": ed.public_key.keyid, "ecdsa": ec.public_key.keyid, "rsa": rsa.public_key.keyid}
        json.dump(out, sys.stdout)
        """#

    /// Runs the script once; stdout and stderr go to files, so neither pipe can fill up.
    static func run(input: [UInt8]) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-tests-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("ours.json")
        let outFile = directory.appendingPathComponent("out"), errFile = directory.appendingPathComponent("err")
        try Data(input).write(to: inputFile)
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", script, inputFile.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        try process.start()
        process.waitUntilExit()
        return (process.terminationStatus, Array(try Data(contentsOf: outFile)), String(decoding: try Data(contentsOf: errFile), as: UTF8.self))
    }
}

@Suite struct PythonTUFInteropTests {
    /// Metadata signed here: root (threshold 2 of two keys), targets delegating "packages" to a
    /// third key, snapshot, timestamp, and "packages" itself.
    private struct Ours {
        var root: Metadata<Root>
        var targets: Metadata<Targets>
        var snapshot: Metadata<Snapshot>
        var timestamp: Metadata<Timestamp>
        var packages: Metadata<Targets>

        init() throws {
            let keys = [SigningKey.generate(), SigningKey.generate()], delegate = SigningKey.generate()
            var rootRole = try Fixtures.root(keys, threshold: 2)
            rootRole.roles["targets"] = try RoleKeys(keyIDs: [keys[1].keyID], threshold: 1)
            rootRole.roles["snapshot"] = try RoleKeys(keyIDs: [keys[0].keyID], threshold: 1)
            rootRole.roles["timestamp"] = try RoleKeys(keyIDs: [keys[0].keyID], threshold: 1)
            rootRole.unrecognizedFields["x-site"] = .object(["note": .string("é\u{1}\"\\ 😀\u{2028}"), "n": .integer(-5)])
            root = Metadata(signed: rootRole)
            let file = try TargetFile(
                length: 99, hashes: ["sha256": String(repeating: "0f", count: 32)],
                custom: .object(["arch": .string("el9-x86_64"), "deps": .array([.string("zlib")])]))
            let delegations = try Delegations(
                keys: [delegate.keyID: delegate.key],
                roles: [
                    DelegatedRole(name: "packages", keyIDs: [delegate.keyID], threshold: 1, terminating: true, paths: .paths(["pkgs/*"]))
                ])
            targets = Metadata(
                signed: try Targets(
                    version: 1, expires: Fixtures.expires, targets: ["pkgs/zlib.tar.zst": file],
                    delegations: delegations))
            snapshot = Metadata(
                signed: try Snapshot(
                    version: 1, expires: Fixtures.expires,
                    meta: ["targets.json": MetaFile(version: 1), "packages.json": MetaFile(version: 1)]))
            timestamp = Metadata(
                signed: try Timestamp(
                    version: 1, expires: Fixtures.expires,
                    snapshotMeta: MetaFile(version: 1, length: 10, hashes: ["sha256": "ab"])))
            packages = Metadata(signed: try Targets(version: 1, expires: Fixtures.expires, targets: ["pkgs/zlib.tar.zst": file]))
            for key in keys { try root.sign(with: key) }
            try targets.sign(with: keys[1])
            try snapshot.sign(with: keys[0])
            try timestamp.sign(with: keys[0])
            try packages.sign(with: delegate)
        }

        var files: [String: [UInt8]] {
            [
                "root": root.serialized(), "targets": targets.serialized(), "snapshot": snapshot.serialized(),
                "timestamp": timestamp.serialized(), "packages": packages.serialized()
            ]
        }
    }

    private func string(_ value: JSONValue?) -> String? {
        if case let .string(text) = value { text } else { nil }
    }

    @Test(.enabled(if: PythonTUF.available, PythonTUF.skipReason))
    func interoperatesWithPythonTUF() throws {
        let ours = try Ours()
        let input = JSONValue.object(ours.files.mapValues { .string(String(decoding: $0, as: UTF8.self)) }).compactJSONBytes
        let result = try PythonTUF.run(input: input)
        try #require(result.status == 0, "python-tuf script failed: \(result.stderr)")
        guard case let .object(output) = try JSONValue(parsing: result.stdout), case let .object(verified)? = output["verified"] else {
            Issue.record("unexpected python output: \(String(decoding: result.stdout, as: UTF8.self))")
            return
        }

        // (b) python-tuf verifies what we signed, and its canonical bytes and key ids equal ours.
        let signedBytes = [
            "root": ours.root.signedBytes, "targets": ours.targets.signedBytes, "snapshot": ours.snapshot.signedBytes,
            "timestamp": ours.timestamp.signedBytes, "packages": ours.packages.signedBytes
        ]
        for (name, bytes) in signedBytes {
            #expect(string(verified[name]) == "ok", "python-tuf did not verify our \(name)")
            #expect(string(verified[name + ".canonical"]).map { Array($0.utf8) } == bytes, "canonical \(name) differs")
        }
        #expect(verified["keyids"] == .object(ours.root.signed.keys.mapValues { .string($0.keyID) }))
        for (id, key) in ours.root.signed.keys { #expect(key.keyID == id) }

        // (a) we parse what python-tuf signed, re-derive canonical bytes and key ids, verify.
        let root = try Metadata<Root>(bytes: Array(try #require(string(output["root"])).utf8))
        let targets = try Metadata<Targets>(bytes: Array(try #require(string(output["targets"])).utf8))
        let snapshot = try Metadata<Snapshot>(bytes: Array(try #require(string(output["snapshot"])).utf8))
        let timestamp = try Metadata<Timestamp>(bytes: Array(try #require(string(output["timestamp"])).utf8))
        let theirs = ["root": root.signedBytes, "targets": targets.signedBytes, "snapshot": snapshot.signedBytes, "timestamp": timestamp.signedBytes]
        for (name, bytes) in theirs {
            #expect(string(output[name + ".canonical"]).map { Array($0.utf8) } == bytes, "canonical \(name) differs from python's")
        }
        for (id, key) in root.signed.keys {
            #expect(key.isSupported)
            #expect(key.keyID == id, "key id of \(key.keytype)")
        }
        #expect(Set(root.signed.keys.map(\.value.keytype)) == ["ed25519", "ecdsa", "rsa"])
        guard case let .object(keyIDs)? = output["keyids"] else { Issue.record("no key ids"); return }
        #expect(Set(keyIDs.values.compactMap(string)) == Set(root.signed.keys.keys))

        #expect(try root.signed.verify(root, as: "root").count == 3)
        #expect(try root.signed.verify(targets, as: "targets").count == 1)
        #expect(try root.signed.verify(snapshot, as: "snapshot").count == 1)
        #expect(try root.signed.verify(timestamp, as: "timestamp").count == 1)

        // Unknown fields survive parse → serialize; tampering breaks every key type's signature.
        #expect(try Metadata<Root>(bytes: root.serialized()) == root)
        #expect(root.signed.unrecognizedFields["x-extra"] != nil)
        #expect(targets.signed.delegations?.roles.last?.unrecognizedFields == ["x-note": .string("kept")])
        #expect(targets.signed.targets["pkgs/ROOT-v6.tar.zst"]?.custom != nil)
        var tampered = root
        tampered.signed.version = 2
        #expect(throws: TrustError.thresholdNotMet(role: "root", validKeyIDs: [], threshold: 3)) {
            try root.signed.verify(tampered, as: "root")
        }
    }
}
