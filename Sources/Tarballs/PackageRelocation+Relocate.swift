import Basics
// CArchive: its headers bring `struct stat` into this module first, so its members are looked up there.
import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation

extension PackageRelocation {
    /// Bytes of one file relocation reads into memory (relocated files are text: scripts, `.pc`,
    /// `-config`, cmake files).
    public static let maxRelocatedFileBytes = 256 << 20

    /// Rewrites the files listed in `.original-unrelocated` of the package in `directory` so
    /// that they point at `prefix` (aliBuild's relocate-me.sh with `$WORK_DIR/$PP` = `prefix`).
    /// The package may still sit in a staging directory: it is relocated for the place it is
    /// about to be renamed to. Returns the files rewritten (paths relative to `directory`).
    ///
    /// Nothing the package says is trusted beyond its own directory: the list and every file
    /// it names are reached with `openat` below a descriptor of `directory`, one component at a
    /// time with `O_NOFOLLOW`. An entry that is absolute, has a `..` component, goes through a
    /// symlink, or is anything but a regular file (its `.unrelocated` copy too) is refused with
    /// its line, before anything is written. A file is rewritten into a new file beside it
    /// (`O_CREAT | O_EXCL`, its mode without group/other write) renamed over the old name, so no
    /// existing file is ever opened for writing.
    @discardableResult
    public static func relocate(
        _ directory: URL, to prefix: String, packagePath: String, hash: String,
        revision: String
    ) throws(RelocationError) -> [String] {
        let root = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw .io(path: directory.path, reason: "cannot open the package directory: \(POSIX.lastError)") }
        defer { close(root) }
        let listName = ".original-unrelocated"
        let listBytes: [UInt8]
        switch ConfinedFiles.read(root, name: listName, limit: 16 << 20) {
        case let .success(bytes): listBytes = bytes
        case .failure(.missing): return []
        case let .failure(refusal): throw .refusedEntry(list: listName, line: 0, entry: listName, reason: refusal.description)
        }
        // Every entry is checked before the first file is rewritten.
        var entries: [(line: Int, text: String, components: [String])] = []
        for (index, line) in listBytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let text = String(decoding: line, as: UTF8.self)
            do throws(ConfinedFiles.Refusal) {
                entries.append((index + 1, text, try ConfinedFiles.components(of: Array(line))))
            } catch {
                throw .refusedEntry(list: listName, line: index + 1, entry: text, reason: error.description)
            }
        }
        let oldPrefix = Array("INSTALLROOT/\(hash)/\(packagePath)".utf8)
        let newPrefix = Array(prefix.utf8)
        let revisionMarker = Array("@@PKGREVISION@\(hash)@@".utf8)
        var planned: [(parent: Int32, name: String, mode: mode_t, bytes: [UInt8], entry: String)] = []
        defer { for item in planned { close(item.parent) } }
        for entry in entries {
            let parent: Int32
            switch ConfinedFiles.openParent(root, components: entry.components) {
            case let .success(fd): parent = fd
            case let .failure(refusal): throw .refusedEntry(list: listName, line: entry.line, entry: entry.text, reason: refusal.description)
            }
            let name = entry.components[entry.components.count - 1]
            let target: (bytes: [UInt8], mode: mode_t)
            let original: [UInt8]
            do throws(ConfinedFiles.Refusal) {
                target = try ConfinedFiles.readRegular(parent, name: name, limit: maxRelocatedFileBytes).get()
                switch ConfinedFiles.readRegular(parent, name: name + ".unrelocated", limit: maxRelocatedFileBytes) {
                case let .success(copy): original = copy.bytes
                case .failure(.missing): original = target.bytes
                case let .failure(refusal): throw refusal.about(".unrelocated copy")
                }
            } catch {
                close(parent)
                throw .refusedEntry(list: listName, line: entry.line, entry: entry.text, reason: error.description)
            }
            var bytes = rewritePrefix(original, marker: oldPrefix, replacement: newPrefix)
            bytes = replaceAll(bytes, revisionMarker, with: Array(revision.utf8))
            planned.append((parent, name, target.mode & 0o755, bytes, entry.text))
        }
        for item in planned {
            if let reason = ConfinedFiles.replace(item.parent, name: item.name, with: item.bytes, mode: item.mode) {
                throw .rewrite(path: directory.path + "/" + item.entry, reason: reason)
            }
        }
        return planned.map(\.entry)
    }
}

/// Files of an unpacked package reached below a directory descriptor, never following a
/// symlink and never leaving the directory.
enum ConfinedFiles {
    enum Refusal: Error, Equatable, CustomStringConvertible {
        case missing
        case empty
        case absolute
        case parentComponent
        case notUTF8
        case symlink(component: String)
        case notDirectory(component: String)
        case notRegular(kind: String)
        case tooLarge(limit: Int)
        case failed(String)
        indirect case about(String, Refusal)

