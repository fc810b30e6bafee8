import CArchive
import Foundation
import Tarballs
import Testing

/// The traversal corpus: hand-made malicious archives, each refused with an error naming the
/// entry and the rule, the target left empty, and the sentinel beside it untouched.
@Suite struct ExtractionSessionTests {
    typealias Entry = RawArchive.Entry

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// Built lazily: Entry holds C constants and is cheap.
        let entries: @Sendable (_ sentinel: String) -> [Entry]
        let expected: TarballError
        var format: RawArchive.Format = .pax
        var limits = TarballExtractor.Limits()
        var testDescription: String { name }
    }

    static let ok = Entry.file("ok.txt")

    static let cases: [Case] = [
        Case(
            name: "absolute path", entries: { _ in [ok, .file("/tmp/alien-pwned")] },
            expected: .refused(entry: "/tmp/alien-pwned", rule: .absolutePath)),
        Case(name: "../x", entries: { _ in [ok, .file("../x")] }, expected: .refused(entry: "../x", rule: .parentComponent)),
        Case(
            name: "a/../../x", entries: { _ in [ok, .directory("a"), .file("a/../../x")] },
            expected: .refused(entry: "a/../../x", rule: .parentComponent)),
        Case(
            name: "symlink then a file through it", entries: { _ in [ok, .symlink("link", to: "."), .file("link/x")] },
            expected: .refused(entry: "link/x", rule: .throughSymlink(link: "link"))),
        Case(
            name: "symlink then a directory through it", entries: { _ in [.directory("d"), .symlink("d/l", to: ".."), .directory("d/l/e")] },
            expected: .refused(entry: "d/l/e/", rule: .throughSymlink(link: "d/l"))),
        Case(
            name: "escaping symlink then a file through it",
            entries: { _ in [ok, .symlink("escape", to: "../sentinel"), .file("escape/pwned")] },
            expected: .refused(entry: "escape", rule: .symlinkEscapes(target: "../sentinel"))),
        Case(
            name: "symlink to /etc", entries: { _ in [ok, .symlink("etc", to: "/etc")] },
            expected: .refused(entry: "etc", rule: .symlinkAbsolute(target: "/etc"))),
        Case(
            name: "symlink to the sentinel by absolute path", entries: { sentinel in [ok, .symlink("s", to: sentinel)] },
            expected: .refused(entry: "s", rule: .symlinkAbsolute(target: "SENTINEL"))),
        Case(
            name: "symlink ../../x", entries: { _ in [ok, .directory("a"), .symlink("a/up", to: "../../x")] },
            expected: .refused(entry: "a/up", rule: .symlinkEscapes(target: "../../x"))),
        Case(
            name: "symlink climbing through another symlink",
            entries: { _ in [ok, .directory("a/b/c"), .symlink("a/b/c/z", to: "../../.."), .symlink("a/b/c/w", to: "z/..")] },
            expected: .refused(entry: "a/b/c/w", rule: .symlinkEscapes(target: "z/.."))),
        Case(
            name: "symlink made before the link it climbs through",
            entries: { _ in [ok, .directory("a/b/c"), .symlink("a/b/c/w", to: "z/.."), .symlink("a/b/c/z", to: "../../..")] },
            expected: .refused(entry: "a/b/c/w", rule: .symlinkEscapes(target: "z/.."))),
        Case(
            name: "hard link out", entries: { _ in [ok, .hardlink("h", to: "../sentinel/file")] },
            expected: .refused(entry: "h", rule: .hardlinkOutside(target: "../sentinel/file"))),
        Case(
            name: "hard link to an absolute path", entries: { _ in [ok, .hardlink("h", to: "/etc/passwd")] },
            expected: .refused(entry: "h", rule: .hardlinkOutside(target: "/etc/passwd"))),
        Case(
            name: "hard link to a missing entry", entries: { _ in [ok, .hardlink("h", to: "nothing")] },
            expected: .refused(entry: "h", rule: .hardlinkMissing(target: "nothing"))),
        Case(
            name: "hard link to a later entry", entries: { _ in [ok, .hardlink("h", to: "later"), .file("later")] },
            expected: .refused(entry: "h", rule: .hardlinkMissing(target: "later"))),
        Case(
            name: "hard link to a directory", entries: { _ in [ok, .directory("d"), .hardlink("h", to: "d")] },
            expected: .refused(entry: "h", rule: .hardlinkMissing(target: "d"))),
        Case(
            name: "hard link through a symlink", entries: { _ in [ok, .symlink("l", to: "."), .hardlink("h", to: "l/ok.txt")] },
            expected: .refused(entry: "h", rule: .hardlinkMissing(target: "l/ok.txt"))),
        Case(
            name: "character device", entries: { _ in [ok, .special("tty", type: CARCHIVE_AE_IFCHR)] },
            expected: .refused(entry: "tty", rule: .specialFile(type: "character device"))),
        Case(
            name: "block device", entries: { _ in [ok, .special("sda", type: CARCHIVE_AE_IFBLK)] },
            expected: .refused(entry: "sda", rule: .specialFile(type: "block device"))),
        Case(
            name: "FIFO", entries: { _ in [ok, .special("fifo", type: CARCHIVE_AE_IFIFO)] },
            expected: .refused(entry: "fifo", rule: .specialFile(type: "FIFO"))),
        Case(
            name: "setuid file", entries: { _ in [ok, .file("su", mode: 0o4755)] },
            expected: .refused(entry: "su", rule: .specialModeBits(mode: 0o4755))),
        Case(
            name: "setgid directory", entries: { _ in [ok, .directory("sg", mode: 0o2755)] },
            expected: .refused(entry: "sg/", rule: .specialModeBits(mode: 0o2755))),
        Case(
            name: "sticky directory", entries: { _ in [ok, .directory("tmp", mode: 0o1777)] },
            expected: .refused(entry: "tmp/", rule: .specialModeBits(mode: 0o1777))),
        Case(
            name: "very long name", entries: { _ in [ok, .file(String(repeating: "a/", count: 2100) + "x")] },
            expected: .refused(entry: String(repeating: "a/", count: 2100) + "x", rule: .nameTooLong(length: 4201, limit: 4095))),
        Case(
            name: "component over 255 bytes", entries: { _ in [ok, .file("d/" + String(repeating: "n", count: 300))] },
            expected: .refused(entry: "d/" + String(repeating: "n", count: 300), rule: .componentTooLong(length: 300))),
        Case(
            name: "name not UTF-8", entries: { _ in [ok, Entry(path: [0x62, 0xFF, 0x62], data: [1])] },
            expected: .refused(entry: "b\u{FFFD}b", rule: .invalidEncoding), format: .ustar),
        Case(
            name: "duplicate file", entries: { _ in [ok, .file("ok.txt", Array("overwrite\n".utf8))] },
            expected: .refused(entry: "ok.txt", rule: .duplicate)),
        Case(
            name: "directory then file of the same name", entries: { _ in [ok, .directory("d"), .file("d")] },
            expected: .refused(entry: "d", rule: .duplicate)),
        Case(
            name: "file used as a directory", entries: { _ in [ok, .file("f/x")] + [.file("f/x/y")] },
            expected: .refused(entry: "f/x/y", rule: .parentNotDirectory(parent: "f/x"))),
        Case(
            name: "entry over the size cap", entries: { _ in [ok, .file("big", [UInt8](repeating: 7, count: 5000))] },
            expected: .refused(entry: "big", rule: .entryTooLarge(size: 5000, limit: 4096)),
            limits: .init(maxEntryBytes: 4096)),
        Case(
            name: "total over the cap", entries: { _ in [ok] + (1...5).map { .file("f\($0)", [UInt8](repeating: 1, count: 900)) } },
            expected: .refused(entry: "f4", rule: .totalTooLarge(limit: 3000)), limits: .init(maxTotalBytes: 3000)),
        Case(
            name: "too many entries", entries: { _ in [ok] + (1...20).map { .file("f\($0)") } },
            expected: .refused(entry: "f10", rule: .tooManyEntries(limit: 10)), limits: .init(maxEntries: 10)),
        Case(
            name: "implied parents count as entries", entries: { _ in [ok, .file("a/b/c/d/e/f/g/h/i/j/k")] },
            expected: .refused(entry: "a/b/c/d/e/f/g/h/i/j/k", rule: .tooManyEntries(limit: 5)), limits: .init(maxEntries: 5))
    ]

    /// A work directory holding `target/` (where extraction goes), `sentinel/file` beside it,
    /// and the archive.
    final class Scene {
        let work: TemporaryDirectory
        var target: String { work.sub("target") }
        var sentinel: String { work.sub("sentinel") }
        var archive: String { work.sub("archive.tar") }

        init() throws {
            work = try TemporaryDirectory("corpus")
            try FileManager.default.createDirectory(atPath: work.sub("sentinel"), withIntermediateDirectories: false)
            try writeFile(work.sub("sentinel/file"), Data("sentinel\n".utf8))
        }

        /// The target is empty, the sentinel and the work directory are as they were.
        func expectUntouched(sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(listing(target).isEmpty, "target holds \(listing(target))", sourceLocation: sourceLocation)
            #expect(listing(work.path) == ["archive.tar", "sentinel", "target"], sourceLocation: sourceLocation)
            #expect(listing(sentinel) == ["file"], sourceLocation: sourceLocation)
            let contents = try String(contentsOfFile: sentinel + "/file", encoding: .utf8)
            #expect(contents == "sentinel\n", sourceLocation: sourceLocation)
            var info = stat()
            #expect(lstat(sentinel + "/file", &info) == 0 && info.st_nlink == 1, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: cases)
    func refused(_ item: Case) throws {
        let scene = try Scene()
        try RawArchive.write(item.entries(scene.sentinel), to: scene.archive, format: item.format)
        var expected = item.expected
        if case .refused(let entry, .symlinkAbsolute("SENTINEL")) = expected {
            expected = .refused(entry: entry, rule: .symlinkAbsolute(target: scene.sentinel))
        }
        #expect(throws: expected) {
            try TarballExtractor(limits: item.limits).extract(archive: scene.archive, into: scene.target)
        }
        if case let .refused(entry, rule) = expected {
            let message = expected.description
            #expect(message.hasPrefix("entry \"\(entry)\": refused: "))
            #expect(message.hasSuffix(rule.description))
        }
        try scene.expectUntouched()
    }

    @Test(arguments: [RawArchive.Filter.gzip, .zstd, .none])
    func truncatedArchive(_ filter: RawArchive.Filter) throws {
        let scene = try Scene()
        let big = SampleTree.random(200_000, seed: 3)
        let bytes = try RawArchive.bytes([Self.ok, .file("big.bin", big), .file("after")], filter: filter)
        let cut = filter == .none ? 100_000 : bytes.count * 2 / 3
        try writeFile(scene.archive, Data(bytes.prefix(cut)))
        #expect {
            try TarballExtractor().extract(archive: scene.archive, into: scene.target)
        } throws: { error in
            guard let error = error as? TarballError, case let .malformed(source, entry, _) = error else { return false }
            return source == scene.archive && entry == "big.bin" && error.description.contains("entry \"big.bin\"")
        }
        try scene.expectUntouched()
    }

    @Test(arguments: [0, 1, 100, 512, 4096, 100_000])
    func garbageBytes(_ count: Int) throws {
        let scene = try Scene()
        try writeFile(scene.archive, Data(SampleTree.random(count, seed: UInt64(count) + 9)))
        #expect {
            try TarballExtractor().extract(archive: scene.archive, into: scene.target)
        } throws: { error in
            guard let error = error as? TarballError, case let .malformed(source, _, detail) = error else { return false }
            return source == scene.archive && !detail.isEmpty
        }
        try scene.expectUntouched()
    }

    @Test func gzipGarbageAfterAValidHeader() throws {
        let scene = try Scene()
        let valid = try RawArchive.bytes([Self.ok, .file("x", SampleTree.random(50_000, seed: 4))], filter: .gzip)
        let corrupt = Array(valid.prefix(40)) + SampleTree.random(valid.count - 40, seed: 5)
        try writeFile(scene.archive, Data(corrupt))
        #expect(throws: TarballError.self) { try TarballExtractor().extract(archive: scene.archive, into: scene.target) }
        try scene.expectUntouched()
    }

    /// The refusals happen before anything is written for the entry, but entries before it
    /// were written: all of them are removed, read-only directories included.
    @Test func cleanupRemovesReadOnlyDirectoriesAndLinks() throws {
        let scene = try Scene()
        try RawArchive.write(
            [
                .directory("ro", mode: 0o555), .file("ro/file", mode: 0o444), .directory("ro/inner", mode: 0o500),
                .symlink("ro-link", to: "ro"), .file("x"), .hardlink("y", to: "x"), .file("ro-link/bad")
            ], to: scene.archive)
        #expect(throws: TarballError.refused(entry: "ro-link/bad", rule: .throughSymlink(link: "ro-link"))) {
            try TarballExtractor().extract(archive: scene.archive, into: scene.target)
        }
        try scene.expectUntouched()
    }

    @Test func targetMustBeEmpty() throws {
        let scene = try Scene()
        try RawArchive.write([Self.ok], to: scene.archive)
        try FileManager.default.createDirectory(atPath: scene.target, withIntermediateDirectories: false)
        try writeFile(scene.target + "/old", Data())
        #expect(throws: TarballError.badDestination(path: scene.target, reason: "not empty (holds old)")) {
            try TarballExtractor().extract(archive: scene.archive, into: scene.target)
        }
        #expect(listing(scene.target) == ["old"])
    }

    @Test func targetParentMustExist() throws {
        let scene = try Scene()
        try RawArchive.write([Self.ok], to: scene.archive)
        #expect {
            try TarballExtractor().extract(archive: scene.archive, into: scene.work.sub("missing/target"))
        } throws: { error in
            guard let error = error as? TarballError, case .badDestination = error else { return false }
            return error.description.contains("No such file or directory")
        }
    }

    @Test func missingArchiveFile() throws {
        let scene = try Scene()
        #expect {
            try TarballExtractor().extract(archive: scene.work.sub("nothing.tar.gz"), into: scene.target)
        } throws: { error in
            guard let error = error as? TarballError, case .malformed(scene.work.sub("nothing.tar.gz"), nil, _) = error else { return false }
            return true
        }
        #expect(listing(scene.target).isEmpty)
    }

    /// What the rules allow: `./` names, implied parents, links inside, directories declared
    /// after their contents, modes applied exactly.
    @Test func acceptedShapes() throws {
        let scene = try Scene()
        try RawArchive.write(
            [
                .directory("./"), .file("./a/b/c.txt", mode: 0o640), .directory("a", mode: 0o750), .symlink("a/b/up", to: "../../a"),
                .symlink("a/dangling", to: "nowhere/inside"), .hardlink("a/b/hard", to: "./a/b/c.txt"), .directory("empty", mode: 0o700),
                .symlink("top", to: "a/b/up/b")
            ], to: scene.archive)
        let summary = try TarballExtractor().extract(archive: scene.archive, into: scene.target)
        #expect(summary.regularFiles == 1 && summary.hardLinks == 1 && summary.symlinks == 3 && summary.directories == 3)
        #expect(summary.bytes == 5)
        #expect(summary.topLevel == ["a", "empty", "top"])
        let snapshot = try TreeSnapshot(of: scene.target)
        #expect(snapshot.entries["a"] == "dir 750")
        #expect(snapshot.entries["a/b"] == "dir 755")
        #expect(snapshot.entries["a/b/c.txt"]?.hasPrefix("file 640 5 ") == true)
        #expect(snapshot.entries["a/b/up"] == "link -> ../../a")
        #expect(snapshot.hardLinkGroups == [["a/b/c.txt", "a/b/hard"]])
    }

    @Test func emptyArchive() throws {
        let scene = try Scene()
        try RawArchive.write([], to: scene.archive)
        #expect(try TarballExtractor().extract(archive: scene.archive, into: scene.target) == ExtractionSummary())
    }
}
