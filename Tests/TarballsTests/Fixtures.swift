import CArchive
import Crypto
import Basics
import Foundation
import Testing

/// A fresh directory under the system temporary directory, removed (even when made read-only
/// inside) when the value goes away.
final class TemporaryDirectory {
    let path: String

    init(_ label: String = "tarballs") throws {
        let template = FileManager.default.temporaryDirectory.path + "/\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard bytes.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw Failure("mkdtemp \(template): errno \(errno)")
        }
        path = String(cString: bytes.map { UInt8(bitPattern: $0) })
    }

    deinit {
        _ = try? Shell.run(["/bin/chmod", "-R", "u+rwx", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    func sub(_ name: String) -> String { path + "/" + name }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum Shell {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs a program (absolute path) and waits; the environment is ours plus `environment`.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Runs and requires exit status 0.
    @discardableResult
    static func check(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let output = try run(arguments, environment: environment)
        guard output.status == 0 else {
            throw Failure("\(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr)")
        }
        return output.stdout
    }
}

/// Builds the sample package tree used by the writer, extractor and stream tests.
enum SampleTree {
    static let longName = String(repeating: "long-directory-name-", count: 8) + "end"

    /// `<base>/pkg/...`: files of several modes, an empty and a read-only directory, relative
    /// symlinks, a hard link pair, a name over 100 bytes (pax header), a non-ASCII name, names
    /// whose order differs between plain byte order and per-directory order, and a 300 KB
    /// binary file.
    static func make(in base: String, seed: UInt64 = 1) throws {
        let fm = FileManager.default
        func dir(_ path: String, _ mode: Int16 = 0o755) throws {
            try fm.createDirectory(atPath: base + "/" + path, withIntermediateDirectories: true)
            chmod(base + "/" + path, mode_t(mode))
        }
        func file(_ path: String, _ contents: [UInt8], _ mode: Int16 = 0o644) throws {
            guard fm.createFile(atPath: base + "/" + path, contents: Data(contents)) else { throw Failure("create \(path)") }
            chmod(base + "/" + path, mode_t(mode))
        }
        func makeSymlink(_ path: String, _ target: String) throws {
            try fm.createSymbolicLink(atPath: base + "/" + path, withDestinationPath: target)
        }
        try dir("pkg")
        try dir("pkg/bin")
        try file("pkg/bin/tool", Array("#!/bin/sh\necho tool\n".utf8), 0o755)
        try makeSymlink("pkg/bin/tool-link", "tool")
        try dir("pkg/lib")
        try file("pkg/lib/libz.so.1.3.1", random(300_000, seed: seed))
        try makeSymlink("pkg/lib/libz.so.1", "libz.so.1.3.1")
        try makeSymlink("pkg/lib/libz.so", "libz.so.1")
        try makeSymlink("pkg/lib/bin-link", "../bin")
        try dir("pkg/etc/profile.d")
        try file("pkg/etc/profile.d/init.sh", Array("export PKG_ROOT=/x\n".utf8))
        try dir("pkg/share/empty", 0o700)
        try dir("pkg/share/readonly")
        try file("pkg/share/readonly/file", Array("read only\n".utf8), 0o444)
        chmod(base + "/pkg/share/readonly", 0o555)
        try file("pkg/hard-a", Array("same inode\n".utf8))
        guard link(base + "/pkg/hard-a", base + "/pkg/hard-b") == 0 else { throw Failure("link: errno \(errno)") }
        try dir("pkg/\(longName)")
        try file("pkg/\(longName)/file-with-a-long-path.txt", Array("deep\n".utf8))
        try file("pkg/café.txt", Array("unicode\n".utf8))
        try dir("pkg/a")
        try file("pkg/a/x", Array("a/x\n".utf8))
        try file("pkg/a-b", Array("a-b\n".utf8))
        try file("pkg/a.txt", Array("a.txt\n".utf8))
        try file("pkg/zero", [])
        try file("pkg/private", Array("secret\n".utf8), 0o600)
    }

    /// Deterministic pseudo-random bytes (xorshift).
    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8](repeating: 0, count: count)
        for index in bytes.indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        return bytes
    }
}

/// What a tree looks like, for comparing two trees: per relative path its type, permission
/// bits, size, content digest or link target, and which paths share an inode.
struct TreeSnapshot: Equatable, CustomStringConvertible {
    var entries: [String: String] = [:]
    var hardLinkGroups: Set<[String]> = []

    init(of root: String) throws {
        var inodes: [UInt64: [String]] = [:]
        func visit(_ relative: String) throws {
            let path = relative.isEmpty ? root : root + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { throw Failure("lstat \(path): errno \(errno)") }
            let mode = String(UInt32(info.st_mode) & 0o7777, radix: 8)
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if !relative.isEmpty { entries[relative] = "dir \(mode)" }
                for name in try FileManager.default.contentsOfDirectory(atPath: path).sorted() {
                    try visit(relative.isEmpty ? name : relative + "/" + name)
                }
            case S_IFLNK:
                entries[relative] = "link -> " + (try FileManager.default.destinationOfSymbolicLink(atPath: path))
            case S_IFREG:
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                entries[relative] = "file \(mode) \(data.count) \(SHA256.hash(data: data).description.suffix(16))"
                if info.st_nlink > 1 { inodes[UInt64(info.st_ino), default: []].append(relative) }
            default:
                entries[relative] = "other \(String(UInt32(info.st_mode), radix: 8))"
            }
        }
        try visit("")
        hardLinkGroups = Set(inodes.values.map { $0.sorted() })
    }

    var description: String {
        entries.keys.sorted().map { "\($0): \(entries[$0]!)" }.joined(separator: "\n")
            + "\nhard links: \(hardLinkGroups.map { $0.joined(separator: "=") }.sorted())"
    }
}