        var description: String {
            switch self {
            case .missing: "no such file"
            case .empty: "an empty path"
            case .absolute: "an absolute path (must stay inside the package)"
            case .parentComponent: "a '..' component (must stay inside the package)"
            case .notUTF8: "the path is not UTF-8"
            case let .symlink(component): "goes through the symlink \"\(component)\" (links are not followed)"
            case let .notDirectory(component): "\"\(component)\" is not a directory"
            case let .notRegular(kind): "a \(kind), not a regular file"
            case let .tooLarge(limit): "larger than \(limit) bytes"
            case let .failed(reason): reason
            case let .about(what, refusal): "its \(what): \(refusal)"
            }
        }

        func about(_ what: String) -> Refusal { .about(what, self) }
    }

    /// A relative path's components: `.` and empty components dropped; absolute paths, `..` and
    /// non-UTF-8 names refused.
    static func components(of path: [UInt8]) throws(Refusal) -> [String] {
        guard !path.isEmpty else { throw .empty }
        guard path[0] != UInt8(ascii: "/") else { throw .absolute }
        guard let text = String(validating: path, as: UTF8.self), !text.contains("\0") else { throw .notUTF8 }
        var result: [String] = []
        for part in text.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            guard part != ".." else { throw .parentComponent }
            result.append(String(part))
        }
        guard !result.isEmpty else { throw .empty }
        return result
    }

    /// A new descriptor of the directory holding the last component (the caller closes it).
    static func openParent(_ root: Int32, components: [String]) -> Result<Int32, Refusal> {
        var fd = dup(root)
        guard fd >= 0 else { return .failure(.failed(POSIX.lastError)) }
        for component in components.dropLast() {
            var info = stat()
            if fstatat(fd, component, &info, AT_SYMLINK_NOFOLLOW) != 0 {
                let code = errno
                close(fd)
                return .failure(code == ENOENT ? .missing : .failed("\(component): \(POSIX.describe(code))"))
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: break
            case S_IFLNK:
                close(fd)
                return .failure(.symlink(component: component))
            default:
                close(fd)
                return .failure(.notDirectory(component: component))
            }
            let next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let code = errno
            close(fd)
            // Swapped for a link between the check and the open: O_NOFOLLOW refuses it.
            guard next >= 0 else { return .failure(code == ELOOP ? .symlink(component: component) : .failed("\(component): \(POSIX.describe(code))")) }
            fd = next
        }
        return .success(fd)
    }

    /// The bytes and mode of the regular file `name` in directory `parent`.
    static func readRegular(_ parent: Int32, name: String, limit: Int) -> Result<(bytes: [UInt8], mode: mode_t), Refusal> {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused after fstat.
        let fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return .failure(.missing) }
            if code == ELOOP { return .failure(.notRegular(kind: "symlink")) }
            return .failure(.failed(POSIX.describe(code)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.failed(POSIX.lastError)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(.notRegular(kind: kindName(info.st_mode))) }
        guard info.st_size <= limit else { return .failure(.tooLarge(limit: limit)) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        let done = bytes.withUnsafeMutableBytes { FileIO.readFull(fd, into: $0) }
        guard done >= 0 else { return .failure(.failed(POSIX.lastError)) }
        if done < bytes.count { bytes.removeSubrange(done...) }
        return .success((bytes, info.st_mode & 0o7777))
    }

    /// `readRegular` for a name directly in `root`.
    static func read(_ root: Int32, name: String, limit: Int) -> Result<[UInt8], Refusal> {
        readRegular(root, name: name, limit: limit).map(\.bytes)
    }

    /// Writes `bytes` to a new file beside `name` and renames it over `name`; nil or the reason.
    static func replace(_ parent: Int32, name: String, with bytes: [UInt8], mode: mode_t) -> String? {
        let temporary = ".\(name).relocating-\(UInt32.random(in: 0...UInt32.max))"
        let fd = openat(parent, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return "cannot create \(temporary): \(POSIX.lastError)" }
        let code = bytes.withUnsafeBytes { POSIX.writeAll(fd, $0) }
        if code != 0 || fchmod(fd, mode) != 0 {
            let reason = POSIX.describe(code != 0 ? code : errno)
            close(fd)
            unlinkat(parent, temporary, 0)
            return "cannot write: \(reason)"
        }
        close(fd)
        guard renameat(parent, temporary, parent, name) == 0 else {
            let reason = POSIX.lastError
            unlinkat(parent, temporary, 0)
            return "cannot rename into place: \(reason)"
        }
        return nil
    }

    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "directory"
        case S_IFLNK: "symlink"
        case S_IFIFO: "FIFO"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "special file"
        }
    }
}
