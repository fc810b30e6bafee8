import Foundation
import Tarballs
import Testing

/// Relocation trusts nothing the package names: entries of `.original-unrelocated` that leave
/// the package, go through a symlink or name anything but a regular file are refused with
/// their line, before any file is rewritten; rewritten files are new files (a hard link to a
/// host file is never written through).
@Suite struct PackageRelocationConfinementTests {
    static let hash = "0123456789abcdef0123456789abcdef01234567"
    static let packagePath = "slc9_x86-64/zlib/v1.3.1-2"

    /// A package directory with a relocatable `bin/tool` and the given list.
    static func package(list: String) throws -> URL {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("confined-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: base.appendingPathComponent("share"), withIntermediateDirectories: true)
        try "root=/build/INSTALLROOT/\(hash)/\(packagePath)\n".write(to: base.appendingPathComponent("bin/tool"), atomically: false, encoding: .utf8)
        chmod(base.appendingPathComponent("bin/tool").path, 0o755)
        try list.write(to: base.appendingPathComponent(".original-unrelocated"), atomically: false, encoding: .utf8)
        return base
    }

    static func refusal(_ list: String, prepare: (URL) throws -> Void = { _ in }) throws -> (String, String) {
        let base = try package(list: list)
        defer { try? FileManager.default.removeItem(at: base) }
        try prepare(base)
        do {
            try PackageRelocation.relocate(base, to: "/area/\(packagePath)", packagePath: packagePath, hash: hash, revision: "2")
        } catch {
            let tool = try String(contentsOf: base.appendingPathComponent("bin/tool"), encoding: .utf8)
            return (error.description, tool)
        }
        return ("", "")
    }

    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let (message, tool) = try Self.refusal("bin/tool\nshare/pipe\n") { base in
            #expect(mkfifo(base.appendingPathComponent("share/pipe").path, 0o644) == 0)
        }
        #expect(message == ".original-unrelocated:2: entry \"share/pipe\" refused: a FIFO, not a regular file")
        // Checked before anything is written: the first entry was not relocated either.
        #expect(tool.contains("/build/INSTALLROOT/"))
    }

    @Test(arguments: [
        ("../outside", "a '..' component (must stay inside the package)"),
        ("bin/../../outside", "a '..' component (must stay inside the package)"),
        ("/etc/passwd", "an absolute path (must stay inside the package)"),
        ("share/missing", "no such file"),
        ("bin/tool/x", "\"tool\" is not a directory")
    ])
    func entriesLeavingThePackageAreRefused(entry: String, reason: String) throws {
        let (message, tool) = try Self.refusal("bin/tool\n\(entry)\n")
        #expect(message == ".original-unrelocated:2: entry \"\(entry)\" refused: \(reason)")
        #expect(tool.contains("/build/INSTALLROOT/"))
    }

    @Test func aSymlinkedListIsRefused() throws {
        let (message, _) = try Self.refusal("") { base in
            let list = base.appendingPathComponent(".original-unrelocated")
            try FileManager.default.removeItem(at: list)
            try FileManager.default.createSymbolicLink(atPath: list.path, withDestinationPath: "/etc/hostname")
        }
        #expect(message == ".original-unrelocated:0: entry \".original-unrelocated\" refused: a symlink, not a regular file")
    }

    @Test func anUnrelocatedCopyThatIsALinkIsRefused() throws {
        let (message, _) = try Self.refusal("bin/tool\n") { base in
            try FileManager.default.createSymbolicLink(atPath: base.appendingPathComponent("bin/tool.unrelocated").path, withDestinationPath: "/etc/hostname")
        }
        #expect(message == ".original-unrelocated:1: entry \"bin/tool\" refused: its .unrelocated copy: a symlink, not a regular file")
    }

    @Test func aRewrittenFileIsANewFileAndAHardLinkOutsideIsUntouched() throws {
        let base = try Self.package(list: "bin/tool\n")
        defer { try? FileManager.default.removeItem(at: base) }
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("confined-outside-\(UUID().uuidString)").path
        defer { unlink(outside) }
        #expect(link(base.appendingPathComponent("bin/tool").path, outside) == 0)
        let rewritten = try PackageRelocation.relocate(base, to: "/area/\(Self.packagePath)", packagePath: Self.packagePath, hash: Self.hash, revision: "2")
        #expect(rewritten == ["bin/tool"])
        #expect(try String(contentsOf: base.appendingPathComponent("bin/tool"), encoding: .utf8) == "root=/area/\(Self.packagePath)\n")
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "root=/build/INSTALLROOT/\(Self.hash)/\(Self.packagePath)\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: base.appendingPathComponent("bin/tool").path)
        #expect(attributes[.posixPermissions] as? Int == 0o755)
        #expect((attributes[.referenceCount] as? Int) == 1)
    }
}
