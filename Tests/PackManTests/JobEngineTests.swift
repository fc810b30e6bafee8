import AlienModel
import Foundation
import PackMan
import PackManAPI
import SoftwareArea
import Testing

@Suite struct JobEngineTests {
    /// A package text that is no package id keeps the model's refusal (HTTP 400 says its words).
    @Test func aBadPackageTextKeepsTheModelsRefusal() {
        let error = EngineError.invalidPackageID("RO OT", .invalidPackageName("RO OT", reason: "character \" \" is not allowed"))
        #expect(error.description == "RO OT: invalid package name \"RO OT\": character \" \" is not allowed")
        #expect(error != .stopping)
    }

    @Test func jobsLeftInTheDatabaseAreResumedUnderTheirIds() async throws {
        let fixture = try PackManFixture("resume")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let config = fixture.config()
        // A previous run accepted a job and died: it is in the database as running.
        let store = try StateStore(path: config.databasePath)
        try store.save(
            .init(
                status: JobStatus(id: "jold", kind: .install, state: .running, packages: ["ROOT"], created: 1, identity: "agent"),
                lease: LeaseSpec(holder: "job-7", ttl: 600), removeUndefined: false))
        let daemon = try await fixture.daemon(config)
        #expect(daemon.resumed == ["jold"])
        let job = await daemon.engine.wait("jold", seconds: 3600)  // returns when finished; the bound only catches a hang
        #expect(job?.state == .succeeded && job?.installed.sorted() == ["ROOT/v6-32-06-1", "zlib/v1.3.1-1"], "\(String(describing: job))")
        #expect(daemon.area.liveLeases().map(\.holder) == ["job-7"])
        let audit = try daemon.store.auditLog().filter { $0.job == "jold" }.map(\.action)
        #expect(audit == ["resume", "install"])
    }

    @Test func aDrainingEngineTakesNoJobs() async throws {
        let fixture = try PackManFixture("drain")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let daemon = try await fixture.daemon()
        let (job, joined) = try await daemon.engine.install(["zlib"], lease: nil, identity: "test")
        #expect(!joined)
        await daemon.engine.drain(grace: 60)
        // The running job was let finish; nothing new is accepted.
        #expect(await daemon.engine.job(job.id)?.state == .succeeded)
        await #expect(throws: EngineError.stopping) { try await daemon.engine.install(["ROOT"], lease: nil, identity: "test") }
        let counts = await daemon.engine.counts
        #expect(counts.running == 0 && counts.queued == 0)
    }

    @Test func aJobsLeasesAreTakenAndAFinishedJobIsNotJoined() async throws {
        let fixture = try PackManFixture("leases")
        defer { fixture.cleanUp() }
        try fixture.publish()
        let daemon = try await fixture.daemon()
        let (first, joined) = try await daemon.engine.install(["zlib"], lease: LeaseSpec(holder: "job-1", ttl: 600), identity: "test")
        #expect(!joined)
        let finished = await daemon.engine.wait(first.id, seconds: 3600)  // returns when finished; the bound only catches a hang
        #expect(finished?.state == .succeeded && finished?.error == nil, "\(String(describing: finished))")
        #expect(daemon.area.liveLeases().map(\.holder) == ["job-1"])
        // The same request again is a job of its own (finding zlib installed), and its lease is taken too.
        let (second, joinedAgain) = try await daemon.engine.install(["zlib"], lease: LeaseSpec(holder: "job-2", ttl: 600), identity: "test")
        #expect(!joinedAgain && second.id != first.id)
        let again = await daemon.engine.wait(second.id, seconds: 3600)
        #expect(again?.state == .succeeded && again?.installed == [], "\(String(describing: again))")
        #expect(daemon.area.liveLeases().map(\.holder).sorted() == ["job-1", "job-2"])
    }
}
