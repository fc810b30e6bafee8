import AlienModel
import Foundation
import SoftwareArea
import Testing
import TestSupport
import Trust

/// Streamed installs: tarballs published with piece-hash lists are verified piece by piece and
/// extracted while they download; tampering, truncation and a replaced list are refused with
/// the area left as it was.
@Suite struct SoftwareAreaStreamTests {
    /// 16 KiB pieces, and ~200 KB of incompressible bytes: the tarball spans a dozen pieces.
    static let pieceLength = 16 << 10
    static let zlib: FixturePackage = {
        var package = FixturePackage(name: "zlib", version: "v1.3.1")
        package.programs = ["zlib-hello": "#!/bin/sh\necho \"zlib at {PREFIX}\"\n"]
        package.blobSize = 200_000
        return package
    }()
    static let xz = FixturePackage(name: "xz", version: "v5.4.6")
    static let root: FixturePackage = {
        var package = FixturePackage(name: "ROOT", version: "v6-32-06", requires: [zlib, xz])
        package.programs = ["root-hello": "#!/bin/sh\necho \"ROOT at {PREFIX}\"\n"]
        package.blobSize = 100_000
        return package
    }()

    /// Bigger than the extractor's 4 MiB buffer: the download has to wait for the extraction.
    static let big: FixturePackage = {
        var package = FixturePackage(name: "Big", version: "v1")
        package.blobSize = 5 << 20
        return package
    }()

    static func progress(_ events: [AreaEvent]) -> [(bytes: Int64, total: Int64)] {
        events.compactMap { if case let .progress(_, bytes, total, _, _) = $0 { (bytes, total) } else { nil } }
    }

    /// Every path in the area (state included) that holds a file of the package's payload.
    static func leftovers(_ area: String) -> [String] {
        AreaFixture.tree(area).filter { $0.hasSuffix("blob.bin") || $0.hasSuffix("payload.txt") || $0.hasSuffix("-hello") }
    }

    /// Nothing visible changed (trust metadata and lock files under .alien aside), no stage left.
    static func expectUnchanged(_ area: String, before: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(SoftwareAreaTests.visible(area) == before, sourceLocation: sourceLocation)
        #expect(AreaFixture.tree("\(area)/.alien/stage").isEmpty, sourceLocation: sourceLocation)
        #expect(AreaFixture.tree("\(area)/.alien/trash").isEmpty, sourceLocation: sourceLocation)
    }

