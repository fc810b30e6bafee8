import Foundation
import Testing
@testable import Forensics

@Suite struct BatchJobTests {
    @Test(
        arguments: [
            (["SLURM_JOB_ID": "4711", "SLURM_CLUSTER_NAME": "hpc"], BatchJob(system: .slurm, id: "4711", cluster: "hpc")),
            (["SLURM_JOB_ID": "4712", "SLURM_ARRAY_JOB_ID": "4700", "SLURM_ARRAY_TASK_ID": "12"], BatchJob(system: .slurm, id: "4700_12")),
            (["PBS_JOBID": "123.pbs-server"], BatchJob(system: .pbs, id: "123.pbs-server")),
            (["LSB_JOBID": "99"], BatchJob(system: .lsf, id: "99")),
            (["LSB_JOBID": "99", "LSB_JOBINDEX": "0"], BatchJob(system: .lsf, id: "99")),
            (["LSB_JOBID": "99", "LSB_JOBINDEX": "3"], BatchJob(system: .lsf, id: "99[3]")),
            (["JOB_ID": "555", "SGE_ROOT": "/opt/sge", "SGE_TASK_ID": "undefined"], BatchJob(system: .sge, id: "555")),
            (["JOB_ID": "555", "SGE_O_HOST": "ui01", "SGE_TASK_ID": "4"], BatchJob(system: .sge, id: "555.4")),
            // Slurm first when a job is nested (a Slurm allocation inside another batch system's job).
            (["SLURM_JOB_ID": "1", "PBS_JOBID": "2"], BatchJob(system: .slurm, id: "1"))
        ] as [([String: String], BatchJob)])
    func detectsTheBatchSystemsJob(environment: [String: String], expected: BatchJob) {
        #expect(BatchJob.detect(in: environment, readFile: { _ in nil }) == expected)
    }

    @Test func outsideABatchJobThereIsNone() {
        #expect(BatchJob.detect(in: ["PATH": "/bin", "HOME": "/root"], readFile: { _ in nil }) == nil)
        // A bare JOB_ID is not SGE's: other tools set it too.
        #expect(BatchJob.detect(in: ["JOB_ID": "7"], readFile: { _ in nil }) == nil)
        #expect(BatchJob.detect(in: ["SLURM_JOB_ID": "  "], readFile: { _ in nil }) == nil)
    }

    @Test func htcondorsJobIDComesFromTheJobAd() throws {
        let ad = """
            ClusterId = 1234
            ProcId = 7
            GlobalJobId = "schedd.example.org#1234.7#1733400000"
            Owner = "alice"
            """
        let environment = ["_CONDOR_JOB_AD": "/scratch/.job.ad"]
        #expect(
            BatchJob.detect(in: environment, readFile: { $0 == "/scratch/.job.ad" ? ad : nil })
                == BatchJob(system: .htcondor, id: "schedd.example.org#1234.7#1733400000"))
        #expect(BatchJob.detect(in: environment, readFile: { _ in "ClusterId = 1234\nProcId = 7\n" }) == BatchJob(system: .htcondor, id: "1234.7"))
        #expect(BatchJob.detect(in: environment, readFile: { _ in "Owner = \"alice\"\n" }) == nil, "an ad without the job's id names no job")
        #expect(BatchJob.detect(in: environment, readFile: { _ in nil }) == nil)

        // The real file reader: a regular file of bounded size.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("batchjob-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(".job.ad")
        try Data(ad.utf8).write(to: file)
        #expect(BatchJob.detect(in: ["_CONDOR_JOB_AD": file.path])?.id == "schedd.example.org#1234.7#1733400000")
        #expect(BatchJob.readSmallFile(directory.path) == nil, "a folder is not a job ad")
        try Data(count: BatchJob.maximumJobAdSize + 1).write(to: file)
        #expect(BatchJob.readSmallFile(file.path) == nil, "a file over the limit is not read")
    }
}
