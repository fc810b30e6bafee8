import AlienModel
import Foundation
@testable import SoftwareArea
import Testing
import TestSupport
import Trust
import Tarballs

/// Signed packages that try to reach outside their own directory, or to stay writable for
/// others: each is refused (or tamed) with the area and the host unchanged.
@Suite struct HostilePackageTests {
    /// A host file outside the area with a second hard link, as the issue's victim.
    struct Victim {
        let directory: URL
        var file: String { directory.appendingPathComponent("victim").path }
        var link: String { directory.appendingPathComponent("victim-link").path }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-victim-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try "untouched INSTALLROOT/\(String(repeating: "0", count: 40))\n".write(toFile: file, atomically: false, encoding: .utf8)
            guard Foundation.link(file, link) == 0 else { throw Failure("link: errno \(errno)") }
        }

        var state: [String] {
            var info = stat()
            guard stat(file, &info) == 0 else { return ["missing"] }
            return ["\(info.st_ino)", "\(info.st_nlink)", "\(info.st_uid)", (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""]
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    static func relocating(_ entry: String, name: String) -> FixturePackage {
        var package = FixturePackage(name: name, version: "v1")
        package.programs = ["tool": "#!/bin/sh\necho \"at {PREFIX}\"\n"]
        package.files[".original-unrelocated"] = ("bin/tool\n\(entry)\n", 0o644)
        package.symlinks["share-link"] = "share"
        package.symlinks["payload-link"] = "share/payload.txt"
        return package
    }

    @Test(arguments: [
        ("escape", "../../../../../../../../../../../../../../../../../../../../../../../../../../../../../..{VICTIM}", "'..' component"),
        ("absolute", "{VICTIM}", "absolute path"),
        ("through-link", "share-link/payload.txt", "goes through the symlink \"share-link\""),
        ("final-link", "payload-link", "a symlink, not a regular file"),
        ("directory", "share", "a directory, not a regular file")
    ])
    func relocationEntriesLeavingThePackageAreRefused(name: String, entry: String, reason: String) async throws {
        let fixture = try AreaFixture("hostile-\(name)")
        defer { fixture.cleanUp() }
        let victim = try Victim()
        defer { victim.remove() }
        let package = Self.relocating(entry.replacingOccurrences(of: "{VICTIM}", with: victim.file), name: "hostile")
        try fixture.publish([package])
        let area = try fixture.area()
        let before = (victim.state, SoftwareAreaTests.visible(fixture.areaPath()))
        await #expect {
            _ = try await area.install([try PackageID(parsing: "hostile")])
        } throws: { error in
            guard case let SoftwareAreaError.relocation(package, cause) = error,
                case .refusedEntry = cause
            else { return false }
            let text = "\(cause)"
            return package == "hostile/v1-1" && text.contains(".original-unrelocated:2:") && text.contains(reason)
        }
        #expect(victim.state == before.0)
        #expect(SoftwareAreaTests.visible(fixture.areaPath()) == before.1)
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/stage").isEmpty)
    }

    @Test func publishedWritableModesArriveWithoutGroupOrOtherWrite() async throws {
        let fixture = try AreaFixture("hostile-modes")
        defer { fixture.cleanUp() }
        var package = FixturePackage(name: "open", version: "v1")
        package.files["bin/program"] = ("#!/bin/sh\necho hi\n", 0o777)
        package.files["share/data.txt"] = ("data\n", 0o666)
        package.directoryModes = ["": 0o777, "share": 0o777, "bin": 0o777]
        try fixture.publish([package])
        let area = try fixture.area()
        _ = try await area.install([try PackageID(parsing: "open")])
        let prefix = "\(fixture.areaPath())/\(AreaFixture.arch)/open/v1-1"
        func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1 }
        #expect(mode("\(prefix)/bin/program") == 0o755)
        #expect(mode("\(prefix)/share/data.txt") == 0o644)
        #expect(mode(prefix) == 0o755 && mode("\(prefix)/share") == 0o755)
        let installed = try #require(area.installed().first)
        #expect(installed.record.files.first { $0.path == "bin/program" }?.mode == 0o755)
        #expect(area.verify(installed).ok)
        // A local change of mode is a verify failure, like a change of content.
        chmod("\(prefix)/bin/program", 0o775)
        chmod("\(prefix)/share", 0o777)
        let problems = area.verify(installed).problems
        #expect(problems.contains("bin/program: mode expected 755, got 775"))
        #expect(problems.contains("share: directory writable by group or others (mode 777)"))
    }
}
