@testable import Builder
import Basics
import Foundation
import Testing

@Suite struct RelocationTests {
    static let hash = "0123456789abcdef0123456789abcdef01234567"
    static let packagePath = "slc9_x86-64/greet/1.0-1"

    /// Our byte rewriting against GNU sed running aliBuild's expression, on generated text.
    @Test func rewriteAgreesWithSed() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "/work/INSTALLROOT/\(Self.hash)/\(Self.packagePath)", "INSTALLROOT/\(Self.hash)/\(Self.packagePath)",
            "/a/b", "x", " ", ";", ":", "/", "-I", "=", "lib", "\"", "@@PKGREVISION@\(Self.hash)@@", "\t"
        ]
        var lines: [String] = []
        for _ in 0..<300 {
            lines.append((0..<Int.random(in: 1...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        let text = lines.joined(separator: "\n") + "\n"
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-\(UUID().uuidString)")
        try text.write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "sed", "-e", "s|/[^ ;:]*INSTALLROOT/\(Self.hash)/\(Self.packagePath)|/new/work/\(Self.packagePath)|g; s|[@][@]PKGREVISION[@]\(Self.hash)[@][@]|7|g",
            input.path
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.start()
        let expected = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var bytes = Relocation.rewritePrefix(
            Array(text.utf8), marker: Array("INSTALLROOT/\(Self.hash)/\(Self.packagePath)".utf8),
            replacement: Array("/new/work/\(Self.packagePath)".utf8))
        bytes = Relocation.replaceAll(bytes, Array("@@PKGREVISION@\(Self.hash)@@".utf8), with: Array("7".utf8))
        let ours = String(decoding: bytes, as: UTF8.self), theirs = String(decoding: expected, as: UTF8.self)
        for (mine, sed) in zip(ours.split(separator: "\n", omittingEmptySubsequences: false), theirs.split(separator: "\n", omittingEmptySubsequences: false)) {
            #expect(mine == sed)
        }
        #expect(ours == theirs)
    }

    @Test func prepareListsTextFilesAndRelocateRewritesThem() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-work-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let installRoot = work.appendingPathComponent("INSTALLROOT/\(Self.hash)")
        let package = installRoot.appendingPathComponent(Self.packagePath)
        try FileManager.default.createDirectory(at: package.appendingPathComponent("bin"), withIntermediateDirectories: true)
        let script = package.appendingPathComponent("bin/run")
        try "#!/bin/sh\nexec \(package.path)/bin/tool --rev @@PKGREVISION@\(Self.hash)@@\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        try Data([0x7F, 0x45, 0x00] + Array(package.path.utf8)).write(to: package.appendingPathComponent("bin/binary"))
        try "nothing to see\n".write(to: package.appendingPathComponent("plain.txt"), atomically: true, encoding: .utf8)

        try Relocation.prepare(installDir: package, packagePath: Self.packagePath, hash: Self.hash, revision: "3")
        let listed = try String(contentsOf: package.appendingPathComponent(".original-unrelocated"), encoding: .utf8)
        #expect(listed == "bin/run\n", "binary files (with NUL bytes) and untouched files are not listed")
        #expect(FileManager.default.fileExists(atPath: package.appendingPathComponent("bin/run.unrelocated").path))

        // Relocate where it lies for its final place in the work dir, then move it there.
        let final = work.appendingPathComponent(Self.packagePath)
        try Relocation.relocate(package, to: final.path, packagePath: Self.packagePath, hash: Self.hash, revision: "3")
        try FileManager.default.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: package, to: final)
        let relocated = try String(contentsOf: final.appendingPathComponent("bin/run"), encoding: .utf8)
        #expect(relocated == "#!/bin/sh\nexec \(work.path)/\(Self.packagePath)/bin/tool --rev 3\n")
        let mode = try FileManager.default.attributesOfItem(atPath: final.appendingPathComponent("bin/run").path)[.posixPermissions] as? Int
        #expect(mode == 0o755)
    }
}
