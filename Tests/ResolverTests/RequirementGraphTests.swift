import AlienModel
import Recipes
import Resolver
import Testing
import TestSupport

/// Closures computed from the shared graph (issue 15 §4: stored closures made a 10 000-deep
/// chain quadratic in memory), checked against the recursive definitions aliBuild uses.
@Suite struct RequirementGraphTests {
    typealias F = RecipeFixtures

    /// A random DAG of `count` packages (p_i may depend on p_j for j > i), as recipes.
    static func stack(seed: UInt64, count: Int) -> [String: String] {
        var generator = SeededGenerator(seed: seed)
        var files = ["defaults-release.sh": F.defaultsRelease]
        for i in 0..<count {
            var runtime: [String] = [], build: [String] = []
            if i + 1 < count {
                for _ in 0..<generator.next(below: 4) {
                    let j = i + 1 + generator.next(below: count - i - 1)
                    if generator.next(below: 2) == 0 { runtime.append("p\(j)") } else { build.append("p\(j)") }
                }
            }
            var header = "package: p\(i)\nversion: v1"
            if !runtime.isEmpty { header += "\nrequires: [\(Array(Set(runtime)).sorted().joined(separator: ", "))]" }
            if !build.isEmpty { header += "\nbuild_requires: [\(Array(Set(build)).sorted().joined(separator: ", "))]" }
            files["p\(i).sh"] = F.text(header)
        }
        // Everything reachable from p0.
        let all = (1..<count).map { "p\($0)" }.joined(separator: ", ")
        files["top.sh"] = F.text("package: top\nversion: v1\nrequires: [p0]\nbuild_requires: [\(all)]")
        return files
    }

    /// The closures as aliBuild defines them, by recursion over the build order.
    static func reference(_ plan: BuildPlan) -> [PackageName: (full: Set<PackageName>, runtime: Set<PackageName>, build: Set<PackageName>)] {
        var result: [PackageName: (full: Set<PackageName>, runtime: Set<PackageName>, build: Set<PackageName>)] = [:]
        for name in plan.buildOrder {
            let package = plan[name]!
            var full = Set<PackageName>(), runtime = Set<PackageName>(), build = Set<PackageName>()
            for d in package.requires where result[d] != nil { full.insert(d); full.formUnion(result[d]!.full) }
            for d in package.runtimeRequires where result[d] != nil { runtime.insert(d); runtime.formUnion(result[d]!.runtime) }
            for d in package.buildRequires where result[d] != nil { build.insert(d); build.formUnion(result[d]!.full) }
            for d in package.runtimeRequires where result[d] != nil { build.formUnion(result[d]!.build) }
            build.subtract(runtime)
            result[name] = (full, runtime, build)
        }
        return result
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func closuresMatchTheRecursiveDefinition(seed: UInt64) throws {
        let files = Self.stack(seed: seed, count: 40)
        let request = ResolutionRequest(targets: [try PackageName("top")], architecture: F.architecture())
        let plan = try Resolver(provider: F.provider(files)).resolve(request)
        let reference = Self.reference(plan)
        #expect(plan.packages.count == 42)
        for (name, package) in plan.packages {
            let expected = reference[name]!
            #expect(package.fullRequires == expected.full.sorted(), "\(name) full")
            #expect(package.fullRuntimeRequires == expected.runtime.sorted(), "\(name) runtime")
            #expect(package.fullBuildRequires == expected.build.sorted(), "\(name) build")
        }
    }

    @Test func aTenThousandDeepChainResolves() throws {
        // Behaviour only; `resolver-bench --chain 10000` measures it (BENCHMARKS.md).
        let depth = 10_000
        var files = ["defaults-release.sh": F.defaultsRelease]
        for i in 0..<depth {
            files["p\(i).sh"] = F.text("package: p\(i)\nversion: v\(i)" + (i + 1 < depth ? "\nrequires:\n  - p\(i + 1)" : ""))
        }
        let request = ResolutionRequest(targets: [try PackageName("p0")], architecture: F.architecture())
        let plan = try Resolver(provider: F.provider(files)).resolve(request)
        #expect(plan.packages.count == depth + 1)
        #expect(plan.buildOrder.first?.rawValue == "defaults-release")
        #expect(plan.buildOrder.last?.rawValue == "p0")
        let top = try #require(plan[try PackageName("p0")])
        #expect(top.fullRuntimeRequires.count == depth - 1)
        #expect(top.fullRequires.count == depth)
        #expect(top.fullBuildRequires.map(\.rawValue) == ["defaults-release"])
        #expect(top.hashInputs.last == HashInput(label: "requires defaults-release", value: plan[try PackageName("defaults-release")]!.remoteHash))
    }

    @Test func aTenThousandCycleIsNamed() throws {
        let depth = 10_000
        var files = ["defaults-release.sh": F.defaultsRelease]
        for i in 0..<depth { files["p\(i).sh"] = F.text("package: p\(i)\nversion: v1\nrequires:\n  - p\((i + 1) % depth)") }
        let request = ResolutionRequest(targets: [try PackageName("p0")], architecture: F.architecture())
        #expect(throws: ResolverError.self) { try Resolver(provider: F.provider(files)).resolve(request) }
        do { _ = try Resolver(provider: F.provider(files)).resolve(request) } catch {
            guard case let .cycle(path) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(path.count == depth + 1)
            #expect(path.first == path.last)
        }
    }
}
