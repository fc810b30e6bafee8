import AlienModel
import Foundation
import SoftwareArea
import Testing
import TestSupport
import Transport

/// Installs from a repository published by the real `Publisher` (file:// URLs): closures,
/// relocation, idempotence, and refusals that leave the area as it was.
@Suite struct SoftwareAreaTests {
    static let zlib: FixturePackage = {
        var package = FixturePackage(name: "zlib", version: "v1.3.1")
        package.programs = ["zlib-hello": "#!/bin/sh\necho \"zlib at {PREFIX}\"\n"]
        return package
    }()
    static let xz = FixturePackage(name: "xz", version: "v5.4.6")
    static let root: FixturePackage = {
        var package = FixturePackage(name: "ROOT", version: "v6-32-06", requires: [zlib, xz])
        package.programs = ["root-hello": "#!/bin/sh\necho \"ROOT at {PREFIX}\"\n"]
        return package
    }()

    /// What is visible in the area (state under .alien left out).
    static func visible(_ area: String) -> [String] {
        AreaFixture.tree(area).filter { !$0.hasPrefix(".alien") }
    }

    @Test func installsAClosureRelocatedAndRunsItsProgram() async throws {
        let fixture = try AreaFixture("closure")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib, Self.xz, Self.root])
        let reporter = RecordingReporter()
        let area = try fixture.area(reporter: reporter)

        let outcomes = try await area.install([try PackageID(parsing: "VO_ALICE@ROOT::v6-32-06-1")])
        #expect(outcomes.map(\.package.name.rawValue).last == "ROOT")
        #expect(Set(outcomes.map(\.package.name.rawValue)) == ["zlib", "xz", "ROOT"])
        #expect(outcomes.allSatisfy { $0.status == .installed })

        let prefix = "\(fixture.areaPath())/\(AreaFixture.arch)/ROOT/v6-32-06-1"
        let (status, output) = try AreaFixture.run("\(prefix)/bin/root-hello")
        #expect(status == 0)
        #expect(output == "ROOT at \(prefix)\n")
        let (_, zlibOutput) = try AreaFixture.run("\(fixture.areaPath())/\(AreaFixture.arch)/zlib/v1.3.1-1/bin/zlib-hello")
        #expect(zlibOutput == "zlib at \(fixture.areaPath())/\(AreaFixture.arch)/zlib/v1.3.1-1\n")

        let record = try InstallRecord(path: "\(prefix)/\(InstallRecord.fileName)")
        #expect(record.target == Self.root.targetPath(arch: AreaFixture.arch))
        #expect(record.files.contains { $0.path == "bin/root-hello" && $0.sha256?.count == 64 })
        #expect(record.requires.count == 2)
        #expect(area.installed().map(\.key.description) == ["ROOT/v6-32-06-1", "xz/v5.4.6-1", "zlib/v1.3.1-1"])
        #expect(reporter.events.filter { if case .downloaded = $0 { true } else { false } }.count == 3)

        // Again: nothing downloaded, nothing changed.
        let again = RecordingReporter()
        var second = try fixture.area(reporter: again)
        second.reporter = again
        let repeated = try await second.install([try PackageID(parsing: "ROOT")])
        #expect(repeated.allSatisfy { $0.status == .alreadyInstalled })
        #expect(!again.events.contains { if case .downloaded = $0 { true } else { false } })
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/stage").isEmpty)
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/trash").isEmpty)

        // The repository is remembered: later opens need only the area.
        let reopened = try SoftwareArea.open(root: fixture.areaPath(), arch: nil, fetcher: area.fetcher)
        #expect(reopened.configuration.repository == fixture.repoURL)
        #expect(try await reopened.catalog().available().count == 3)
    }

    @Test func resolvesNewestVersionsAndRevisions() async throws {
        let fixture = try AreaFixture("versions")
        defer { fixture.cleanUp() }
        let packages = [
            FixturePackage(name: "zlib", version: "v1.3.1", revision: "1"), FixturePackage(name: "zlib", version: "v1.3.1", revision: "2"),
            FixturePackage(name: "zlib", version: "v1.10", revision: "1"), FixturePackage(name: "zlib", version: "v1.9", revision: "3")
        ]
        try fixture.publish(packages)
        let catalog = try fixture.area().catalog()
        #expect(try await catalog.resolve(PackageID(parsing: "zlib")).build.description == "zlib/v1.10-1")
        #expect(try await catalog.resolve(PackageID(parsing: "VO_ALICE@zlib::latest")).build.description == "zlib/v1.10-1")
        #expect(try await catalog.resolve(PackageID(parsing: "zlib::v1.3.1")).build.description == "zlib/v1.3.1-2")
        #expect(try await catalog.resolve(PackageID(parsing: "zlib::v1.3.1-1")).build.description == "zlib/v1.3.1-1")
        await #expect(throws: SoftwareAreaError.self) { try await catalog.resolve(PackageID(parsing: "zlib::v2")) }
        await #expect(throws: SoftwareAreaError.self) { try await catalog.resolve(PackageID(parsing: "nothere")) }
    }

    @Test func refusesATamperedOrTruncatedTarballAndLeavesTheAreaAsItWas() async throws {
        let fixture = try AreaFixture("tampered")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib])
        let stored = try fixture.storedTarball(Self.zlib)
        let original = try Data(contentsOf: stored)
        let area = try fixture.area()
        let before = Self.visible(fixture.areaPath())

        var tampered = original
        tampered[tampered.count / 2] ^= 0xFF
        try tampered.write(to: stored)
        await #expect {
            _ = try await area.install([try PackageID(parsing: "zlib")])
        } throws: { error in
            "\(error)".contains("zlib/v1.3.1-1") && "\(error)".contains("sha256")
        }
        #expect(Self.visible(fixture.areaPath()) == before)
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/stage").isEmpty)

        try original.prefix(original.count / 2).write(to: stored)
        await #expect(throws: SoftwareAreaError.self) { _ = try await area.install([try PackageID(parsing: "zlib")]) }
        #expect(Self.visible(fixture.areaPath()) == before)

        try original.write(to: stored)
        #expect(try await area.install([try PackageID(parsing: "zlib")]).first?.status == .installed)
    }

    @Test func refusesAPathTraversalTarball() async throws {
        let fixture = try AreaFixture("traversal")
        defer { fixture.cleanUp() }
        let evil = FixturePackage(name: "evil", version: "v1")
        let prefix = "\(AreaFixture.arch)/evil/v1-1"
        let tar = UStar.archive([
            ("\(prefix)/.meta.json", Array(evil.metaJSON(arch: AreaFixture.arch).utf8)),
            ("\(prefix)/../../../../escaped.txt", Array("gotcha\n".utf8))
        ])
        let file = fixture.base.appendingPathComponent(evil.fileName(arch: AreaFixture.arch))
        try Data(tar).write(to: file)
        try fixture.publish(file: file)
        let area = try fixture.area()
        await #expect {
            _ = try await area.install([try PackageID(parsing: "evil")])
        } throws: { error in
            guard case .extraction = error as? SoftwareAreaError else { return false }
            return "\(error)".contains("..")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.base.appendingPathComponent("escaped.txt").path))
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.areaPath())/escaped.txt"))
        #expect(Self.visible(fixture.areaPath()).isEmpty)
    }

    @Test func refusesWhenTheAreaIsTooSmall() async throws {
        guard getuid() == 0 else {
            Issue.record("skipped: mounting a small tmpfs needs root")
            return
        }
        let fixture = try AreaFixture("diskfull")
        defer { fixture.cleanUp() }
        var big = FixturePackage(name: "big", version: "v1")
        big.blobSize = 600_000
        try fixture.publish([big])
        let mountPoint = fixture.areaPath("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let (mounted, _) = try AreaFixture.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint])
        try #require(mounted == 0, "mount -t tmpfs failed")
        defer { _ = try? AreaFixture.run("/bin/umount", [mountPoint]) }
        let area = try fixture.area("small")
        await #expect {
            _ = try await area.install([try PackageID(parsing: "big")])
        } throws: { error in
            guard case .insufficientSpace(let package, _, let needed, let available) = error as? SoftwareAreaError else { return false }
            return package == "big/v1-1" && needed > available
        }
        #expect(Self.visible(mountPoint).isEmpty)
        #expect(AreaFixture.tree("\(mountPoint)/.alien/stage").isEmpty)
    }

    /// The free-space check passes (the tarball is tiny), then the disk fills during extraction:
    /// the install fails naming the cause, and nothing of it stays.
    @Test func aDiskThatFillsDuringExtractionLeavesNothing() async throws {
        guard getuid() == 0 else {
            Issue.record("skipped: mounting a small tmpfs needs root")
            return
        }
        let fixture = try AreaFixture("enospc")
        defer { fixture.cleanUp() }
        var bomb = FixturePackage(name: "bomb", version: "v1")
        bomb.zerosSize = 4 << 20
        let small = FixturePackage(name: "small", version: "v1")
        try fixture.publish([bomb, small])
        let mountPoint = fixture.areaPath("full")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let (mounted, _) = try AreaFixture.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint])
        try #require(mounted == 0, "mount -t tmpfs failed")
        defer { _ = try? AreaFixture.run("/bin/umount", [mountPoint]) }
        let area = try fixture.area("full")
        await #expect {
            _ = try await area.install([try PackageID(parsing: "bomb")])
        } throws: { error in
            "\(error)".contains("bomb/v1-1") && "\(error)".contains("No space left on device")
        }
        #expect(Self.visible(mountPoint).isEmpty)
        #expect(AreaFixture.tree("\(mountPoint)/.alien/stage").isEmpty, "the stage is emptied at once")
        // The space is back: the next install into the same area works.
        let outcomes = try await area.install([try PackageID(parsing: "small")])
        #expect(outcomes.map(\.status) == [.installed])
        #expect(Self.visible(mountPoint).contains { $0.contains("small/v1-1") })
        #expect(!Self.visible(mountPoint).contains { $0.contains("bomb") })
    }

    @Test func evictsLeastRecentlyUsedPackagesOnlyWhenAllowed() async throws {
        guard getuid() == 0 else {
            Issue.record("skipped: mounting a small tmpfs needs root")
            return
        }
        let fixture = try AreaFixture("evict")
        defer { fixture.cleanUp() }
        var old = FixturePackage(name: "old", version: "v1")
        old.blobSize = 400_000
        var new = FixturePackage(name: "new", version: "v1")
        new.blobSize = 700_000
        try fixture.publish([old, new])
        let mountPoint = fixture.areaPath("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let (mounted, _) = try AreaFixture.run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mountPoint])
        try #require(mounted == 0, "mount -t tmpfs failed")
        defer { _ = try? AreaFixture.run("/bin/umount", [mountPoint]) }
        let area = try fixture.area("small")
        _ = try await area.install([try PackageID(parsing: "old")])
        await #expect(throws: SoftwareAreaError.self) { _ = try await area.install([try PackageID(parsing: "new")]) }
        #expect(area.installed().map(\.key.name.rawValue) == ["old"])
        let outcomes = try await area.install([try PackageID(parsing: "new")], options: .init(evict: true))
        #expect(outcomes.map(\.status) == [.installed])
        #expect(area.installed().map(\.key.name.rawValue) == ["new"])
    }
}

