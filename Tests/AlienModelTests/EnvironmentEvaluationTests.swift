@testable import AlienModel
import Testing

@Suite struct EnvironmentEvaluationTests {
    typealias F = ManifestFixture

    static let zlib = F.manifest("zlib", "v1.3")
    static let root = F.manifest(
        "ROOT", "v6", requires: [F.package("zlib", "v1.3")], env: [("ROOTSYS", "$ROOT_ROOT")],
        prepend: [("ROOT_INCLUDE_PATH", "$ROOT_ROOT/include")])
    static let top = F.manifest(
        "Top", "v1", requires: [F.package("ROOT", "v6"), F.package("zlib", "v1.3")],
        env: [("EMPTY", ""), ("SEEN", "${ZLIB_VERSION}x$UNSET_ONE")], append: [("MANPATH", "$TOP_ROOT/man")])
    static let all = [zlib, root, top]

    static func lookup(_ manifests: [EnvironmentManifest], log: Log? = nil) -> EnvironmentEvaluation.Lookup {
        { (dependency, directory) throws(EnvironmentManifestError) in
            log?.sourced.append("\(directory)|\(dependency.moduleName)")
            guard let found = manifests.first(where: { $0.package.moduleName == dependency.moduleName }) else {
                throw .evaluation(package: dependency.moduleName, reason: "not here")
            }
            return found
        }
    }

    final class Log: @unchecked Sendable { var sourced: [String] = [] }

    static func evaluate(_ manifest: EnvironmentManifest, base: [String: String], log: Log? = nil) throws -> [String: String] {
        var evaluation = EnvironmentEvaluation(environment: base)
        evaluation.export("WORK_DIR", "/sw")
        evaluation.export("ALIBUILD_ARCH_PREFIX", "slc9_x86-64")
        try evaluation.source(manifest, lookup: lookup(all, log: log))
        return evaluation.environment
    }

