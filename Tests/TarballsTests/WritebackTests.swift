import Foundation
import Testing
@testable import Tarballs

struct WritebackTests {
    /// Every regular file of a nested tree is reached (its data synced), and what is not a
    /// regular file is passed over without being opened: a FIFO would block an open for
    /// reading, a symlink could lead out of the tree.
    @Test(.timeLimit(.minutes(5)))
    func walksRegularFilesOnlyAndNeverOpensAFIFOOrFollowsALink() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("writeback-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/a/b/c", withIntermediateDirectories: true)
        for path in ["top.txt", "a/one", "a/b/two", "a/b/c/three"] {
            try Data(path.utf8).write(to: URL(fileURLWithPath: "\(root)/\(path)"))
        }
        #expect(mkfifo("\(root)/a/pipe", 0o600) == 0)
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("writeback-fifo-\(UUID().uuidString)").path
        defer { unlink(outside) }
        #expect(mkfifo(outside, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: "\(root)/a/b/link", withDestinationPath: outside)
        Writeback.wait(tree: root)
        // Nothing changed: the files are as written.
        for path in ["top.txt", "a/one", "a/b/two", "a/b/c/three"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(path)")) == Data(path.utf8))
        }
        // A missing tree, or a file given as the tree, is no error and no hang.
        Writeback.wait(tree: "\(root)/missing")
        Writeback.wait(tree: "\(root)/top.txt")
    }
}
