import Foundation
import Testing
@testable import Tarballs

struct FileTreeTests {
    /// Every entry below the root once, with its relative path and lstat; a directory before its
    /// contents; symlinks reported, not followed (a link to a folder outside is not entered).
    @Test func visitsEveryEntryOnceWithoutFollowingLinks() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("filetree-\(UUID().uuidString)").path
        let outside = root + "-outside"
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: outside)
        }
        try FileManager.default.createDirectory(atPath: "\(root)/a/b", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: "\(outside)/s"))
        try Data("12345".utf8).write(to: URL(fileURLWithPath: "\(root)/a/b/f"))
        try Data().write(to: URL(fileURLWithPath: "\(root)/é name"))
        try FileManager.default.createSymbolicLink(atPath: "\(root)/a/out", withDestinationPath: outside)
        var seen: [String: mode_t] = [:]
        var order: [String] = []
        let code = FileTree.walk(root) { entry in
            #expect(seen[entry.path] == nil, "once: \(entry.path)")
            seen[entry.path] = entry.info.st_mode & S_IFMT
            order.append(entry.path)
            if entry.path == "a/b/f" { #expect(entry.info.st_size == 5) }
        }
        #expect(code == 0)
        #expect(seen == ["a": S_IFDIR, "a/b": S_IFDIR, "a/b/f": S_IFREG, "a/out": S_IFLNK, "é name": S_IFREG])
        #expect(order.firstIndex(of: "a")! < order.firstIndex(of: "a/b")!)
        #expect(order.firstIndex(of: "a/b")! < order.firstIndex(of: "a/b/f")!)
        // A missing root: its errno, nothing visited.
        var visited = 0
        #expect(FileTree.walk("\(root)/missing") { _ in visited += 1 } == ENOENT)
        #expect(visited == 0)
    }

    /// An unreadable folder is reported and the walk goes on with the rest (not as root: root
    /// reads any folder).
    @Test(.enabled(if: geteuid() != 0, "root reads a folder without permissions"))
    func anUnreadableFolderIsReportedAndTheRestIsVisited() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("filetree-\(UUID().uuidString)").path
        defer {
            chmod("\(root)/locked", 0o700)
            try? FileManager.default.removeItem(atPath: root)
        }
        try FileManager.default.createDirectory(atPath: "\(root)/locked", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: "\(root)/z"))
        chmod("\(root)/locked", 0)
        var seen: [String] = []
        let code = FileTree.walk(root) { seen.append($0.path) }
        #expect(code == EACCES)
        #expect(Set(seen) == ["locked", "z"])
    }
}
