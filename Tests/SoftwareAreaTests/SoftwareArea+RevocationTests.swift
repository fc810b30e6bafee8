import AlienModel
import AreaEnvironment
import Foundation
import Publisher
import SoftwareArea
import Testing
import TestSupport
import Trust

/// Revocations at a site: learned from the refreshed targets metadata, new installs and leases
/// refused, "newest" skipping revoked builds, the three policies, and forged or replayed
/// metadata refused by TUF without losing a revocation already known.
@Suite struct SoftwareAreaRevocationTests {
    static let zlib1 = SoftwareAreaTests.zlib
    static let zlib2: FixturePackage = {
        var package = SoftwareAreaTests.zlib
        package.revision = "2"
        return package
    }()

    static func id(_ text: String) throws -> PackageID { try PackageID(parsing: text) }

    /// Opens the area with `policy` written in its config (as an admin would).
    static func area(_ fixture: AreaFixture, _ name: String, policy: RevocationPolicy) throws -> SoftwareArea {
        _ = try fixture.area(name)
        let config = "\(fixture.areaPath(name))/.alien/config.json"
        var configuration = try SoftwareArea.Configuration.read(from: config)
        configuration.revocationPolicy = policy
        try configuration.write(to: config)
        return try fixture.area(name)
    }

    @Test func revokedBuildsAreRefusedAndNewestSkipsThem() async throws {
        let fixture = try AreaFixture("revoke-refuse")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib1, Self.zlib2, SoftwareAreaTests.xz])
        let area = try Self.area(fixture, "area", policy: .quarantine)
        _ = try await area.install([try Self.id("zlib::v1.3.1-2"), try Self.id("xz")])
        try fixture.repository.revoke(try Self.id("zlib::v1.3.1-2"), reason: "corrupt inflate", signers: fixture.signers)

        // Installing the revoked build: refused with the reason; "zlib" gets the newest not revoked.
        do {
            _ = try await area.install([try Self.id("zlib::v1.3.1-2")], options: .init(replace: true))
            Issue.record("the revoked build was installed")
        } catch let error as SoftwareAreaError {
            guard case let .revoked(package, reason, time) = error else { Issue.record("\(error)"); return }
            #expect(package == "zlib/v1.3.1-2" && reason == "corrupt inflate" && time.hasSuffix("Z"))
            #expect(error.description.contains("zlib/v1.3.1-2: revoked by the repository at") && error.description.contains("corrupt inflate"))
        }
        let outcomes = try await area.install([try Self.id("zlib")])
        #expect(outcomes.map(\.package.description) == ["zlib/v1.3.1-1"])
        #expect(area.knownRevocations().map(\.spelling) == ["zlib::v1.3.1-2"])

        // Leases: the revoked build is never leased anew; "zlib" leases the newest one not revoked.
        #expect(throws: SoftwareAreaError.revoked(package: "zlib/v1.3.1-2", reason: "corrupt inflate", time: area.knownRevocations()[0].time)) {
            try area.acquireLease(holder: "job-1", packages: [try Self.id("zlib::v1.3.1-2")], ttl: 60)
        }
        #expect(try area.acquireLease(holder: "job-1", packages: [try Self.id("zlib")], ttl: 60).packages == ["zlib/v1.3.1-1"])

        // Quarantine: no environment of it; the other build and other packages work.
        #expect(throws: EnvironmentError.self) {
            _ = try area.environment(for: [try Self.id("zlib::v1.3.1-2")], base: ["PATH": "/usr/bin:/bin"], recording: nil)
        }
        _ = try area.environment(for: [try Self.id("zlib::v1.3.1-1"), try Self.id("xz")], base: ["PATH": "/usr/bin:/bin"], recording: nil)
        let newest = try area.environment(for: [try Self.id("zlib")], base: ["PATH": "/usr/bin:/bin"], recording: nil)
        #expect(newest.packages.map(\.build.description) == ["zlib/v1.3.1-1"], "Pkg: the newest build not quarantined")
        #expect(area.revokedPresent().map(\.package.key.description) == ["zlib/v1.3.1-2"])
    }

    /// A package whose closure holds a revoked build is refused too.
    @Test func dependantsOfARevokedBuildAreRefused() async throws {
        let fixture = try AreaFixture("revoke-closure")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib1, SoftwareAreaTests.xz, SoftwareAreaTests.root])
        try fixture.repository.revoke(try Self.id("xz::v5.4.6-1"), reason: "backdoor", signers: fixture.signers)
        let area = try fixture.area()
        do {
            _ = try await area.install([try Self.id("ROOT")])
            Issue.record("ROOT installed with a revoked xz")
        } catch let error as SoftwareAreaError {
            #expect(error == .revoked(package: "xz/v5.4.6-1", reason: "backdoor", time: area.knownRevocations().first?.time ?? "?"), "\(error)")
        }
        #expect(area.installed().isEmpty)
    }

    @Test func policiesAlertQuarantineRemove() async throws {
        let fixture = try AreaFixture("revoke-policy")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib1, SoftwareAreaTests.xz])
        let alert = try Self.area(fixture, "alert", policy: .alert)
        let quarantine = try Self.area(fixture, "quarantine", policy: .quarantine)
        let remove = try Self.area(fixture, "remove", policy: .remove)
        for area in [alert, quarantine, remove] { _ = try await area.install([try Self.id("zlib"), try Self.id("xz")]) }
        try remove.acquireLease(holder: "job-9", packages: [try Self.id("zlib")], ttl: 600)
        try fixture.repository.revoke(try Self.id("zlib::v1.3.1"), reason: "bad", signers: fixture.signers)

        let alerted = try await alert.refreshRevocations()
        #expect(alerted.new.map(\.folder) == ["zlib/v1.3.1-1"] && alerted.present.map(\.action) == [.alerted])
        _ = try alert.environment(for: [try Self.id("zlib")], base: [:], recording: nil)
        #expect(try await alert.refreshRevocations().new.isEmpty, "seen once")

        let quarantined = try await quarantine.refreshRevocations()
        #expect(quarantined.present.map(\.action) == [.quarantined])
        #expect(FileManager.default.fileExists(atPath: quarantine.layout.packageDirectory(quarantined.present[0].package)), "files kept")
        #expect(throws: EnvironmentError.self) { _ = try quarantine.environment(for: [try Self.id("zlib")], base: [:], recording: nil) }

        // Removal waits for the running job's lease, then happens at a later refresh.
        let kept = try await remove.refreshRevocations()
        #expect(kept.present.map(\.action) == [.keptLeased] && kept.present[0].holders == ["job-9"])
        #expect(remove.installed().count == 2)
        try remove.releaseLease(holder: "job-9")
        let removed = try await remove.refreshRevocations()
        #expect(removed.present.map(\.action) == [.removed])
        #expect(remove.installed().map(\.key.description) == ["xz/v5.4.6-1"])
        #expect(try await remove.refreshRevocations().present.isEmpty)
    }

    /// A revocation signed by a key the root does not authorize for targets (the snapshot and
    /// timestamp keys being the attacker's) is refused by TUF: nothing is learned, nothing refused.
    @Test func forgedRevocationIsRefused() async throws {
        let fixture = try AreaFixture("revoke-forged")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib1])
        let area = try fixture.area()
        _ = try await area.install([try Self.id("zlib")])
        #expect(try await area.refreshRevocations().revocations.isEmpty)

        let state = try fixture.repository.load()
        var targets = state.targets.signed
        let revocation = PackageRevocation(
            name: "zlib", version: "v1.3.1", revision: "1", arch: AreaFixture.arch,
            target: "slc9_x86-64/zlib/zlib-v1.3.1-1.slc9_x86-64.tar.gz", sha256: nil, reason: "forged",
            time: "2026-12-06T00:00:00Z")
        let document = revocation.documentBytes
        targets.targets[revocation.targetPath] = try TargetFile(
            length: Int64(document.count), hashes: ["sha256": TUFRepositoryFixture.sha256(document)],
            custom: revocation.json)
        targets.version += 1
        var forged = Metadata(signed: targets)
        _ = try forged.sign(with: SigningKey.generate())
        let targetsBytes = forged.serialized()
        let snapshot = try Snapshot(
            version: state.snapshot.signed.version + 1, expires: state.snapshot.signed.expires,
            meta: [
                "targets.json": try MetaFile(
                    version: targets.version, length: Int64(targetsBytes.count), hashes: ["sha256": TUFRepositoryFixture.sha256(targetsBytes)])
            ])
        let snapshotMetadata = try fixture.signers.sign(snapshot, as: "snapshot", in: state.root.signed)
        let snapshotBytes = snapshotMetadata.serialized()
        let timestamp = try Timestamp(
            version: state.timestamp.signed.version + 1, expires: state.timestamp.signed.expires,
            snapshotMeta: try MetaFile(
                version: snapshot.version, length: Int64(snapshotBytes.count),
                hashes: ["sha256": TUFRepositoryFixture.sha256(snapshotBytes)]))
        let timestampBytes = try fixture.signers.sign(timestamp, as: "timestamp", in: state.root.signed).serialized()
        let metadata = fixture.repo.appendingPathComponent("metadata")
        try Data(targetsBytes).write(to: metadata.appendingPathComponent("\(targets.version).targets.json"))
        try Data(snapshotBytes).write(to: metadata.appendingPathComponent("\(snapshot.version).snapshot.json"))
        try Data(timestampBytes).write(to: metadata.appendingPathComponent("timestamp.json"))

        await #expect(throws: SoftwareAreaError.self) { _ = try await area.refreshRevocations() }
        #expect(area.knownRevocations().isEmpty)
        #expect(try area.acquireLease(holder: "job-1", packages: [try Self.id("zlib")], ttl: 60).packages == ["zlib/v1.3.1-1"])
        _ = try area.environment(for: [try Self.id("zlib")], base: [:], recording: nil)
    }

    /// Serving the metadata from before the revocation (a replay) is a rollback TUF refuses; the
    /// site keeps the revocation it knows and keeps refusing.
    @Test func replayedMetadataKeepsTheRevocation() async throws {
        let fixture = try AreaFixture("revoke-replay")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.zlib1])
        let area = try fixture.area()
        _ = try await area.install([try Self.id("zlib")])
        let timestamp = fixture.repo.appendingPathComponent("metadata/timestamp.json")
        let old = try Data(contentsOf: timestamp)
        try fixture.repository.revoke(try Self.id("zlib::v1.3.1-1"), reason: "replay me", signers: fixture.signers)
        #expect(try await area.refreshRevocations().revocations.map(\.reason) == ["replay me"])

        try old.write(to: timestamp)
        await #expect(throws: SoftwareAreaError.self) { _ = try await area.refreshRevocations() }
        #expect(area.knownRevocations().map(\.reason) == ["replay me"])
        #expect(throws: SoftwareAreaError.self) { try area.acquireLease(holder: "job-1", packages: [try Self.id("zlib")], ttl: 60) }
    }

    @Test func configurationReadsAndWritesThePolicy() throws {
        for policy in RevocationPolicy.allCases {
            let configuration = SoftwareArea.Configuration(repository: "file:///r", revocationPolicy: policy)
            let bytes = configuration.jsonBytes
            #expect(try SoftwareArea.Configuration(jsonBytes: bytes, path: "c") == configuration)
            #expect(String(decoding: bytes, as: UTF8.self).contains("revocation_policy") == (policy != .quarantine))
        }
        #expect(throws: SoftwareAreaError.self) {
            try SoftwareArea.Configuration(jsonBytes: Array(#"{"revocation_policy":"kill"}"#.utf8), path: "c")
        }
    }
}
