// In-process resolution benchmark: times `Resolver.resolve` (recipes read from disk once,
// parsed and resolved on every repetition, as a fresh CLI run would) and prints JSON.
//
//   resolver-bench --config-dir DIR --defaults D --arch A --repeat N PKG...
//   resolver-bench --chain N [--repeat R]   a generated `requires` chain N deep (in memory)
import AlienModel
import Foundation
import HostEnvironment
import Recipes
import Resolver

nonisolated(unsafe) var arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, default value: String) -> String {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
    let found = arguments[index + 1]
    arguments.removeSubrange(index...index + 1)
    return found
}
let configDir = option("--config-dir", default: "recipes")
let defaults = option("--defaults", default: "release")
let architecture = try Architecture(option("--arch", default: "slc7_x86-64"))
let repeats = Int(option("--repeat", default: "20")) ?? 20
let chain = Int(option("--chain", default: "0")) ?? 0
var targets = try arguments.map { try PackageName($0) }

var files: [String: String] = [:]
if chain > 0 {
    // p0 requires p1 requires ... p(N-1): each recipe small, with an env block.
    files["defaults-release.sh"] = "package: defaults-release\nversion: v1\n---\n"
    for index in 0..<chain {
        let requires = index + 1 < chain ? "requires:\n  - p\(index + 1)\n" : ""
        files["p\(index).sh"] = "package: p\(index)\nversion: v\(index)\n\(requires)env:\n  P\(index)_X: \"\(index)\"\n---\necho \(index)\n"
    }
    targets = [try PackageName("p0")]
} else {
    // Read every file once, so the timing is parsing + resolution + hashing, not the page cache.
    let onDisk = DirectoryRecipeProvider(configDir: configDir)
    for name in try FileManager.default.contentsOfDirectory(atPath: configDir) where name.hasSuffix(".sh") {
        files[name] = try onDisk.file(named: name)?.text
    }
}
let provider = InMemoryRecipeProvider(files: files, label: chain > 0 ? "chain-\(chain)" : configDir)
let request = ResolutionRequest(targets: targets, defaults: defaults, architecture: architecture)

var seconds: [Double] = []
var packages = 0
for _ in 0..<repeats {
    let start = ContinuousClock.now
    let plan = try Resolver(provider: provider).resolve(request)
    let elapsed = ContinuousClock.now - start
    packages = plan.packages.count
    seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}
seconds.sort()
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let result: [String: Any] = [
    "median_s": seconds[seconds.count / 2], "min_s": seconds[0], "repeat": repeats,
    "packages": packages, "peak_rss_mb": Double(usage.ru_maxrss) / 1024,
]
let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: data, as: UTF8.self))
