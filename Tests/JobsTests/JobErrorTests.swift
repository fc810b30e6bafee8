import Jobs
import PackManAPI
import SoftwareArea
import Testing

extension JobsProcessTests {
    @Suite struct JobErrorTests {
        @Test func exitStatusesAreAJobWrappers() {
            #expect(JobError.commandNotFound("nope").exitStatus == 127)
            #expect(JobError.cannotRun(path: "/x", reason: "Permission denied").exitStatus == 126)
            #expect(JobError.notInstalled(area: "/sw", missing: ["ROOT"]).exitStatus == 1)
            #expect(JobError.area(.unreachable(package: "ROOT", reason: "down")).exitStatus == 1)
        }

        @Test func descriptionsNameWhatAndWhere() {
            #expect(JobError.commandNotFound("nope").description == "nope: command not found in the environment's PATH")
            #expect(
                JobError.notInstalled(area: "/sw", missing: ["ROOT", "zlib"]).description
                    == "not installed in /sw (and the area knows no repository to install from): ROOT, zlib")
            #expect(JobError.problems(file: "j.jdl", ["a", "b"]).description == "j.jdl: a; b")
            #expect(JobError.daemonJob(id: "7", state: "failed", reason: "disk full").description == "packmand job 7 failed: disk full")
            #expect(JobError.daemon(.unreachable(endpoint: "unix:/s", reason: "no socket")).description == "packmand at unix:/s unreachable: no socket")
            #expect(!JobError.noCommand(file: "f.jdl").description.contains("--"), "no command-line syntax in library messages")
        }
    }
}
