import AlienModel
import Forensics
import Foundation
import Jobs
import PackManAPI
import Publisher
import SoftwareArea
import Synchronization
import Testing
import Trust

extension JobsProcessTests {
    @Suite struct JobRunnerTests {
        static let environment = ["PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "HOME": "/tmp"]

        final class Warnings: Sendable {
            let lines = Mutex<[String]>([])
            var all: [String] { lines.withLock { $0 } }
            func add(_ line: String) { lines.withLock { $0.append(line) } }
        }

        static func runner(_ area: SoftwareArea, daemon: PackManClient? = nil, warnings: Warnings = Warnings()) -> JobRunner {
            JobRunner(area: area, daemon: daemon, environment: environment, warn: { warnings.add($0) })
        }

        static func job(_ command: [String], holder: String = "job-1", _ requests: [String] = ["ROOT"]) throws -> JobSpec {
            JobSpec(requests: try requests.map { try PackageID(parsing: $0) }, command: command, holder: holder, leaseSeconds: 3_600, jdlUser: "aliprod")
        }

        @Test func runsTheCommandLeasedInTheEnvironmentAndRecordsTheUse() async throws {
            let fixture = try JobsFixture()
            defer { fixture.remove() }
            let area = try fixture.area()
            let output = fixture.root.appendingPathComponent("out.txt").path
            // The child sees its lease, its job id and the packages' environment; its status comes back.
            let script = #"test -f "$LEASES/$ALIEN_JOB_ID.json" && echo "$ALIEN_JOB_ID $ROOT_VERSION $ZLIB_VERSION" > "$OUT"; exit 5"#
            var runner = Self.runner(area)
            runner.environment["LEASES"] = fixture.leases
            runner.environment["OUT"] = output
            let status = try await runner.run(try Self.job(["sh", "-c", script]))
            #expect(status == 5)
            #expect(try String(contentsOfFile: output, encoding: .utf8) == "job-1 v6-32-06 v1.3.1\n")
            #expect(!FileManager.default.fileExists(atPath: "\(fixture.leases)/job-1.json"), "the lease is released")
            let records = try UsageLog(path: fixture.usageLog).records().records
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(record.kind == .runJDL && record.jobID == "job-1" && record.jdlUser == "aliprod" && record.exitStatus == 5)
            #expect(record.packages.map(\.id) == ["VO_ALICE@zlib::v1.3.1-1", "VO_ALICE@ROOT::v6-32-06-1"])
            #expect(record.packages.allSatisfy { $0.sha256 == String(repeating: "ab", count: 32) })
            // Both packages count as used for gc.
            #expect(area.installed().allSatisfy { $0.lastUsed > 1_700_000_000 })
        }

        @Test func aCommandKilledBySignalGives128PlusTheSignal() async throws {
            let fixture = try JobsFixture()
            defer { fixture.remove() }
            let status = try await Self.runner(try fixture.area()).run(try Self.job(["sh", "-c", "kill -TERM $$"]))
            #expect(status == 128 + SIGTERM)
            #expect(!FileManager.default.fileExists(atPath: "\(fixture.leases)/job-1.json"))
        }

        @Test func aMissingCommandIs127AndReleasesTheLease() async throws {
            let fixture = try JobsFixture()
            defer { fixture.remove() }
            let runner = Self.runner(try fixture.area()), job = try Self.job(["no-such-program-here"])
            do throws(JobError) {
                _ = try await runner.run(job)
                Issue.record("a missing command ran")
            } catch {
                #expect(error.exitStatus == 127)
                guard case .commandNotFound("no-such-program-here") = error else { Issue.record("\(error)"); return }
            }
            #expect(!FileManager.default.fileExists(atPath: "\(fixture.leases)/job-1.json"))
            #expect(!FileManager.default.fileExists(atPath: fixture.usageLog), "nothing ran, nothing is recorded")
        }

        @Test func withoutARepositoryMissingPackagesAreNamed() async throws {
            let fixture = try JobsFixture()
            defer { fixture.remove() }
            let runner = Self.runner(try fixture.area()), job = try Self.job(["true"], ["ROOT", "AliPhysics::v5"])
            do throws(JobError) {
                _ = try await runner.run(job)
                Issue.record("a job with a missing package ran")
            } catch {
                guard case let .notInstalled(area, missing) = error else { Issue.record("\(error)"); return }
                #expect(area == fixture.root.path)
                #expect(missing.count == 1 && missing[0].contains("AliPhysics"))
            }
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: fixture.leases)) ?? []).isEmpty)
        }

        /// A trusted root, and a repository at `url` (nothing listens there, or another repository).
        static func trustedArea(_ fixture: JobsFixture, repository url: String) throws -> SoftwareArea {
            let keys = fixture.root.appendingPathComponent("trusted-repo")
            let repository = Repository(store: RepositoryStore(location: keys.path, synchronize: false))
            try repository.initialize(
                rootKeys: [SigningKey.generate()], rootThreshold: 1, targetsKey: SigningKey.generate(),
                snapshotKey: SigningKey.generate(), timestampKey: SigningKey.generate())
            return try fixture.area(repository: url, rootFile: keys.appendingPathComponent("metadata/1.root.json").path)
        }

        @Test func anUnreachableRepositoryFallsBackToWhatIsInstalled() async throws {
            let fixture = try JobsFixture()
            defer { fixture.remove() }
            let warnings = Warnings()
            let area = try Self.trustedArea(fixture, repository: "http://127.0.0.1:1")
            let status = try await Self.runner(area, warnings: warnings).run(try Self.job(["sh", "-c", #"test "$ROOT_VERSION" = v6-32-06"#]))
            #expect(status == 0)
            #expect(warnings.all.contains { $0.contains("repository unreachable") && $0.contains("using the installed packages") }, "\(warnings.all)")
        }

        @Test func aRefusingRepositoryStopsTheJob() async throws {
            let fixture = try JobsFixture()
            defer { fixture.remove() }
            // Another repository's metadata, signed by keys the area does not trust.
            let other = fixture.root.appendingPathComponent("other-repo")
            try Repository(store: RepositoryStore(location: other.path, synchronize: false)).initialize(
                rootKeys: [SigningKey.generate()], rootThreshold: 1, targetsKey: SigningKey.generate(), snapshotKey: SigningKey.generate(),
                timestampKey: SigningKey.generate())
            let area = try Self.trustedArea(fixture, repository: "file://" + other.path)
            let job = try Self.job(["true"])
            do throws(JobError) {
                _ = try await Self.runner(area).run(job)
                Issue.record("a job ran although the repository's metadata was refused")
            } catch {
                guard case let .area(cause) = error, case .trust = cause else { Issue.record("\(error)"); return }
            }
        }

        @Test func anUnreachableDaemonIsTyped() async throws {
            let fixture = try JobsFixture()
            defer { fixture.remove() }
            let daemon = try PackManClient(endpoint: "unix:" + fixture.root.appendingPathComponent("no.sock").path, token: "t")
            let runner = Self.runner(try fixture.area(), daemon: daemon), job = try Self.job(["true"])
            do throws(JobError) {
                _ = try await runner.run(job)
                Issue.record("ran without the daemon")
            } catch {
                guard case .daemon(.unreachable) = error else { Issue.record("\(error)"); return }
            }
        }

        @Test func spawnFindsTheProgramInTheGivenPath() async throws {
            #expect(try await JobRunner.spawn(["sh", "-c", "exit 7"], environment: Self.environment) == 7)
            await #expect(throws: JobError.self) { try await JobRunner.spawn(["sh"], environment: ["PATH": "/nonexistent"]) }
        }
    }
}
