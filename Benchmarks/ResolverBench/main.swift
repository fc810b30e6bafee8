// In-process resolution benchmark: times `Resolver.resolve` (recipes read from disk once,
// parsed and resolved on every repetition, as a fresh CLI run would) and prints JSON.
//
//   resolver-bench --config-dir DIR --defaults D --arch A --repeat N PKG...
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
let targets = try arguments.map { try PackageName($0) }

// Read every file once, so the timing is parsing + resolution + hashing, not the page cache.
let onDisk = DirectoryRecipeProvider(configDir: configDir)
var files: [String: String] = [:]
for name in try FileManager.default.contentsOfDirectory(atPath: configDir) where name.hasSuffix(".sh") {
    files[name] = try onDisk.file(named: name)?.text
}
let provider = InMemoryRecipeProvider(files: files, label: configDir)
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
