// Tarball benchmark: our pack/extract against GNU tar on the same tree, in one run.
//
//   tarball-bench compare --tree DIR --work DIR [--json FILE] [--size-mb 500] [--files 50000] [--runs 3]
//       generates the tree once (DIR/pkg, kept between runs), then times each operation in a
//       child process (wall time, CPU, peak RSS from wait4), alternating ours and GNU tar,
//       and prints a table plus JSON lines.
//   tarball-bench generate DIR SIZE_MB FILES
//   tarball-bench pack BASE MEMBER OUTPUT gzip|zstd [--sync]
//   tarball-bench extract ARCHIVE DIRECTORY [--stream CHUNK_BYTES]
import Foundation
import Tarballs

struct BenchError: Error, CustomStringConvertible {
    let description: String
}

// MARK: the tree

/// Deterministic pseudo-random bytes (xorshift64).
struct Noise {
    var state: UInt64

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var index = 0
        while index + 8 <= buffer.count {
            buffer.storeBytes(of: next(), toByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < buffer.count {
            buffer[index] = UInt8(truncatingIfNeeded: next())
            index += 1
        }
    }
}

/// `root/pkg/include/dNNN/header-NNNNN.h` text files (about a fifth of the bytes, 200 B to 4 KiB
/// each, source-like words) and `root/pkg/lib/libbench-NNN.so.1` binaries (the rest, about 2:1
/// compressible: random runs between repeated instruction-like patterns) with `.so` symlinks.
func generate(root: String, megabytes: Int, files: Int) throws {
    let stamp = root + "/.stamp"
    let expected = "v1 \(megabytes) MB \(files) files\n"
    if (try? String(contentsOfFile: stamp, encoding: .utf8)) == expected { return }
    _ = try? FileManager.default.removeItem(atPath: root)
    let binaries = max(1, files / 500)
    let texts = files - binaries
    let textBytes = megabytes << 20 / 5
    let binaryBytes = (megabytes << 20) - textBytes
    var noise = Noise(state: 0x1234_5678_9ABC_DEF1)
    let words = ["int", "return", "const", "struct", "namespace", "template", "typename", "void", "double", "std::vector",
                 "AliRoot", "TObject", "virtual", "override", "#include", "static", "if", "else", "for", "auto", "size_t",
                 "ClassDef", "nullptr", "public:", "private:", "//", "Float_t", "Int_t", "fHistogram", "GetEntries()"]
    let average = max(1, textBytes / max(texts, 1))
    for index in 0..<texts {
        let directory = root + "/pkg/include/d\(String(format: "%03d", index / 200))"
        if index % 200 == 0 { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let size = average / 4 + Int(noise.next() % UInt64(max(1, average * 3 / 2)))
        var text = ""
        text.reserveCapacity(size + 32)
        while text.utf8.count < size {
            text += words[Int(noise.next() % UInt64(words.count))]
            text += noise.next() % 9 == 0 ? "\n" : " "
        }
        guard FileManager.default.createFile(atPath: directory + "/header-\(index).h", contents: Data(text.utf8)) else {
            throw BenchError(description: "cannot write \(directory)")
        }
    }
    try FileManager.default.createDirectory(atPath: root + "/pkg/lib", withIntermediateDirectories: true)
    let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { block.deallocate() }
    for index in 0..<binaries {
        let name = root + "/pkg/lib/libbench-\(index).so.1"
        let fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0o755)
        guard fd >= 0 else { throw BenchError(description: "cannot create \(name)") }
        var remaining = binaryBytes / binaries
        while remaining > 0 {
            noise.fill(block)
            // Half of each 4 KiB page repeats a 64-byte pattern: compressible like code.
            for page in stride(from: 0, to: block.count, by: 4096) {
                for offset in stride(from: page + 2048, to: page + 4096, by: 64) {
                    block.baseAddress!.advanced(by: offset).copyMemory(from: block.baseAddress!.advanced(by: page), byteCount: 64)
                }
            }
            let count = min(remaining, block.count)
            guard write(fd, block.baseAddress!, count) == count else { throw BenchError(description: "write \(name)") }
            remaining -= count
        }
        close(fd)
        try FileManager.default.createSymbolicLink(atPath: root + "/pkg/lib/libbench-\(index).so", withDestinationPath: "libbench-\(index).so.1")
    }
    try expected.write(toFile: stamp, atomically: true, encoding: .utf8)
}

// MARK: measuring child processes

struct Measurement: Codable {
    var seconds: Double
    var cpuSeconds: Double
    var peakRSSMB: Double
}

/// The high-water mark of a process's resident set (`VmHWM`), in MB; nil once it has exited.
func peakRSS(of pid: pid_t) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return nil }
    return kilobytes / 1024
}