    @Test func sourcesDependenciesOnceAndInOrder() throws {
        let log = Log()
        let result = try Self.evaluate(Self.top, base: ["PATH": "/usr/bin"], log: log)
        #expect(log.sourced == ["/sw/slc9_x86-64|ROOT/v6-1", "/sw/slc9_x86-64|zlib/v1.3-1"])
        #expect(result["PATH"] == "/sw/slc9_x86-64/Top/v1-1/bin:/sw/slc9_x86-64/ROOT/v6-1/bin:/sw/slc9_x86-64/zlib/v1.3-1/bin:/usr/bin")
        #expect(result["LD_LIBRARY_PATH"] == "/sw/slc9_x86-64/Top/v1-1/lib:/sw/slc9_x86-64/ROOT/v6-1/lib:/sw/slc9_x86-64/zlib/v1.3-1/lib")
        #expect(result["ROOT_INCLUDE_PATH"] == "/sw/slc9_x86-64/ROOT/v6-1/include")
        #expect(result["ROOTSYS"] == "/sw/slc9_x86-64/ROOT/v6-1")
        #expect(result["EMPTY"] == "")
        #expect(result["SEEN"] == "v1.3x")
        #expect(result["MANPATH"] == ":/sw/slc9_x86-64/Top/v1-1/man", "append to an unset variable: \"$K:\" gives a leading colon")
        #expect(
            result["RECC_PREFIX_MAP"]
                == "/sw/slc9_x86-64/Top/v1-1=/recc/TOP_ROOT:/sw/slc9_x86-64/ROOT/v6-1=/recc/ROOT_ROOT:/sw/slc9_x86-64/zlib/v1.3-1=/recc/ZLIB_ROOT:")
        #expect(result["TOP_HASH"] == "h-Top" && result["TOP_COMMIT"] == "c-Top")
    }

    @Test func loadedPackagesAreSkippedEmptyRevisionIsNot() throws {
        let log = Log()
        _ = try Self.evaluate(Self.top, base: ["ZLIB_REVISION": "1"], log: log)
        #expect(log.sourced == ["/sw/slc9_x86-64|ROOT/v6-1"])
        let again = Log()
        _ = try Self.evaluate(Self.top, base: ["ZLIB_REVISION": ""], log: again)
        #expect(again.sourced.count == 2)
    }

    @Test func setButEmptyDiffersFromUnset() throws {
        let unset = try Self.evaluate(Self.zlib, base: [:])
        #expect(unset["LD_LIBRARY_PATH"] == "/sw/slc9_x86-64/zlib/v1.3-1/lib")
        let empty = try Self.evaluate(Self.zlib, base: ["LD_LIBRARY_PATH": ""])
        #expect(empty["LD_LIBRARY_PATH"] == "/sw/slc9_x86-64/zlib/v1.3-1/lib:")
        // bash starts with its default PATH (unexported) when the environment has none.
        #expect(unset["PATH"] == "/sw/slc9_x86-64/zlib/v1.3-1/bin:" + ShellVariables.bashDefaults["PATH"]!)
        #expect(unset["TERM"] == nil)
    }

    @Test func architectureDefaultOnlyWhenUnsetOrEmpty() throws {
        var evaluation = EnvironmentEvaluation(environment: ["WORK_DIR": "/w"])
        try evaluation.source(Self.zlib, lookup: Self.lookup(Self.all))
        #expect(evaluation.value("ALIBUILD_ARCH_PREFIX") == "slc9_x86-64")
        #expect(evaluation.environment["ALIBUILD_ARCH_PREFIX"] == nil, ":= does not export a new variable")
        #expect(evaluation.environment["ZLIB_ROOT"] == "/w/slc9_x86-64/zlib/v1.3-1")
        var exported = EnvironmentEvaluation(environment: ["WORK_DIR": "/w", "ALIBUILD_ARCH_PREFIX": ""])
        try exported.source(Self.zlib, lookup: Self.lookup(Self.all))
        #expect(exported.environment["ALIBUILD_ARCH_PREFIX"] == "slc9_x86-64")
        var kept = EnvironmentEvaluation(environment: ["WORK_DIR": "/w", "ALIBUILD_ARCH_PREFIX": "other"])
        try kept.source(Self.zlib, lookup: Self.lookup(Self.all))
        #expect(kept.environment["ZLIB_ROOT"] == "/w/other/zlib/v1.3-1")
    }

    @Test func dependencyPathFollowsTheVariablesOfTheMoment() throws {
        let moving = F.manifest("Mover", requires: [F.package("zlib", "v1.3")])
        let first = F.manifest("First", env: [("WORK_DIR", "/elsewhere")])
        let log = Log()
        var evaluation = EnvironmentEvaluation(environment: ["WORK_DIR": "/sw", "ALIBUILD_ARCH_PREFIX": "a"])
        try evaluation.source(first, lookup: Self.lookup(Self.all, log: log))
        try evaluation.source(moving, lookup: Self.lookup(Self.all, log: log))
        #expect(log.sourced == ["/elsewhere/a|zlib/v1.3-1"])
    }

    @Test func cyclesDepthAndWithheldFail() {
        let a = F.manifest("A", requires: [F.package("B")]), b = F.manifest("B", requires: [F.package("A")])
        var evaluation = EnvironmentEvaluation(environment: [:])
        #expect(throws: EnvironmentManifestError.self) { try evaluation.source(a, lookup: Self.lookup([a, b])) }
        let withheld = EnvironmentManifest.withheld(package: F.package("W"), architecture: nil, reason: "init.sh:2: no")
        do { try evaluation.source(withheld, lookup: Self.lookup([])); Issue.record("evaluated a withheld manifest") } catch {
            #expect(error.description.contains("W/1.0-1 was installed without an environment"))
            #expect(error.description.contains("init.sh:2: no"))
        }
        let shell = F.manifest("S", env: [("X", "$SHELL/x")])
        #expect(throws: EnvironmentManifestError.self) { try evaluation.source(shell, lookup: Self.lookup([])) }
        var withShell = EnvironmentEvaluation(environment: ["SHELL": "/bin/zsh"])
        #expect(throws: Never.self) { try withShell.source(shell, lookup: Self.lookup([])) }
        // A chain deeper than the limit.
        let chain = (0...EnvironmentEvaluation.maximumDepth).map { index in
            F.manifest("P\(index)", requires: index == EnvironmentEvaluation.maximumDepth ? [] : [F.package("P\(index + 1)")])
        }
        var deep = EnvironmentEvaluation(environment: [:])
        #expect(throws: EnvironmentManifestError.self) { try deep.source(chain[0], lookup: Self.lookup(chain)) }
    }

    /// The own variables are exported without templates: the same values as evaluating
    /// `ownVariables` (the definition) in order, for packages with and without a set environment.
    @Test func ownVariablesExportedAsTheirTemplatesSay() throws {
        let manifest = ManifestFixture.manifest("AliEn-Runtime", "v2-19-le", requires: [], env: [("X", "$ALIEN_RUNTIME_ROOT/x")])
        for base in [[String: String](), ["WORK_DIR": "/sw", "ALIBUILD_ARCH_PREFIX": "slc9_x86-64", "RECC_PREFIX_MAP": "/a=/b"]] {
            var evaluation = EnvironmentEvaluation(environment: base)
            try evaluation.applyOwn(manifest)
            var expected = base
            for assignment in manifest.ownVariables {
                expected[assignment.name] = assignment.value.evaluate { expected[$0] }
            }
            for assignment in manifest.ownVariables {
                #expect(evaluation.environment[assignment.name] == expected[assignment.name], "\(assignment.name) with \(base)")
            }
            #expect(evaluation.environment["X"] == (expected["ALIEN_RUNTIME_ROOT"] ?? "") + "/x")
        }
    }

    /// A variable that entries are prepended to reads as the one text bash would hold, whatever
    /// comes after: an append, an assignment, a comparison.
    @Test func prependedEntriesReadAsOneValue() {
        typealias Variable = EnvironmentEvaluation.Variable
        var path = Variable(value: "/usr/bin", exported: true)
        path.prepend("/a/bin")
        path.prepend("/b/bin")
        #expect(path.value == "/b/bin:/a/bin:/usr/bin")
        #expect(path == Variable(value: "/b/bin:/a/bin:/usr/bin", exported: true))
        #expect(path.hashValue == Variable(value: "/b/bin:/a/bin:/usr/bin", exported: true).hashValue)
        #expect(path != Variable(value: "/b/bin:/a/bin:/usr/bin", exported: false))
        path.append(":/tail")
        #expect(path.value == "/b/bin:/a/bin:/usr/bin:/tail")
        path.prepend("/c")
        path.value = "x"
        path.prepend("y")
        #expect(path.value == "y:x")
        var empty = Variable(value: "", exported: false)
        empty.prepend("p")
        #expect(empty.value == "p:", "set but empty: the separator stays")
    }

    /// A chain of packages prepending, appending and reading the same lists (a template
    /// reading `$PATH` between prepends) gives the values of plain string arithmetic.
    @Test func listsGrowingOverAChainKeepBashValues() throws {
        let count = 40
        let chain = (0..<count).map { index in
            F.manifest(
                "P\(index)", requires: index == 0 ? [] : [F.package("P\(index - 1)")],
                env: index % 7 == 3 ? [("SEEN\(index)", "$PATH|$RECC_PREFIX_MAP")] : [],
                append: [("MANPATH", "$P\(index)_ROOT/man")], prepend: [("PATH", "/p\(index)/x"), ("MANPATH", "/m\(index)")])
        }
        var evaluation = EnvironmentEvaluation(environment: ["PATH": "/usr/bin", "WORK_DIR": "/sw", "ALIBUILD_ARCH_PREFIX": "a"])
        try evaluation.source(chain[count - 1], lookup: Self.lookup(chain))
        var path = "/usr/bin", manpath: String?, recc: String?
        var seen: [String: String] = [:]
        for index in 0..<count {
            let root = "/sw/a/P\(index)/1.0-1"
            recc = "\(root)=/recc/P\(index)_ROOT:" + (recc ?? "")
            if index % 7 == 3 { seen["SEEN\(index)"] = path + "|" + recc! }
            manpath = (manpath ?? "") + ":" + root + "/man"
            path = "/p\(index)/x:" + path
            path = "\(root)/bin:" + path
            manpath = "/m\(index):" + manpath!
        }
        let result = evaluation.environment
        #expect(result["PATH"] == path)
        #expect(result["MANPATH"] == manpath)
        #expect(result["RECC_PREFIX_MAP"] == recc)
        for (name, value) in seen { #expect(result[name] == value, "\(name)") }
    }
}
