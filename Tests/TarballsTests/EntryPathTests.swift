@testable import Tarballs
import Testing

@Suite struct EntryPathTests {
    static func path(_ text: String, maxLength: Int = 4095) throws(ExtractionRule) -> String {
        try PathRules.entryPath(Array(text.utf8), maxLength: maxLength).description
    }

    static func symlink(_ target: String, at link: String) throws(ExtractionRule) {
        try PathRules.checkSymlinkTarget(Array(target.utf8), link: EntryPath(bytes: Array(link.utf8)), maxLength: 4095)
    }

    @Test(arguments: [
        ("a", "a"), ("a/b/c", "a/b/c"), ("./a/b", "a/b"), ("a//b/", "a/b"), ("a/./b", "a/b"),
        ("dir/", "dir"), ("./", ""), (".", ""), ("..a/b..", "..a/b.."), ("...", "..."), ("café/x", "café/x")
    ])
    func namesAreNormalized(_ raw: String, _ expected: String) throws {
        #expect(try Self.path(raw) == expected)
    }

    @Test(arguments: [
        ("/etc/passwd", ExtractionRule.absolutePath), ("//x", .absolutePath),
        ("../x", .parentComponent), ("a/../../x", .parentComponent), ("a/..", .parentComponent), ("./..", .parentComponent),
        ("", .emptyName)
    ])
    func badNamesAreRefused(_ raw: String, _ rule: ExtractionRule) {
        #expect(throws: rule) { try Self.path(raw) }
    }

    @Test func lengthLimits() {
        #expect(throws: ExtractionRule.nameTooLong(length: 11, limit: 10)) { try Self.path("abcdefghijk", maxLength: 10) }
        #expect(throws: ExtractionRule.componentTooLong(length: 256)) { try Self.path("a/" + String(repeating: "x", count: 256)) }
        #expect(throws: Never.self) { try Self.path("a/" + String(repeating: "x", count: 255)) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: ExtractionRule.invalidEncoding) { try PathRules.entryPath([0x61, 0xFF, 0x62], maxLength: 100) }
    }

    @Test func pathParts() {
        let path = EntryPath(bytes: Array("a/b/c".utf8))
        #expect(path.parent.description == "a/b")
        #expect(String(decoding: path.name, as: UTF8.self) == "c")
        #expect(String(decoding: path.top, as: UTF8.self) == "a")
        #expect(path.ancestors.map(\.description) == ["a", "a/b"])
        #expect(EntryPath(bytes: Array("a".utf8)).parent == .root)
        #expect(EntryPath.root.ancestors.isEmpty)
    }

    @Test(arguments: [("lib/libz.so", "libz.so.1"), ("a/b/up", "../c"), ("a/b/top", "../../x"), ("a/self", "."), ("a/d", "./b/../c")])
    func symlinkTargetsInside(_ link: String, _ target: String) {
        #expect(throws: Never.self) { try Self.symlink(target, at: link) }
    }

    @Test(arguments: [
        ("link", "..", ExtractionRule.symlinkEscapes(target: "..")),
        ("a/link", "../../x", .symlinkEscapes(target: "../../x")),
        ("a/link", "b/../../../x", .symlinkEscapes(target: "b/../../../x")),
        ("a/link", "/etc", .symlinkAbsolute(target: "/etc")),
        ("a/link", "", .symlinkEmpty)
    ])
    func symlinkTargetsOutside(_ link: String, _ target: String, _ rule: ExtractionRule) {
        #expect(throws: rule) { try Self.symlink(target, at: link) }
    }

    @Test func hardlinkTargets() throws {
        #expect(try PathRules.hardlinkTarget(Array("./a/b".utf8), maxLength: 100).description == "a/b")
        #expect(throws: ExtractionRule.hardlinkOutside(target: "/etc/passwd")) {
            try PathRules.hardlinkTarget(Array("/etc/passwd".utf8), maxLength: 100)
        }
        #expect(throws: ExtractionRule.hardlinkOutside(target: "../x")) { try PathRules.hardlinkTarget(Array("../x".utf8), maxLength: 100) }
        #expect(throws: ExtractionRule.hardlinkMissing(target: "./")) { try PathRules.hardlinkTarget(Array("./".utf8), maxLength: 100) }
    }

    /// Kernel-style resolution through other links: lexically inside, physically outside.
    @Test func escapesThroughAnotherSymlink() {
        let links: [String: String] = [
            "a/b/c/z": "../../..", "a/b/c/w": "z/..", "a/ok": "b/c/z/a", "loop1": "loop2", "loop2": "loop1",
            "a/deep": "b/c", "a/deep-up": "deep/../../x"
        ]
        func escapes(_ link: String) -> Bool {
            PathRules.escapes(link: EntryPath(bytes: Array(link.utf8)), target: Array(links[link]!.utf8)) {
                links[$0.description].map { Array($0.utf8) }
            }
        }
        #expect(!escapes("a/b/c/z"))
        #expect(escapes("a/b/c/w"))
        #expect(!escapes("a/ok"))
        #expect(!escapes("loop1"))
        // a/deep -> a/b/c, so deep/../../x is a/x physically: inside.
        #expect(!escapes("a/deep-up"))
    }
}