/// Runs a program and measures wall time, CPU (user+sys, children included) and peak RSS.
/// The RSS is sampled from /proc every 10 ms: `ru_maxrss` from wait4 is useless here, since
/// Linux carries the spawning process's own high-water mark into the child across exec.
/// (posix_spawn returns after the exec, so the samples are the new program's.)
func spawnAndMeasure(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Measurement {
    let environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }.map { "\($0)=\($1)" }
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup($0) } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let start = ContinuousClock.now
    let spawned = posix_spawn(&pid, arguments[0], nil, nil, argv, envp)
    guard spawned == 0 else { throw BenchError(description: "cannot start \(arguments[0]): errno \(spawned)") }
    var status: Int32 = 0
    var usage = rusage()
    var peak = 0.0
    while true {
        if let sample = peakRSS(of: pid) { peak = max(peak, sample) }
        let waited = wait4(pid, &status, WNOHANG, &usage)
        if waited == pid { break }
        guard waited == 0 else { throw BenchError(description: "wait4 failed: errno \(errno)") }
        usleep(10_000)
    }
    let elapsed = ContinuousClock.now - start
    guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
        throw BenchError(description: "\(arguments.joined(separator: " ")) failed with status \(status)")
    }
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return Measurement(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                       cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime), peakRSSMB: peak)
}

func fileSize(_ path: String) -> UInt64 {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.uint64Value ?? 0
}

func remove(_ path: String) throws {
    if FileManager.default.fileExists(atPath: path) { _ = try spawnAndMeasure(["/bin/rm", "-rf", path]) }
}

struct Row {
    let label: String
    let theirsLabel: String
    var ours: [Measurement] = []
    var theirs: [Measurement] = []
    var oursSize: UInt64 = 0
    var theirsSize: UInt64 = 0
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func compare(tree: String, work: String, json: String, megabytes: Int, files: Int, runs: Int) throws {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    let generateStart = ContinuousClock.now
    try generate(root: tree, megabytes: megabytes, files: files)
    let treeFiles = try FileManager.default.subpathsOfDirectory(atPath: tree + "/pkg").count
    print("tree: \(tree)/pkg, \(treeFiles) entries, \(megabytes) MB (ready in \(ContinuousClock.now - generateStart));"
          + " archives and extractions in \(work)")
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    let tar = "/usr/bin/tar"
    let normalized = ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0"]
    var rows: [Row] = []

    for compression in TarballCompression.allCases {
        var row = Row(label: "pack .\(compression.fileExtension)",
                      theirsLabel: compression == .gzip ? "tar -I 'gzip -n' -cf" : "tar --zstd -cf")
        let ours = work + "/ours.\(compression.fileExtension)"
        let theirs = work + "/gnu.\(compression.fileExtension)"
        for _ in 0..<runs {
            sync()
            row.ours.append(try spawnAndMeasure([me, "pack", tree, "pkg", ours, compression.rawValue]))
            sync()
            // `-I 'gzip -n'` is GZIP=-n without gzip's deprecation warning.
            let flags = compression == .gzip ? ["-I", "gzip -n", "-cf", theirs] : ["--zstd", "-cf", theirs]
            row.theirs.append(try spawnAndMeasure([tar] + normalized + flags + ["-C", tree, "pkg"]))
        }
        row.oursSize = fileSize(ours)
        row.theirsSize = fileSize(theirs)
        rows.append(row)
    }
    let variants: [(String, TarballCompression, [String], [String])] = [
        ("extract .tar.gz", .gzip, [], ["-xzf"]),
        ("extract .tar.zst", .zstd, [], ["--zstd", "-xf"]),
        ("extract .tar.gz, stream API", .gzip, ["--stream", "65536"], ["-xzf"]),
    ]
    for (label, compression, ourFlags, tarFlags) in variants {
        var row = Row(label: label, theirsLabel: "tar " + tarFlags.joined(separator: " "))
        let archive = work + "/ours.\(compression.fileExtension)"
        for _ in 0..<runs {
            let ourTarget = work + "/extract-ours"
            let theirTarget = work + "/extract-gnu"
            try remove(ourTarget)
            try remove(theirTarget)
            try FileManager.default.createDirectory(atPath: theirTarget, withIntermediateDirectories: false)
            sync()
            row.ours.append(try spawnAndMeasure([me, "extract", archive, ourTarget] + ourFlags))
            sync()
            row.theirs.append(try spawnAndMeasure([tar] + tarFlags + [archive, "-C", theirTarget]))
        }
        try remove(work + "/extract-ours")
        try remove(work + "/extract-gnu")
        row.oursSize = fileSize(archive)
        row.theirsSize = row.oursSize
        rows.append(row)
    }
    report(rows, runs: runs, megabytes: megabytes, entries: treeFiles, json: json)
}

func report(_ rows: [Row], runs: Int, megabytes: Int, entries: Int, json: String) {
    func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
    func lpad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
    print("\nmedian of \(runs) runs (best in brackets); ratio = GNU tar time / ours (above 1: ours is faster);")
    print("CPU = user+sys including child processes (tar's gzip/zstd); RSS = peak resident set of the process itself")
    print(pad("operation", 28) + pad("GNU tar command", 18) + lpad("ours s", 15) + lpad("tar s", 15) + lpad("ratio", 7)
          + lpad("ours CPU", 10) + lpad("tar CPU", 9) + lpad("ours RSS", 10) + lpad("tar RSS", 9) + lpad("ours MB", 9) + lpad("tar MB", 8))
    var lines = ""
    for row in rows {
        let ours = median(row.ours.map(\.seconds))
        let theirs = median(row.theirs.map(\.seconds))
        let best = { (values: [Measurement]) in String(format: "(%.2f)", values.map(\.seconds).min() ?? 0) }
        print(pad(row.label, 28) + pad(row.theirsLabel, 18)
              + lpad(String(format: "%.2f ", ours) + best(row.ours), 15) + lpad(String(format: "%.2f ", theirs) + best(row.theirs), 15)
              + lpad(String(format: "%.2fx", theirs / ours), 7)
              + lpad(String(format: "%.2f", median(row.ours.map(\.cpuSeconds))), 10)
              + lpad(String(format: "%.2f", median(row.theirs.map(\.cpuSeconds))), 9)
              + lpad(String(format: "%.0f MB", row.ours.map(\.peakRSSMB).max() ?? 0), 10)
              + lpad(String(format: "%.0f MB", row.theirs.map(\.peakRSSMB).max() ?? 0), 9)
              + lpad(String(format: "%.1f", Double(row.oursSize) / 1e6), 9) + lpad(String(format: "%.1f", Double(row.theirsSize) / 1e6), 8))
        let record: [String: Any] = [
            "label": row.label, "theirs": row.theirsLabel, "runs": runs, "tree_mb": megabytes, "entries": entries,
            "ours_median_s": ours, "tar_median_s": theirs, "ours_min_s": row.ours.map(\.seconds).min() ?? 0,
            "tar_min_s": row.theirs.map(\.seconds).min() ?? 0, "ratio_tar_over_ours": theirs / ours,
            "ours_cpu_s": median(row.ours.map(\.cpuSeconds)), "tar_cpu_s": median(row.theirs.map(\.cpuSeconds)),
            "ours_peak_rss_mb": row.ours.map(\.peakRSSMB).max() ?? 0, "tar_peak_rss_mb": row.theirs.map(\.peakRSSMB).max() ?? 0,
            "ours_bytes": row.oursSize, "tar_bytes": row.theirsSize,
        ]
        if let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) {
            lines += String(decoding: data, as: UTF8.self) + "\n"
        }
    }
    try? lines.write(toFile: json, atomically: true, encoding: .utf8)
    print("\nJSON lines: \(json)")
}

