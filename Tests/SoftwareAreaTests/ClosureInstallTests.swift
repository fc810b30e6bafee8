import AlienModel
import Foundation
@testable import SoftwareArea
import Testing
import TestSupport
import Transport
import Trust

/// Closures installed in parallel: the same records as one at a time, every visible package's
/// dependencies visible at every moment, a failure leaving only complete packages.
@Suite struct ClosureInstallTests {
    /// A diamond and a chain: top needs mid-a and mid-b, both need base; leaf needs top.
    static let base: FixturePackage = {
        var package = FixturePackage(name: "base", version: "v1")
        package.programs = ["base-hello": "#!/bin/sh\necho \"base at {PREFIX}\"\n"]
        package.blobSize = 50_000
        return package
    }()
    static let midA = FixturePackage(name: "mid-a", version: "v2", requires: [base])
    static let midB: FixturePackage = {
        var package = FixturePackage(name: "mid-b", version: "v3", requires: [base])
        package.blobSize = 80_000
        return package
    }()
    static let top = FixturePackage(name: "top", version: "v4", requires: [midA, midB])
    static let leaf = FixturePackage(name: "leaf", version: "v5", requires: [top])
    static let all = [base, midA, midB, top, leaf]

    /// A record without what differs between two installs of the same package (time, prefix,
    /// and the bytes of relocated files, which name the prefix).
    static func comparable(_ record: InstallRecord) -> InstallRecord {
        var copy = record
        copy.installedAt = 0
        copy.prefix = ""
        for index in copy.files.indices where copy.files[index].path == "bin/base-hello" {
            copy.files[index].sha256 = nil
            copy.files[index].size = 0
        }
        return copy
    }

    static func records(_ area: SoftwareArea) -> [String: InstallRecord] {
        Dictionary(uniqueKeysWithValues: area.installed().map { ($0.key.description, comparable($0.record)) })
    }

    @Test func parallelGivesTheRecordsOfASequentialInstall() async throws {
        let fixture = try AreaFixture("closure-same")
        defer { fixture.cleanUp() }
        try fixture.publish(Self.all, pieces: true, pieceLength: 16 << 10)
        let sequential = try fixture.area("sequential")
        let parallel = try fixture.area("parallel")
        let one = try await sequential.install([try PackageID(parsing: "leaf")], options: .init(parallelism: 1))
        let many = try await parallel.install([try PackageID(parsing: "leaf")], options: .init(parallelism: 8))
        #expect(one.map(\.package) == many.map(\.package))
        #expect(many.map(\.status) == Array(repeating: .installed, count: Self.all.count))
        #expect(many.first?.package.name.rawValue == "base" && many.last?.package.name.rawValue == "leaf", "outcomes in dependency order")
        let expected = Self.records(sequential)
        #expect(expected.count == Self.all.count)
        #expect(Self.records(parallel) == expected)
        // Relocated for its own place in each area.
        let prefix = "\(fixture.areaPath("parallel"))/\(AreaFixture.arch)/base/v1-1"
        #expect(try AreaFixture.run("\(prefix)/bin/base-hello").1 == "base at \(prefix)\n")
        #expect(AreaFixture.tree("\(fixture.areaPath("parallel"))/.alien/stage").isEmpty)
    }

    /// Checks, at each rename, that the new package's dependencies are already in place.
    final class OrderChecker: AreaReporter, @unchecked Sendable {
        let root: String
        let lock = NSLock()
        var violations: [String] = []
        var installed: [String] = []

        init(root: String) { self.root = root }

        func report(_ event: AreaEvent) {
            guard case let .installed(key, _) = event else { return }
            let package = ClosureInstallTests.all.first { $0.name == key.name.rawValue }!
            lock.withLock {
                installed.append(key.name.rawValue)
                for dependency in package.requires {
                    let record = "\(root)/\(AreaFixture.arch)/\(dependency.name)/\(dependency.version)-\(dependency.revision)/\(InstallRecord.fileName)"
                    if !FileManager.default.fileExists(atPath: record) { violations.append("\(key.name) before \(dependency.name)") }
                }
            }
        }
    }

    @Test func aPackageBecomesVisibleOnlyAfterItsDependencies() async throws {
        let fixture = try AreaFixture("closure-order")
        defer { fixture.cleanUp() }
        try fixture.publish(Self.all, pieces: true, pieceLength: 16 << 10)
        let checker = OrderChecker(root: fixture.areaPath())
        let area = try fixture.area(reporter: checker)
        _ = try await area.install([try PackageID(parsing: "leaf")], options: .init(parallelism: 8))
        #expect(checker.violations.isEmpty)
        #expect(Set(checker.installed) == Set(Self.all.map(\.name)))
    }

