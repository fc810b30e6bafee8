import AlienModel
import Foundation
import SoftwareArea
import Testing
import TestSupport
import Trust

/// The `TarballDownloader` seam: a whole tarball from elsewhere is checked against signed
/// metadata before extraction, `.useHTTP` falls back to the HTTP path, a failure fails the install.
@Suite struct SoftwareAreaSwarmTests {
    static let zlib: FixturePackage = {
        var package = FixturePackage(name: "zlib", version: "v1.3.1")
        package.blobSize = 100_000
        return package
    }()

    @Test func aDownloadedTarballIsVerifiedAndExtracted() async throws {
        let fixture = try AreaFixture("swarm-ok")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib])
        let downloader = ScriptedTarballDownloader(.copy(try fixture.storedTarball(Self.zlib).path))
        var area = try fixture.area()
        area.downloader = downloader
        area.keepTarballs = true
        let outcomes = try await area.install([try PackageID(parsing: "zlib")])
        #expect(outcomes.map(\.status) == [.installed])
        #expect(downloader.requests == ["\(AreaFixture.arch)/zlib/zlib-v1.3.1-1.\(AreaFixture.arch).tar.gz"])
        #expect(FileManager.default.fileExists(atPath: "\(fixture.areaPath())/\(AreaFixture.arch)/zlib/v1.3.1-1/share/blob.bin"))
        // Without a torrent file there is nothing to seed: nothing kept, stage empty.
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/stage").isEmpty)
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/cache").isEmpty)
    }

    @Test func aWrongTarballFromTheSwarmIsRefusedBeforeExtraction() async throws {
        let fixture = try AreaFixture("swarm-wrong")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib])
        let other = try fixture.publish([FixturePackage(name: "xz", version: "v5.4.6")])[0]
        var area = try fixture.area()
        area.downloader = ScriptedTarballDownloader(.copy(other.path))
        let before = SoftwareAreaTests.visible(fixture.areaPath())
        await #expect {
            _ = try await area.install([try PackageID(parsing: "zlib")])
        } throws: { error in
            guard case let SoftwareAreaError.trust(_, reason) = error else { return false }
            return reason.contains("the swarm gave") && reason.contains("signed metadata says")
        }
        #expect(SoftwareAreaTests.visible(fixture.areaPath()) == before)
    }

    @Test func useHTTPFallsBackAndSaysWhy() async throws {
        let fixture = try AreaFixture("swarm-fallback")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib], pieces: true)
        let reporter = RecordingReporter()
        var area = try fixture.area(reporter: reporter)
        area.downloader = ScriptedTarballDownloader(.useHTTP("torrent: stalled; falling back to HTTP"))
        let outcomes = try await area.install([try PackageID(parsing: "zlib")])
        #expect(outcomes.map(\.status) == [.installed])
        #expect(reporter.events.contains { if case let .fallback(_, reason) = $0 { reason.contains("stalled") } else { false } })
    }

    @Test func aFailingDownloaderFailsTheInstall() async throws {
        let fixture = try AreaFixture("swarm-fail")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib])
        var area = try fixture.area()
        area.downloader = ScriptedTarballDownloader(.fail(.trust(package: "zlib", reason: "torrent refused")))
        await #expect(throws: SoftwareAreaError.trust(package: "zlib", reason: "torrent refused")) {
            _ = try await area.install([try PackageID(parsing: "zlib")])
        }
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.areaPath())/\(AreaFixture.arch)/zlib/v1.3.1-1"))
    }
}
