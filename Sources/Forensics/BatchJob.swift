import Foundation

/// The batch system's identity of the job a process runs in, taken from what the batch systems
/// put into a job's environment: what a site admin matches against the batch system's own
/// accounting when asking "which job ran this package".
public struct BatchJob: Equatable, Hashable, Sendable, Codable {
    public enum System: String, Sendable, Codable, CaseIterable {
        case slurm, htcondor, pbs, lsf, sge
    }

    public var system: System
    /// The job id as the batch system prints it (`1234_7` for a Slurm array task, `1234[7]` for
    /// an LSF array element, `1234.7` for an SGE task, HTCondor's GlobalJobId).
    public var id: String
    /// The cluster, when the batch system says (Slurm's `SLURM_CLUSTER_NAME`).
    public var cluster: String?

    public init(system: System, id: String, cluster: String? = nil) {
        self.system = system
        self.id = id
        self.cluster = cluster
    }

    /// The largest HTCondor job ad read (an ad is a few kilobytes).
    public static let maximumJobAdSize = 1 << 20

    /// The job of `environment`, checked in this order: Slurm (`SLURM_JOB_ID`, array tasks
    /// `SLURM_ARRAY_JOB_ID`_`SLURM_ARRAY_TASK_ID`), HTCondor (`GlobalJobId`, else
    /// `ClusterId.ProcId`, from the job ad named by `_CONDOR_JOB_AD`), PBS/Torque (`PBS_JOBID`),
    /// LSF (`LSB_JOBID`, array elements `LSB_JOBID[LSB_JOBINDEX]`), SGE (`JOB_ID` with `SGE_ROOT`
    /// or `SGE_O_HOST` set, tasks `JOB_ID.SGE_TASK_ID`). Nil outside a batch job. `readFile`
    /// reads the HTCondor job ad (at most `maximumJobAdSize` bytes).
    public static func detect(
        in environment: [String: String],
        readFile: (String) -> String? = BatchJob.readSmallFile
    ) -> BatchJob? {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        if let id = value("SLURM_JOB_ID") {
            let array = value("SLURM_ARRAY_JOB_ID").flatMap { job in value("SLURM_ARRAY_TASK_ID").map { "\(job)_\($0)" } }
            return BatchJob(system: .slurm, id: array ?? id, cluster: value("SLURM_CLUSTER_NAME"))
        }
        if let adPath = value("_CONDOR_JOB_AD"), let ad = readFile(adPath), let id = htcondorJobID(ad) {
            return BatchJob(system: .htcondor, id: id)
        }
        if let id = value("PBS_JOBID") {
            return BatchJob(system: .pbs, id: id)
        }
        if let id = value("LSB_JOBID") {
            let index = value("LSB_JOBINDEX").flatMap { $0 == "0" ? nil : $0 }
            return BatchJob(system: .lsf, id: index.map { "\(id)[\($0)]" } ?? id)
        }
        if let id = value("JOB_ID"), value("SGE_ROOT") != nil || value("SGE_O_HOST") != nil {
            let task = value("SGE_TASK_ID").flatMap { $0 == "undefined" ? nil : $0 }
            return BatchJob(system: .sge, id: task.map { "\(id).\($0)" } ?? id)
        }
        return nil
    }

    /// `GlobalJobId = "schedd#1234.0#1700000000"` of a job ad, else `ClusterId.ProcId`.
    static func htcondorJobID(_ ad: String) -> String? {
        var attributes: [String: String] = [:]
        for line in ad.split(whereSeparator: \.isNewline) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            var text = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
            attributes[name.lowercased()] = text
        }
        if let global = attributes["globaljobid"], !global.isEmpty { return global }
        guard let cluster = attributes["clusterid"], let process = attributes["procid"], Int(cluster) != nil, Int(process) != nil else { return nil }
        return "\(cluster).\(process)"
    }

    /// The text of a regular file of at most `maximumJobAdSize` bytes.
    public static func readSmallFile(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let size = attributes[.size] as? Int, size <= maximumJobAdSize,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
