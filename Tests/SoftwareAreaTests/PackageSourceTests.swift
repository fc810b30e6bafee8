import AlienModel
import Foundation
@testable import SoftwareArea
import Synchronization
import Testing
import TestSupport
import Transport
import Trust

/// A `PackageSource` that does what it is told: deliver a given file as "the tarball", decline,
/// or fail. Records the packages it was asked for.
final class ScriptedSource: PackageSource {
    enum Script: Sendable {
        case deliver(String)
        case decline(String?)
        case fail(SoftwareAreaError)
    }

    let script: Script
    private let asked = Mutex<[String]>([])

    init(_ script: Script) { self.script = script }

    var requests: [String] { asked.withLock { $0 } }
    var name: String { "scripted" }
    var wantsTorrent: Bool { false }

    func deliver(_ plan: DownloadPlan, into sink: TarballSink, context: SourceContext) async throws(SoftwareAreaError) -> SourceOutcome {
        asked.withLock { $0.append(plan.package.info.path) }
        switch script {
        case let .deliver(file):
            do { try await sink.deliver(file: file, asWholeFile: false) { _, _ in } } catch let error as SoftwareAreaError {
                throw error
            } catch let error as PieceVerificationError {
                throw .trust(package: context.key.description, .pieces(target: plan.package.info.path, error))
            } catch {
                throw .trust(package: context.key.description, reason: "\(error)")
            }
            return .delivered
        case let .decline(reason): return .declined(reason: reason)
        case let .fail(error): throw error
        }
    }
}

/// The `PackageSource` seam: whatever a source delivers goes through the sink, which checks it
/// against signed metadata (piece by piece, or the whole file) before anything is used;
/// a source that declines hands over to the next (HTTP); a failing one fails the install.
@Suite struct PackageSourceTests {
    static let zlib: FixturePackage = {
        var package = FixturePackage(name: "zlib", version: "v1.3.1")
        package.blobSize = 100_000
        return package
    }()

    @Test func aDeliveredTarballIsVerifiedAndExtracted() async throws {
        let fixture = try AreaFixture("source-ok")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib])
        let source = ScriptedSource(.deliver(try fixture.storedTarball(Self.zlib).path))
        var area = try fixture.area()
        area.swarm = source
        area.keepTarballs = true
        let outcomes = try await area.install([try PackageID(parsing: "zlib")])
        #expect(outcomes.map(\.status) == [.installed])
        #expect(source.requests == ["\(AreaFixture.arch)/zlib/zlib-v1.3.1-1.\(AreaFixture.arch).tar.gz"])
        #expect(FileManager.default.fileExists(atPath: "\(fixture.areaPath())/\(AreaFixture.arch)/zlib/v1.3.1-1/share/blob.bin"))
        // Without a torrent there is nothing to seed: nothing kept, stage empty.
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/stage").isEmpty)
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/cache").isEmpty)
    }

    @Test(arguments: [false, true])
    func aWrongTarballIsRefusedBeforeExtraction(pieces: Bool) async throws {
        let fixture = try AreaFixture("source-wrong-\(pieces)")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib], pieces: pieces)
        var bigger = FixturePackage(name: "xz", version: "v5.4.6")
        bigger.blobSize = 300_000
        let other = try fixture.publish([bigger])[0]
        var area = try fixture.area()
        area.swarm = ScriptedSource(.deliver(other.path))
        let before = SoftwareAreaTests.visible(fixture.areaPath())
        await #expect {
            _ = try await area.install([try PackageID(parsing: "zlib")])
        } throws: { error in
            guard case let SoftwareAreaError.trust(_, refusal) = error else { return false }
            // Whole file: length and sha256 against signed metadata; pieces: the first piece's hash,
            // the verified stream's typed refusal kept.
            if pieces {
                guard case .pieces(_, .pieceMismatch(index: 0, _, _, _)) = refusal else { return false }
                return "\(error)".contains("piece 0")
            }
            guard case let .refused(reason) = refusal else { return false }
            return reason.contains("signed metadata says")
        }
        #expect(SoftwareAreaTests.visible(fixture.areaPath()) == before)
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/stage").isEmpty)
    }

    @Test func aDecliningSourceHandsOverToHTTPAndSaysWhy() async throws {
        let fixture = try AreaFixture("source-fallback")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib], pieces: true)
        let reporter = RecordingReporter()
        var area = try fixture.area(reporter: reporter)
        area.swarm = ScriptedSource(.decline("torrent: stalled; falling back to HTTP"))
        let outcomes = try await area.install([try PackageID(parsing: "zlib")])
        #expect(outcomes.map(\.status) == [.installed])
        #expect(reporter.events.contains { if case let .fallback(_, reason) = $0 { reason.contains("stalled") } else { false } })
    }

    @Test func aFailingSourceFailsTheInstall() async throws {
        let fixture = try AreaFixture("source-fail")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib])
        var area = try fixture.area()
        area.swarm = ScriptedSource(.fail(.trust(package: "zlib", reason: "torrent refused")))
        await #expect(throws: SoftwareAreaError.trust(package: "zlib", reason: "torrent refused")) {
            _ = try await area.install([try PackageID(parsing: "zlib")])
        }
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.areaPath())/\(AreaFixture.arch)/zlib/v1.3.1-1"))
    }

    /// One package tries a source of unknown worth while the others wait: when it fails,
    /// all of them decline at once (one fallback for the install, not one per package).
    @Test(.timeLimit(.minutes(5)), arguments: [false, true])
    func theFirstTryDecidesForTheWaitingPackages(worked: Bool) async {
        let run = InstallRun()
        #expect(await run.admit("swarm"), "the first package tries")
        let waiting = (0..<5).map { _ in Task { await run.admit("swarm") } }
        // They wait until the first one's outcome is known: all five are waiting before it is
        // recorded (not "50 ms later", which a busy machine could outrun; the time limit catches a hang).
        while run.waiters(for: "swarm") < 5 { try? await Task.sleep(for: .milliseconds(5)) }
        #expect(!run.hasGivenUp("swarm"))
        run.record("swarm", worked: worked)
        for task in waiting { #expect(await task.value == worked) }
        #expect(run.hasGivenUp("swarm") == !worked)
        #expect(await run.admit("swarm") == worked, "later packages follow the outcome")
        #expect(await run.admit("http"), "other sources are unaffected")
    }

    @Test func aSourceThatWorkedAndThenFailedIsGivenUp() async {
        let run = InstallRun()
        #expect(await run.admit("swarm"))
        run.record("swarm", worked: true)
        #expect(await run.admit("swarm"))
        run.record("swarm", worked: false)
        #expect(await run.admit("swarm") == false)
    }
}