    @Test func aFailureLeavesOnlyCompletePackagesAndTheRerunCompletes() async throws {
        let fixture = try AreaFixture("closure-failure")
        defer { fixture.cleanUp() }
        try fixture.publish(Self.all, pieces: true, pieceLength: 16 << 10)
        // mid-b's stored tarball is damaged: its download fails piece verification.
        let stored = try fixture.storedTarball(Self.midB)
        let good = try Data(contentsOf: stored)
        var bad = good
        bad[bad.count / 2] ^= 0xFF
        try bad.write(to: stored)
        let area = try fixture.area()
        await #expect {
            _ = try await area.install([try PackageID(parsing: "leaf")], options: .init(parallelism: 8))
        } throws: { error in
            guard case let SoftwareAreaError.trust(package, refusal) = error else { return false }
            return package.hasPrefix("mid-b") && "\(refusal)".contains("piece")
        }
        // Whatever is visible is complete, with its dependencies; nothing half-made is left.
        for package in area.installed() {
            #expect(area.verify(package).ok)
            let fixturePackage = Self.all.first { $0.name == package.key.name.rawValue }!
            for dependency in fixturePackage.requires {
                #expect(area.installed().contains { $0.key.name.rawValue == dependency.name }, "\(package.key) visible without \(dependency.name)")
            }
        }
        #expect(!area.installed().contains { ["mid-b", "top", "leaf"].contains($0.key.name.rawValue) })
        #expect(AreaFixture.tree("\(fixture.areaPath())/.alien/stage").isEmpty)
        try good.write(to: stored)
        let rerun = try await area.install([try PackageID(parsing: "leaf")])
        #expect(Set(rerun.filter { $0.status == .installed }.map(\.package.name.rawValue)).isSuperset(of: ["mid-b", "top", "leaf"]))
        #expect(area.installed().count == Self.all.count)
    }

    @Test func aLockHeldElsewhereIsWaitedForAndReported() async throws {
        let fixture = try AreaFixture("closure-lock")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.base])
        let reporter = RecordingReporter()
        let area = try fixture.area(reporter: reporter)
        let key = try PackageBuild(parsing: "base/v1-1")
        // Another installer (another open file description: flock excludes it as another process).
        let held = try FileLock.acquire(area.layout.lock(key))
        let install = Task { try await area.install([try PackageID(parsing: "base")]) }
        // The install says whom it waits for (this process wrote its pid as the holder).
        while !reporter.events.contains(where: { if case .waiting(key, _, Int32(getpid())) = $0 { true } else { false } }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(area.installed().isEmpty)
        held.unlock()
        let outcomes = try await install.value
        #expect(outcomes.map(\.status) == [.installed])
    }

    @Test func lockFilesAndStateFoldersAreTheOwnersAlone() async throws {
        let fixture = try AreaFixture("closure-private")
        defer { fixture.cleanUp() }
        try fixture.publish([Self.base])
        let area = try fixture.area()
        _ = try await area.install([try PackageID(parsing: "base")])
        func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1 }
        let lock = area.layout.lock(try PackageBuild(parsing: "base/v1-1"))
        #expect(mode(lock) == 0o600)
        #expect(mode(area.layout.locks) == 0o700)
        #expect(mode(area.layout.stage) == 0o700)
        #expect(mode(area.layout.trash) == 0o700)
    }

    @Test func readOnlyOpeningNeverCreatesAnArea() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("alien-no-area-\(UUID().uuidString)").path
        #expect {
            _ = try SoftwareArea.open(root: missing, arch: AreaFixture.arch, fetcher: HTTPClient(), mode: .existing)
        } throws: { error in
            guard case let SoftwareAreaError.noArea(path, reason) = error else { return false }
            return path == missing && reason == "no such directory"
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
        // A folder that is not an area stays as it is too.
        try FileManager.default.createDirectory(atPath: missing, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: missing) }
        #expect(throws: SoftwareAreaError.noArea(path: missing, reason: "no .alien/ folder in it")) {
            _ = try SoftwareArea.open(root: missing, arch: AreaFixture.arch, fetcher: HTTPClient(), mode: .existing)
        }
        #expect(AreaFixture.tree(missing).isEmpty)
    }
}