// MARK: child commands

func packCommand(_ arguments: [String]) throws {
    guard arguments.count >= 4, let compression = TarballCompression(rawValue: arguments[3]) else {
        throw BenchError(description: "usage: pack BASE MEMBER OUTPUT gzip|zstd [--sync]")
    }
    let writer = TarballWriter(compression: compression, synchronize: arguments.contains("--sync"))
    _ = try writer.pack(directory: arguments[0], members: [arguments[1]], to: arguments[2])
}

func extractCommand(_ arguments: [String]) throws {
    guard arguments.count >= 2 else { throw BenchError(description: "usage: extract ARCHIVE DIRECTORY [--stream CHUNK]") }
    guard let flag = arguments.firstIndex(of: "--stream"), flag + 1 < arguments.count, let chunk = Int(arguments[flag + 1]) else {
        _ = try TarballExtractor().extract(archive: arguments[0], into: arguments[1])
        return
    }
    let stream = try TarballExtractor().stream(into: arguments[1])
    let fd = open(arguments[0], O_RDONLY)
    guard fd >= 0 else { throw BenchError(description: "cannot open \(arguments[0])") }
    defer { close(fd) }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let count = read(fd, buffer.baseAddress!, chunk)
        guard count > 0 else { break }
        try stream.feed(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
    }
    _ = try stream.finish()
}

func option(_ arguments: [String], _ name: String, default value: String) -> String {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
    return arguments[index + 1]
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "pack":
        try packCommand(Array(arguments.dropFirst()))
    case "extract":
        try extractCommand(Array(arguments.dropFirst()))
    case "generate" where arguments.count == 4:
        try generate(root: arguments[1], megabytes: Int(arguments[2]) ?? 500, files: Int(arguments[3]) ?? 50_000)
    case "compare":
        try compare(tree: option(arguments, "--tree", default: ".bench/tarball-tree"),
                    work: option(arguments, "--work", default: ".bench/tarball-work"),
                    json: option(arguments, "--json", default: ".bench/tarballs.jsonl"),
                    megabytes: Int(option(arguments, "--size-mb", default: "500")) ?? 500,
                    files: Int(option(arguments, "--files", default: "50000")) ?? 50_000,
                    runs: Int(option(arguments, "--runs", default: "3")) ?? 3)
    default:
        FileHandle.standardError.write(Data("usage: tarball-bench compare|generate|pack|extract ... (see main.swift)\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("tarball-bench: \(error)\n".utf8))
    exit(1)
}