    @Test func streamedInstallRunsItsProgram() async throws {
        let fixture = try AreaFixture("stream")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib], pieces: true, pieceLength: Self.pieceLength)
        let reporter = RecordingReporter()
        let area = try fixture.area(reporter: reporter)

        let outcomes = try await area.install([try PackageID(parsing: "zlib")])
        #expect(outcomes.map(\.status) == [.installed])
        let prefix = "\(fixture.areaPath())/\(AreaFixture.arch)/zlib/v1.3.1-1"
        let (status, output) = try AreaFixture.run("\(prefix)/bin/zlib-hello")
        #expect(status == 0)
        #expect(output == "zlib at \(prefix)\n")
        let record = try InstallRecord(path: "\(prefix)/\(InstallRecord.fileName)")
        guard case let .object(custom)? = record.custom, case let .string(list)? = custom["pieces"] else {
            Issue.record("the record's custom has no pieces field: \(String(describing: record.custom))")
            return
        }
        #expect(list == Self.zlib.targetPath(arch: AreaFixture.arch) + ".pieces")
        let length = try #require(FileManager.default.attributesOfItem(atPath: try fixture.storedTarball(Self.zlib).path)[.size] as? Int)
        // Progress ends with the whole tarball (the last report is never dropped).
        let reports = Self.progress(reporter.events)
        #expect(reports.last?.bytes == Int64(length) && reports.last?.total == Int64(length))
        #expect(reporter.events.contains(.downloaded(outcomes[0].package, bytes: Int64(length), source: "http", piecewise: true)))
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/stage").isEmpty)
    }

    @Test func tarballLargerThanTheExtractorBufferOverFileURL() async throws {
        let fixture = try AreaFixture("stream-big")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.big], pieces: true)
        let area = try fixture.area()
        let outcomes = try await area.install([try PackageID(parsing: "Big")])
        #expect(outcomes.map(\.status) == [.installed])
        let blob = "\(fixture.areaPath())/\(AreaFixture.arch)/Big/v1-1/share/blob.bin"
        #expect((try FileManager.default.attributesOfItem(atPath: blob)[.size] as? Int) == 5 << 20)
    }

    @Test func tamperedTarballIsRefusedNamingThePiece() async throws {
        let fixture = try AreaFixture("stream-tampered")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib], pieces: true, pieceLength: Self.pieceLength)
        let stored = try fixture.storedTarball(Self.zlib)
        var bytes = try [UInt8](Data(contentsOf: stored))
        let middle = bytes.count / 2
        bytes[middle] ^= 0x5A
        try Data(bytes).write(to: stored)
        let area = try fixture.area()
        let before = SoftwareAreaTests.visible(fixture.areaPath())

        let piece = middle / Self.pieceLength
        await #expect {
            try await area.install([try PackageID(parsing: "zlib")])
        } throws: { error in
            let text = "\(error)"
            return text.contains("piece \(piece) (from byte \(piece * Self.pieceLength))") && text.contains("refused")
        }
        Self.expectUnchanged(fixture.areaPath(), before: before)
        #expect(Self.leftovers(fixture.areaPath()).isEmpty)
        #expect(area.installed().isEmpty)
    }

    @Test func truncatedTarballIsRefused() async throws {
        let fixture = try AreaFixture("stream-truncated")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib], pieces: true, pieceLength: Self.pieceLength)
        let stored = try fixture.storedTarball(Self.zlib)
        let bytes = try Data(contentsOf: stored)
        let kept = bytes.count / 2 + 100
        try bytes.prefix(kept).write(to: stored)
        let area = try fixture.area()
        let before = SoftwareAreaTests.visible(fixture.areaPath())

        await #expect {
            try await area.install([try PackageID(parsing: "zlib")])
        } throws: { error in
            "\(error)".contains("body ended after \(kept) of \(bytes.count) bytes")
        }
        Self.expectUnchanged(fixture.areaPath(), before: before)
        #expect(Self.leftovers(fixture.areaPath()).isEmpty)
    }

    @Test func replacedPieceListIsRefusedByTUF() async throws {
        let fixture = try AreaFixture("stream-list")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib], pieces: true, pieceLength: Self.pieceLength)
        // A well-formed list for other bytes of the same length, in place of the signed one.
        let stored = try fixture.storedPieceList(Self.zlib)
        let original = try PieceHashList(parsing: [UInt8](try Data(contentsOf: stored)))
        let forged = try PieceHashList.build(bytes: [UInt8](repeating: 7, count: Int(original.length)), pieceLength: Self.pieceLength)
        try Data(forged.encoded).write(to: stored)
        let area = try fixture.area()
        let before = SoftwareAreaTests.visible(fixture.areaPath())

        await #expect {
            try await area.install([try PackageID(parsing: "zlib")])
        } throws: { error in
            let text = "\(error)"
            return text.contains("piece-hash list \(Self.zlib.targetPath(arch: AreaFixture.arch)).pieces") && text.contains("sha256")
        }
        Self.expectUnchanged(fixture.areaPath(), before: before)
        #expect(Self.leftovers(fixture.areaPath()).isEmpty)
    }

    @Test func mixedRepositoryStreamsOnlyWhatHasPieces() async throws {
        let fixture = try AreaFixture("stream-mixed")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib, Self.xz])
        try fixture.publish([Self.root], pieces: true, pieceLength: Self.pieceLength)
        let reporter = RecordingReporter()
        let area = try fixture.area(reporter: reporter)

        let outcomes = try await area.install([try PackageID(parsing: "ROOT")])
        #expect(Set(outcomes.map(\.package.name.rawValue)) == ["zlib", "xz", "ROOT"])
        let streamed = Set(reporter.events.compactMap { if case let .downloaded(key, _, _, true) = $0 { key.name.rawValue } else { nil } })
        #expect(streamed == ["ROOT"])
        let prefix = "\(fixture.areaPath())/\(AreaFixture.arch)/ROOT/v6-32-06-1"
        #expect(try AreaFixture.run("\(prefix)/bin/root-hello").1 == "ROOT at \(prefix)\n")
    }

    @Test func installsOverNginxFetchingTheTarballOnce() async throws {
        guard FileManager.default.isExecutableFile(atPath: NginxServer.executable) else {
            #expect(ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] != "1", "nginx is required (ALIEN_REQUIRE_INTEROP=1): apt-get install nginx")
            return
        }
        let fixture = try AreaFixture("stream-nginx")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib, Self.xz, Self.root], pieces: true, pieceLength: Self.pieceLength)
        try fixture.publish([Self.big], pieces: true)
        let server = try NginxServer(root: fixture.repo)
        defer { server.stop() }
        let area = try fixture.area(repository: server.baseURL.absoluteString)

        let outcomes = try await area.install([try PackageID(parsing: "ROOT")])
        #expect(outcomes.count == 3 && outcomes.allSatisfy { $0.status == .installed })
        let prefix = "\(fixture.areaPath())/\(AreaFixture.arch)/ROOT/v6-32-06-1"
        #expect(try AreaFixture.run("\(prefix)/bin/root-hello").1 == "ROOT at \(prefix)\n")
        let again = try await area.install([try PackageID(parsing: "ROOT")])
        #expect(again.allSatisfy { $0.status == .alreadyInstalled })
        #expect(try await area.install([try PackageID(parsing: "Big")]).map(\.status) == [.installed])

        let files = [Self.zlib, Self.xz, Self.root, Self.big].map { $0.fileName(arch: AreaFixture.arch) }
        let gets = server.accessLogLines { lines in  // nginx logs after answering: wait for every file's lines
            files.allSatisfy { file in lines.contains { $0.contains(".\(file) ") } && lines.contains { $0.contains(".\(file).pieces ") } }
        }.filter { $0.contains("\"GET /targets/") }
        for package in [Self.zlib, Self.xz, Self.root, Self.big] {
            let file = package.fileName(arch: AreaFixture.arch)
            #expect(gets.filter { $0.contains(".\(file) ") }.count == 1, "\(file): \(gets)")
            #expect(gets.filter { $0.contains(".\(file).pieces ") }.count == 1, "\(file).pieces: \(gets)")
        }
    }
}
