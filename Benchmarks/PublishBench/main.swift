// Publishing benchmark: N small package tarballs (default 1 000) published in one call into a
// fresh local repository, timed in two parts: inspection (read .meta.json, streaming sha256, in
// parallel) and publishing (copy the files, sign and write one targets/snapshot/timestamp).
//
//   publish-bench [--count N] [--work DIR] [--sync] [--json]
//
// The tarballs are generated first (not timed) under WORK/tarballs and reused between runs
// with the same N; the repository is recreated each run. --sync fsyncs every file written, as
// `alien-install publish` does; without it the page cache absorbs the writes.
import Foundation
import Publisher
import Tarballs
import Trust

struct BenchError: Error, CustomStringConvertible {
    let description: String
}

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

let count = Int(option("--count") ?? "1000") ?? 1000
let sync = CommandLine.arguments.contains("--sync")
let json = CommandLine.arguments.contains("--json")
let work = URL(fileURLWithPath: option("--work") ?? FileManager.default.temporaryDirectory.appendingPathComponent("publish-bench").path)
let arch = "slc9_x86-64"

/// `<arch>/pkgN/v1-1/.meta.json` and a small payload; pkgN requires pkg(N-1) for N % 10 != 0.
func makeTarballs() throws -> [URL] {
    let directory = work.appendingPathComponent("tarballs-\(count)")
    let done = directory.appendingPathComponent(".complete")
    var files: [URL] = []
    for index in 0..<count { files.append(directory.appendingPathComponent("pkg\(index)-v1-1.\(arch).tar.gz")) }
    if FileManager.default.fileExists(atPath: done.path) { return files }
    try? FileManager.default.removeItem(at: directory)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let writer = TarballWriter(compression: .gzip, synchronize: false)
    for index in 0..<count {
        let tree = directory.appendingPathComponent("tree")
        try? FileManager.default.removeItem(at: tree)
        let prefix = tree.appendingPathComponent("\(arch)/pkg\(index)/v1-1")
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("lib"), withIntermediateDirectories: true)
        func info(_ n: Int) -> [String: Any] {
            ["name": "pkg\(n)", "version": "v1", "revision": "1", "hash": String(format: "%040x", n + 1), "tag": "v1", "source": NSNull()]
        }
        let requires = index % 10 == 0 ? [] : [info(index - 1)]
        let closure = index % 10 == 0 ? [] : ((index / 10 * 10)..<index).map(info)
        let record: [String: Any] = [
            "alien_install_version": "0.1.0", "architecture": arch, "defaults": "release", "package": info(index),
            "dependencies": ["direct": ["build": [], "runtime": requires], "recursive": ["build": [], "runtime": closure]],
        ]
        try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .prettyPrinted])
            .write(to: prefix.appendingPathComponent(".meta.json"))
        try Data(repeating: UInt8(truncatingIfNeeded: index), count: 16 * 1024).write(to: prefix.appendingPathComponent("lib/libpkg.so"))
        _ = try writer.pack(directory: tree.path, to: files[index].path)
    }
    try? FileManager.default.removeItem(at: directory.appendingPathComponent("tree"))
    try Data().write(to: done)
    return files
}

func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

do {
    let files = try makeTarballs()
    let repo = work.appendingPathComponent("repo")
    try? FileManager.default.removeItem(at: repo)
    let keys = (root: SigningKey.generate(), targets: SigningKey.generate(), snapshot: SigningKey.generate(), timestamp: SigningKey.generate())
    let repository = Repository(store: RepositoryStore(location: repo.path, synchronize: sync))
    try repository.initialize(rootKeys: [keys.root], rootThreshold: 1, targetsKey: keys.targets, snapshotKey: keys.snapshot,
                              timestampKey: keys.timestamp)
    let start = DispatchTime.now()
    let packages = try Repository.inspect(files)
    let inspected = seconds(since: start)
    let report = try repository.publish(packages, signers: Signers([keys.targets, keys.snapshot, keys.timestamp]))
    let total = seconds(since: start)
    guard report.added.count == count else { throw BenchError(description: "published \(report.added.count) of \(count)") }
    let again = DispatchTime.now()
    let noop = try repository.publish(packages, signers: Signers([keys.targets, keys.snapshot, keys.timestamp]))
    let republished = seconds(since: again)
    guard noop.targetsVersion == nil else { throw BenchError(description: "republishing changed the repository") }
    let targetsSize = (try? FileManager.default.attributesOfItem(atPath: repo.appendingPathComponent("metadata/2.targets.json").path)[.size] as? Int) ?? 0
    if json {
        print(#"{"bench":"publish","count":\#(count),"sync":\#(sync),"inspect_s":\#(inspected),"total_s":\#(total),"republish_s":\#(republished),"targets_json_bytes":\#(targetsSize)}"#)
    } else {
        print("published \(count) tarballs in one call\(sync ? " (fsync)" : ""): \(String(format: "%.3f", total)) s "
            + "(inspect \(String(format: "%.3f", inspected)) s, copy+sign+write \(String(format: "%.3f", total - inspected)) s); "
            + "republish (no-op) \(String(format: "%.3f", republished)) s; 2.targets.json \(targetsSize) bytes")
    }
} catch {
    FileHandle.standardError.write(Data("publish-bench: \(error)\n".utf8))
    exit(1)
}
