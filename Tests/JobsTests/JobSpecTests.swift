import AlienModel
import JDL
import Jobs
import Testing

extension JobsProcessTests {
    @Suite struct JobSpecTests {
        static func check(_ text: String, _ arguments: [String] = []) throws -> JDLCheck {
            try JDLCheck(text: text, arguments: arguments)
        }

        @Test func takesPackagesCommandAndLeaseFromTheJDL() throws {
            let check = try Self.check(
                #"Packages = {"VO_ALICE@ROOT::latest", "zlib"}; Executable = "run.sh"; Arguments = "a  $1 c"; TTL = 600; User = "aliprod";"#,
                ["b"])
            let job = try JobSpec(check: check, file: "job.jdl", command: [], holder: "job-1")
            #expect(job.requests.map(\.name.rawValue) == ["ROOT", "zlib"])
            #expect(job.command == ["run.sh", "a", "b", "c"])
            #expect(job.holder == "job-1")
            #expect(job.leaseSeconds == 600 + 3_600)
            #expect(job.jdlUser == "aliprod")
        }

        @Test func aGivenCommandWinsAndAHolderIsMadeUp() throws {
            let job = try JobSpec(check: try Self.check(#"Packages = {"ROOT"}; Executable = "x";"#), file: "f", command: ["sh", "-c", "true"], holder: nil)
            #expect(job.command == ["sh", "-c", "true"])
            #expect(job.holder.hasPrefix("jdl-"))
            #expect(job.leaseSeconds == 86_400, "a day without TTL")
            #expect(job.jdlUser == nil)
        }

        @Test func argumentsMayBeAList() throws {
            let document = try Self.check(#"Executable = "e"; Arguments = {"x y", "z"};"#).document
            #expect(try JobSpec.command(document, file: "f") == ["e", "x y", "z"])
        }

        @Test func refusesAFailedCheckAndAMissingCommand() throws {
            #expect(throws: JobError.self) {
                try JobSpec(check: try Self.check(#"Packages = {"ROOT::v1-1", "ROOT::v2-1"}; Executable = "x";"#), file: "two.jdl", command: [], holder: nil)
            }
            let check = try Self.check(#"Packages = {"ROOT"};"#)
            do throws(JobError) {
                _ = try JobSpec(check: check, file: "none.jdl", command: [], holder: nil)
                Issue.record("a JDL without Executable and no command was accepted")
            } catch {
                guard case let .noCommand(file) = error else { Issue.record("\(error)"); return }
                #expect(file == "none.jdl")
                #expect(error.exitStatus == 1)
            }
        }
    }
}
