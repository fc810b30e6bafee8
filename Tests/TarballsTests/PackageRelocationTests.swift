import Foundation
import Tarballs
import Testing

/// `PackageRelocation` as the software area uses it: a package unpacked in a stage directory,
/// relocated for the prefix it is about to be renamed to.
@Suite struct PackageRelocationTests {
    static let hash = "0123456789abcdef0123456789abcdef01234567"
    static let packagePath = "slc9_x86-64/zlib/v1.3.1-2"

    @Test func relocatesListedFilesForTheirFinalPrefix() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("relocation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let built = base.appendingPathComponent("build/INSTALLROOT/\(Self.hash)/\(Self.packagePath)")
        try FileManager.default.createDirectory(at: built.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try "export ZLIB_ROOT=\(built.path)\nrev=@@PKGREVISION@\(Self.hash)@@\n"
            .write(to: built.appendingPathComponent("etc/init.sh"), atomically: true, encoding: .utf8)
        try PackageRelocation.prepare(
            installDir: built, packagePath: Self.packagePath, hash: Self.hash, revision: "2",
            buildPrefix: base.appendingPathComponent("build").path)
        #expect(try String(contentsOf: built.appendingPathComponent(".original-unrelocated"), encoding: .utf8) == "etc/init.sh\n")

        let final = "/cvmfs/area/\(Self.packagePath)"
        try PackageRelocation.relocate(built, to: final, packagePath: Self.packagePath, hash: Self.hash, revision: "2")
        #expect(try String(contentsOf: built.appendingPathComponent("etc/init.sh"), encoding: .utf8) == "export ZLIB_ROOT=\(final)\nrev=2\n")
        // Relocating again (another prefix) starts from the unrelocated copy.
        try PackageRelocation.relocate(built, to: "/elsewhere", packagePath: Self.packagePath, hash: Self.hash, revision: "2")
        #expect(try String(contentsOf: built.appendingPathComponent("etc/init.sh"), encoding: .utf8) == "export ZLIB_ROOT=/elsewhere\nrev=2\n")
    }

    @Test func aPackageWithoutAListIsLeftAlone() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("relocation-none-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try "INSTALLROOT/\(Self.hash)\n".write(to: base.appendingPathComponent("file"), atomically: true, encoding: .utf8)
        try PackageRelocation.relocate(base, to: "/x", packagePath: Self.packagePath, hash: Self.hash, revision: "1")
        #expect(try String(contentsOf: base.appendingPathComponent("file"), encoding: .utf8) == "INSTALLROOT/\(Self.hash)\n")
    }
}