/// Hand-made archives through libarchive's writer, for the malicious corpus: any name, type,
/// mode, link, size.
enum RawArchive {
    enum Format { case pax, ustar, gnutar }
    enum Filter { case none, gzip, zstd }

    struct Entry {
        var path: [UInt8]
        var type: UInt32 = CARCHIVE_AE_IFREG
        var mode: UInt32 = 0o644
        var data: [UInt8] = []
        var symlink: String?
        var hardlink: String?

        static func file(_ path: String, _ data: [UInt8] = Array("data\n".utf8), mode: UInt32 = 0o644) -> Entry {
            Entry(path: Array(path.utf8), mode: mode, data: data)
        }
        static func directory(_ path: String, mode: UInt32 = 0o755) -> Entry {
            Entry(path: Array(path.utf8), type: CARCHIVE_AE_IFDIR, mode: mode)
        }
        static func symlink(_ path: String, to target: String) -> Entry {
            Entry(path: Array(path.utf8), type: CARCHIVE_AE_IFLNK, mode: 0o777, symlink: target)
        }
        static func hardlink(_ path: String, to target: String) -> Entry {
            Entry(path: Array(path.utf8), hardlink: target)
        }
        static func special(_ path: String, type: UInt32) -> Entry {
            Entry(path: Array(path.utf8), type: type, mode: 0o644)
        }
    }

    static func bytes(_ entries: [Entry], format: Format = .pax, filter: Filter = .none) throws -> [UInt8] {
        let archive = archive_write_new()!
        defer { archive_write_free(archive) }
        switch format {
        case .pax: archive_write_set_format_pax_restricted(archive)
        case .ustar: archive_write_set_format_ustar(archive)
        case .gnutar: archive_write_set_format_gnutar(archive)
        }
        switch filter {
        case .none: break
        case .gzip: archive_write_add_filter_gzip(archive)
        case .zstd: archive_write_add_filter_zstd(archive)
        }
        archive_write_set_bytes_in_last_block(archive, 1)
        var buffer = [UInt8](repeating: 0, count: 64 << 20)
        var used = 0
        guard archive_write_open_memory(archive, &buffer, buffer.count, &used) == ARCHIVE_OK else {
            throw Failure("open: \(String(cString: archive_error_string(archive)))")
        }
        for item in entries {
            let entry = archive_entry_new()!
            defer { archive_entry_free(entry) }
            item.path.withUnsafeBufferPointer { pointer in
                let cString = Array(pointer) + [0]
                cString.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { archive_entry_copy_pathname(entry, $0.baseAddress) } }
            }
            archive_entry_set_filetype(entry, item.type)
            archive_entry_set_perm(entry, item.mode)
            archive_entry_set_size(entry, item.type == CARCHIVE_AE_IFREG && item.hardlink == nil ? Int64(item.data.count) : 0)
            if let symlink = item.symlink { archive_entry_copy_symlink(entry, symlink) }
            if let hardlink = item.hardlink { archive_entry_copy_hardlink(entry, hardlink) }
            if item.type == CARCHIVE_AE_IFCHR || item.type == CARCHIVE_AE_IFBLK { archive_entry_set_rdev(entry, 0x0103) }
            let status = archive_write_header(archive, entry)
            guard status >= ARCHIVE_WARN else { throw Failure("header: \(String(cString: archive_error_string(archive)))") }
            if !item.data.isEmpty, archive_entry_size(entry) > 0 {
                _ = item.data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
            }
        }
        guard archive_write_close(archive) == ARCHIVE_OK else {
            throw Failure("close: \(String(cString: archive_error_string(archive)))")
        }
        return Array(buffer.prefix(used))
    }

    static func write(_ entries: [Entry], to path: String, format: Format = .pax, filter: Filter = .none) throws {
        let data = try bytes(entries, format: format, filter: filter)
        guard FileManager.default.createFile(atPath: path, contents: Data(data)) else { throw Failure("write \(path)") }
    }
}

/// Writes a file (replacing it), or throws.
func writeFile(_ path: String, _ contents: Data) throws {
    guard FileManager.default.createFile(atPath: path, contents: contents) else { throw Failure("cannot write \(path)") }
}

/// The names in a directory, sorted (empty when it does not exist).
func listing(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}
