// JDL parsing throughput: generates a corpus of N realistic JDLs (seeded), parses each once
// per repetition, prints JDLs/s and MB/s as JSON.   jdl-bench [--count N] [--repeat R]
// `--big N`: instead, one JDL whose Packages list has N entries on one line and one with N
// attributes, each parsed (and checked) once per repetition; prints the best seconds of each.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import JDL

var arguments = ArraySlice(CommandLine.arguments.dropFirst())
var count = 10_000, repeats = 5, big = 0
while let flag = arguments.popFirst() {
    if flag == "--count", let value = arguments.popFirst().flatMap({ Int($0) }) { count = value }
    if flag == "--repeat", let value = arguments.popFirst().flatMap({ Int($0) }) { repeats = value }
    if flag == "--big", let value = arguments.popFirst().flatMap({ Int($0) }) { big = value }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// CPU time of this process: on a machine shared with other builds, wall time mostly says how busy it is.
func cpuSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

if big > 0 {
    let packages = "Packages = {" + (0..<big).map { "\"VO_ALICE@P\($0)::v1-\($0 % 7)\"" }.joined(separator: ", ") + "};\n"
    let attributes = (0..<big).map { "Attribute\($0) = \"value \($0)\";" }.joined(separator: "\n") + "\n"
    var bestPackages = Double.infinity, bestAttributes = Double.infinity
    var cpuPackages = Double.infinity, cpuAttributes = Double.infinity
    for _ in 0..<repeats {
        var start = ContinuousClock.now
        var cpu = cpuSeconds()
        let check = try JDLCheck(text: packages, arguments: [])
        bestPackages = min(bestPackages, seconds(ContinuousClock.now - start))
        cpuPackages = min(cpuPackages, cpuSeconds() - cpu)
        precondition(check.packages.entries.count == big)
        start = ContinuousClock.now
        cpu = cpuSeconds()
        let document = try JDLDocument(parsing: attributes)
        bestAttributes = min(bestAttributes, seconds(ContinuousClock.now - start))
        cpuAttributes = min(cpuAttributes, cpuSeconds() - cpu)
        precondition(document.attributes.count == big)
    }
    print("{\"entries\":\(big),\"packages_list_seconds\":\(bestPackages),\"packages_list_cpu_seconds\":\(cpuPackages),"
          + "\"packages_bytes\":\(packages.utf8.count),\"attributes_seconds\":\(bestAttributes),"
          + "\"attributes_cpu_seconds\":\(cpuAttributes),\"attributes_bytes\":\(attributes.utf8.count)}")
    exit(0)
}

/// A small deterministic generator (SplitMix64).
struct Generator {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

var generator = Generator(state: 42)
let packages = ["AliPhysics", "AliRoot", "ROOT", "jemalloc", "AliDPG", "GEANT3", "O2Physics", "xrootd"]
var corpus: [String] = []
for index in 0..<count {
    var text = "# generated job \(index)\nExecutable = \"/alice/cern.ch/user/a/alice/bin/job_\(index).sh\";\n"
    text += "Arguments = \"--run \(100_000 + generator.next(900_000)) --events \(generator.next(5000))\";\n"
    let chosen = (0..<(1 + generator.next(4))).map { _ in packages[generator.next(packages.count)] }
    text += "Packages = {\n" + chosen.map { "    \"VO_ALICE@\($0)::v5-09-\(generator.next(60))-\(generator.next(3))\"" }.joined(separator: ",\n") + "\n};\n"
    text += "InputFile = { \"LF:/alice/cern.ch/user/a/alice/input_\(index).C\", \"LF:/alice/data/2026/run\(index)/list.xml\" };\n"
    text += "Split = \"se\";\nSplitMaxInputFileNumber = \"\(10 + generator.next(90))\";\n"
    text += "OutputDir = \"/alice/cern.ch/user/a/alice/out/\(index)/#alien_counter_03i#\";\n"
    text += "OutputArchive = { \"log_archive.zip:std*@disk=1\", \"root_archive.zip:*.root@disk=2\" };\n"
    text += "Requirements = member(other.GridPartitions, \"Analysis\") && (other.TTL > \(generator.next(50_000)));\n"
    text += "TTL = \(3600 + generator.next(80_000));\n/* job \(index) ends here */\n"
    corpus.append(text)
}
let bytes = corpus.reduce(0) { $0 + $1.utf8.count }

var best = Double.infinity
var attributes = 0
for _ in 0..<repeats {
    let start = ContinuousClock.now
    attributes = 0
    for text in corpus { attributes += (try? JDLDocument(parsing: text))?.attributes.count ?? 0 }
    let elapsed = ContinuousClock.now - start
    best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}
print("{\"jdls\":\(count),\"bytes\":\(bytes),\"attributes\":\(attributes),\"best_seconds\":\(best),"
      + "\"jdls_per_second\":\(Int(Double(count) / best)),\"mb_per_second\":\(Double(bytes) / best / 1_000_000)}")
