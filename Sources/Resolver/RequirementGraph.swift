import AlienModel

/// A plan's dependency edges, shared by all its packages, from which aliBuild's
/// `full_requires`, `full_runtime_requires` and `full_build_requires` are computed when asked.
///
/// Storing every package's closures costs the sum of their sizes: quadratic for a deep stack
/// (a 10 000-deep `requires` chain holds 50 million names). The graph is linear in packages
/// and edges; a closure costs its own size when asked for.
public final class RequirementGraph: Hashable, Sendable {
    /// Packages in build order (dependencies first).
    let order: [PackageName]
    let index: [PackageName: Int]
    /// Each package's position in name order: closures are reported sorted by name.
    let rank: [Int]
    /// Direct dependencies in the plan, by index.
    let runtime: [[Int]]
    let build: [[Int]]

    init(order: [PackageName], packages: [PackageName: ResolvedPackage]) {
        self.order = order
        let index = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        self.index = index
        var rank = Array(repeating: 0, count: order.count)
        for (position, name) in order.sorted().enumerated() { rank[index[name]!] = position }
        self.rank = rank
        runtime = order.map { name in packages[name]!.runtimeRequires.compactMap { index[$0] } }
        build = order.map { name in packages[name]!.buildRequires.compactMap { index[$0] } }
    }

    /// Everything `name` needs, to build or to run: the transitive closure over all edges.
    func fullRequires(of name: PackageName) -> [PackageName] {
        guard let start = index[name] else { return [] }
        var seen = Marks(count: order.count)
        reach(from: runtime[start] + build[start], over: [runtime, build], marking: &seen)
        return sortedNames(seen.marked)
    }

    /// What `name` needs at run time: the closure over runtime edges.
    func fullRuntimeRequires(of name: PackageName) -> [PackageName] {
        guard let start = index[name] else { return [] }
        var seen = Marks(count: order.count)
        reach(from: runtime[start], over: [runtime], marking: &seen)
        return sortedNames(seen.marked)
    }

    /// What `name` needs only to build: the full closure of the build dependencies of the
    /// package and of everything it needs at run time, minus what it needs at run time
    /// (aliBuild's recursion: runtime dependencies of build dependencies count as build
    /// dependencies, and a package also needed at run time is not build-only).
    func fullBuildRequires(of name: PackageName) -> [PackageName] {
        guard let start = index[name] else { return [] }
        var atRuntime = Marks(count: order.count)
        reach(from: runtime[start], over: [runtime], marking: &atRuntime)
        var seeds = build[start]
        for dependency in atRuntime.marked { seeds += build[dependency] }
        var needed = Marks(count: order.count)
        reach(from: seeds, over: [runtime, build], marking: &needed)
        return sortedNames(needed.marked.filter { !atRuntime.contains($0) })
    }

    /// Marks `seeds` and everything reachable from them along `edges` (iteratively: a chain
    /// 10 000 deep must not recurse 10 000 deep).
    private func reach(from seeds: [Int], over edges: [[[Int]]], marking seen: inout Marks) {
        var stack: [Int] = []
        for seed in seeds where seen.insert(seed) { stack.append(seed) }
        while let next = stack.popLast() {
            for kind in edges {
                for dependency in kind[next] where seen.insert(dependency) { stack.append(dependency) }
            }
        }
    }

    private func sortedNames(_ indices: [Int]) -> [PackageName] {
        indices.sorted { rank[$0] < rank[$1] }.map { order[$0] }
    }

    public static func == (lhs: RequirementGraph, rhs: RequirementGraph) -> Bool {
        lhs === rhs || (lhs.order == rhs.order && lhs.runtime == rhs.runtime && lhs.build == rhs.build)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(order.count)
        hasher.combine(order.first)
        hasher.combine(order.last)
    }
}

/// A set of small integers that remembers the order they were added in.
private struct Marks {
    private var flags: [Bool]
    private(set) var marked: [Int] = []

    init(count: Int) { flags = Array(repeating: false, count: count) }

    /// Adds `value`; false when it was there already.
    mutating func insert(_ value: Int) -> Bool {
        guard !flags[value] else { return false }
        flags[value] = true
        marked.append(value)
        return true
    }

    func contains(_ value: Int) -> Bool { flags[value] }
}