/// A plain ustar archive written byte by byte, for entries no well-behaved writer makes.
enum UStar {
    static func archive(_ entries: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, contents) in entries {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int) {
                for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
            }
            func octal(_ value: Int, width: Int) -> String {
                let digits = String(value, radix: 8)
                return String(repeating: "0", count: width - 1 - digits.count) + digits
            }
            put(name, at: 0)
            put(octal(0o644, width: 8), at: 100)
            put(octal(0, width: 8), at: 108)
            put(octal(0, width: 8), at: 116)
            put(octal(contents.count, width: 12), at: 124)
            put(octal(0, width: 12), at: 136)
            put("        ", at: 148)
            put("0", at: 156)
            put("ustar\u{0}00", at: 257)
            let sum = header.reduce(0) { $0 + Int($1) }
            put(octal(sum, width: 7), at: 148)
            header[154] = 0
            header[155] = UInt8(ascii: " ")
            out += header + contents + [UInt8](repeating: 0, count: (512 - contents.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }
}

extension SoftwareAreaTests {
    /// `ca_path`/`ca_file` given once are remembered in config.json and reach the area's
    /// transfers and its HTTPClient fetcher; each unset field falls back to what they had.
    @Test func certificateAuthoritiesAreRememberedAndUsed() throws {
        let fixture = try AreaFixture("authorities")
        defer { fixture.cleanUp() }
        let given = CertificateAuthorities(path: "/etc/grid-security/certificates", file: "/etc/alien/repo-ca.pem")
        let area = try SoftwareArea.open(
            root: fixture.areaPath(), arch: AreaFixture.arch, repository: fixture.repoURL, rootFile: fixture.rootFile,
            fetcher: HTTPClient(authorities: CertificateAuthorities()), authorities: given)
        #expect(area.configuration.authorities == given)
        #expect(area.transfers.policy.authorities == given)
        #expect((area.fetcher as? HTTPClient)?.authorities == given)
        let config = try String(contentsOfFile: "\(fixture.areaPath())/.alien/config.json", encoding: .utf8)
        #expect(config.contains("\"ca_file\":\"/etc/alien/repo-ca.pem\"") && config.contains("\"ca_path\":\"/etc/grid-security/certificates\""), "\(config)")

        // Reopened without: remembered. A new path alone keeps the remembered file.
        let reopened = try SoftwareArea.open(root: fixture.areaPath(), arch: nil, fetcher: HTTPClient(authorities: CertificateAuthorities()))
        #expect((reopened.fetcher as? HTTPClient)?.authorities == given)
        let changed = try SoftwareArea.open(
            root: fixture.areaPath(), arch: nil, fetcher: HTTPClient(authorities: CertificateAuthorities()),
            authorities: CertificateAuthorities(path: "/srv/cas"))
        #expect(changed.configuration.authorities == CertificateAuthorities(path: "/srv/cas", file: "/etc/alien/repo-ca.pem"))

        // An area that names none: the fetcher keeps its own ($X509_CERT_DIR by default).
        let plain = try SoftwareArea.open(
            root: fixture.areaPath("plain"), arch: AreaFixture.arch, repository: fixture.repoURL,
            fetcher: HTTPClient(authorities: CertificateAuthorities(path: "/from/environment")))
        #expect((plain.fetcher as? HTTPClient)?.authorities == CertificateAuthorities(path: "/from/environment"))
        #expect(!((try? String(contentsOfFile: "\(fixture.areaPath("plain"))/.alien/config.json", encoding: .utf8)) ?? "").contains("ca_"))
    }
}
