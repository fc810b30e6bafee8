import Basics
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations of the updater: whole-file reads, atomic replacement (temporary file in the
/// same directory, fsync, rename, fsync of the directory), streaming hashes.
enum LocalFiles {
    static func errorText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }

    /// The file's bytes; nil when it does not exist or cannot be read.
    static func readFile(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Array(data)
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func makeDirectories(_ path: String) throws(UpdaterError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .io(path: path, reason: "cannot create directory: \(error.localizedDescription)")
        }
    }

    /// A name in `directory` that does not exist yet (not created).
    static func temporaryPath(in directory: String, for name: String) -> String {
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "\(directory)/.\(name).\(random).tmp"
    }

    /// Writes `bytes` to `path` so that readers see the old file or the new one, never a part;
    /// with `synced`, the data and the rename are on the disk before this returns.
    static func writeAtomically(_ bytes: [UInt8], to path: String, synced: Bool = true) throws(UpdaterError) {
        do {
            try AtomicFile.write(bytes, to: path, flush: synced ? AtomicFile.fileSync : nil, syncDirectory: synced)
        } catch {
            throw .io(path: error.path, reason: "\(error.operation) failed: \(error.reason)")
        }
    }

    /// fsync of a directory, so that a rename in it survives a crash (best effort).
    static func syncDirectory(_ path: String) {
        AtomicFile.syncDirectory(path)
    }

    /// rename(2): atomic within one file system.
    static func move(_ source: String, to destination: String) throws(UpdaterError) {
        guard rename(source, destination) == 0 else {
            throw .io(path: destination, reason: "cannot rename \(source) to it: \(errorText())")
        }
    }

    /// Removes `path`; a missing file is not an error.
    static func remove(_ path: String) throws(UpdaterError) {
        if unlink(path) != 0, errno != ENOENT {
            throw .io(path: path, reason: "cannot remove: \(errorText())")
        }
    }

    /// Length and digests of the file at `path` (the algorithms among `algorithms` that are
    /// supported), read in 1 MiB blocks; nil when the file cannot be read or is not regular,
    /// or (with `sync`) when its data cannot be synced to the disk afterwards.
    static func digests(of path: String, algorithms: some Sequence<String>, sync: Bool = false) -> (length: Int64, digests: [String: String])? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        var hasher = MultiHasher(algorithms: algorithms)
        guard FileIO.readChunks(descriptor, { hasher.update($0) }) == 0 else { return nil }
        if sync, fdatasync(descriptor) != 0 { return nil }
        return (hasher.length, hasher.finalize())
    }
}

/// Names as python-tuf writes them into URLs and file names.
enum NameEncoding {
    /// `urllib.parse.quote(name, safe="")`: every byte but ASCII letters, digits and `_.-~`
    /// becomes `%XX`. Used for role names in metadata URLs and local file names.
    static func quote(_ name: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Checks that a target path can be stored under a directory: relative, '/'-separated
    /// components that are neither empty, '.' nor '..', no NUL. Returns the components.
    static func targetComponents(_ path: String) throws(UpdaterError) -> [Substring] {
        guard !path.isEmpty else { throw .invalidTargetPath(path: path, reason: "empty; expected a relative path") }
        guard !path.utf8.contains(0) else { throw .invalidTargetPath(path: path, reason: "contains NUL; expected printable names") }
        guard !path.hasPrefix("/") else { throw .invalidTargetPath(path: path, reason: "absolute; expected a relative path") }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        for component in components {
            guard !component.isEmpty, component != ".", component != ".." else {
                throw .invalidTargetPath(path: path, reason: "component '\(component)'; expected no empty, '.' or '..' components")
            }
        }
        return components
    }
}
