import AlienModel
import AreaEnvironment
import Foundation
import SoftwareArea
import Testing
import TestSupport

/// The manifest-derived environment against sourcing init.sh in bash (`BashEnvironmentReference`,
/// the test-only reference), for generated package sets: seeded random env / append_path /
/// prepend_path entries with tricky values (spaces, colons, empty, references to other packages'
/// `_ROOT` and to variables set before, quotes, backslashes, non-ASCII), some packages with a
/// manifest file, others read through the init.sh parser, some already loaded in the base.
/// Our statements are evaluated by bash, tcsh and fish; our modulefiles by Environment Modules
/// and Lmod.
@Suite struct ManifestDifferentialTests {
    typealias F = EnvironmentFixture

    /// Raw values as recipes write them (inside init.sh's double quotes); `%DEP%` becomes a
    /// dependency's `_ROOT`, `%OWN%` the package's own.
    static let values = [
        "plain", "with  two spaces", "a:b::c", "", ":", "$%DEP%_ROOT/share", "${%OWN%_ROOT}/etc", "${%DEP%_ROOT}x",
        "$PRESET_VAR-suffix", "$UNSET_VAR", "pre${PRESET_VAR}post", "say \\\"hi\\\"", "back\\\\slash", "\\$literal", "x\\y",
        "tab\there", "grüße ✓", "!bang ~tilde *star ?q [a] {b,c} ; & | < > #", "${%OWN%_VERSION}-${%OWN%_REVISION}",
        "$HOME/.local", "'single'"
    ]
    static let envNames = ["SHARED_VAR", "PRESET_VAR", "MY_SETTING", "OTHER_SETTING"]
    static let pathNames = ["SHARED_PATH", "PRESET_PATH", "EMPTY_PATH", "PYTHONPATH", "PATH", "LD_LIBRARY_PATH", "MANPATH"]

    /// For modulefiles, which are static text derived per package: values that do not depend on
    /// what packages outside a package's own closure set before it (each package its own env
    /// names and append lists, path items never empty, one package loaded with its
    /// closure: `RECC_PREFIX_MAP` is set whole by each modulefile), and no backslash, `"` or tab
    /// (Lmod 8.6's Tcl-to-Lua translation breaks on them; Environment Modules does not), ASCII
    /// only (the tools run in the C locale here and re-encode other characters).
    static let moduleValues = values.filter {
        !$0.contains("PRESET") && !$0.contains("UNSET") && !$0.contains("HOME")
            && !$0.contains(":") && !$0.isEmpty && !$0.contains("\\") && !$0.contains("\t") && $0.unicodeScalars.allSatisfy(\.isASCII)
    }

    static func generate(seed: UInt64, forModules: Bool = false) -> (packages: [F.Package], manifests: Set<String>, tops: [String], loaded: String?) {
        var random = SeededGenerator(seed: seed)
        let count = Int.random(in: 3...8, using: &random)
        var packages: [F.Package] = []
        for index in 0..<count {
            let name = index % 3 == 1 ? "Data-Set\(index)" : "Pkg\(index)"
            var package = F.Package(name: name, version: index % 2 == 0 ? "v\(index).0" : "2026.\(index)", revision: "\(1 + index % 3)")
            let candidates = packages.shuffled(using: &random)
            package.requires = Array(candidates.prefix(Int.random(in: 0...min(3, candidates.count), using: &random)))
            func value() -> String {
                let raw = (forModules ? moduleValues : values).randomElement(using: &random)!
                let dependency = package.requires.randomElement(using: &random)?.prefix ?? package.prefix
                return raw.replacingOccurrences(of: "%DEP%", with: dependency).replacingOccurrences(of: "%OWN%", with: package.prefix)
            }
            for index in 0..<Int.random(in: 0...3, using: &random) {
                let name = forModules ? "\(package.prefix)_SETTING\(index)" : envNames.randomElement(using: &random)!
                package.extra.append("export \(name)=\"\(value())\"")
            }
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                let key = forModules ? "\(package.prefix)_LIST" : pathNames.randomElement(using: &random)!
                package.extra.append("export \(key)=\"$\(key):\(value())\"")
            }
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                let key = pathNames.filter { $0 != "PATH" && $0 != "LD_LIBRARY_PATH" }.randomElement(using: &random)!
                package.prepend.append("export \(key)=\"\(value())${\(key)+:$\(key)}\"")
            }
            packages.append(package)
        }
        let manifests = Set(packages.filter { _ in Bool.random(using: &random) }.map(\.name))
        let tops = Array(Set([packages.last!.name, packages.randomElement(using: &random)!.name])).sorted()
        let loaded = Bool.random(using: &random) ? packages.first!.prefix + "_REVISION" : nil
        return (packages, manifests, tops, loaded)
    }

    static func area(seed: UInt64, forModules: Bool = false) throws -> (EnvironmentArea, [EnvironmentPackage], [String: String]) {
        let set = generate(seed: seed, forModules: forModules)
        let area = try F.area(set.packages)
        for package in try area.installed() where set.manifests.contains(package.build.name.rawValue) {
            let manifest = try PackageEnvironmentFiles.parseInitScript(directory: package.directory.path, label: package.moduleName)
            try Data(manifest.jsonBytes + [0x0A]).write(to: package.directory.appendingPathComponent(EnvironmentManifest.fileName))
        }
        var base = F.baseEnvironment.merging(["PRESET_VAR": "pre set", "PRESET_PATH": "/pre/a:/pre/b", "EMPTY_PATH": ""]) { $1 }
        if let loaded = set.loaded { base[loaded] = "9" }
        let selected = try area.resolve(set.tops.map { try PackageID(parsing: $0) })
        return (area, selected, base)
    }

    /// bash, sourcing the packages' init.sh with aliBuild's variables: the expected environment.
    static func sourced(_ area: EnvironmentArea, _ packages: [EnvironmentPackage], base: [String: String]) throws -> [String: String] {
        try BashEnvironmentReference().changes(area: area, packages: packages, base: base).applied(to: base)
    }

    @Test(arguments: Array(UInt64(1)...UInt64(40)))
    func generatedSetsEqualBash(seed: UInt64) throws {
        let (area, selected, base) = try Self.area(seed: seed)
        defer { F.remove(area) }
        let ours = try area.changes(of: selected, base: base)
        let reference = try BashEnvironmentReference().changes(area: area, packages: selected, base: base)
        for name in Set(ours.values.keys).union(reference.values.keys).sorted() {
            #expect(ours.values[name] == reference.values[name], "seed \(seed) \(selected.map(\.moduleName)): \(name)")
        }
        #expect(ours.removed == reference.removed)
        for package in selected {
            // Each package alone too (other guards, other order).
            #expect(
                try area.changes(of: [package], base: base) == BashEnvironmentReference().changes(area: area, packages: [package], base: base),
                "seed \(seed): \(package.moduleName)")
        }
    }

    /// Our statements for each shell, evaluated by that shell from `base`, give bash's environment.
    @Test(arguments: Array(UInt64(1)...UInt64(12)))
    func shellsEvaluateToBashsEnvironment(seed: UInt64) throws {
        let (area, selected, base) = try Self.area(seed: seed)
        defer { F.remove(area) }
        let changes = try area.changes(of: selected, base: base)
        var expected = try Self.sourced(area, selected, base: base)
        for name in EnvironmentChanges.ignored { expected[name] = nil }
        let shells: [(EnvironmentShell, String?, (String) -> [String])] = [
            (.bash, "/bin/bash", { ["--noprofile", "--norc", "-c", "eval \"$(cat '\($0)')\"; env -0"] }),
            (.tcsh, F.tool("tcsh"), { ["-f", "-c", "source '\($0)'; env -0"] }),
            (.fish, F.tool("fish"), { ["--no-config", "-c", "source '\($0)'; env -0"] })
        ]
        for (shell, program, arguments) in shells {
            guard let program else {
                #expect(!F.requireInterop, "\(shell) is required (ALIEN_REQUIRE_INTEROP=1)")
                continue
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("alien-diff-\(UUID().uuidString).\(shell.rawValue)")
            defer { try? FileManager.default.removeItem(at: file) }
            try shell.render(changes).write(to: file, atomically: true, encoding: .utf8)
            let result = try F.run(program, arguments(file.path), environment: base)
            #expect(result.status == 0, "\(shell) seed \(seed): \(result.stderr)")
            let got = F.parseEnv0(result.stdout)
            // The shells add variables of their own (tcsh: HOST, VENDOR, ...): compare bash's names.
            for name in Set(expected.keys).union(base.keys) where !EnvironmentChanges.ignored.contains(name) {
                #expect(got[name] == expected[name], "\(shell) seed \(seed): \(name)")
            }
        }
    }

    /// `module load` of our modulefiles (Environment Modules, Lmod) gives bash's values for every
    /// variable the packages set. Modulefiles are static text derived per package in a minimal
    /// environment: the sets are drawn from `moduleValues` and compared from that environment.
    @Test(arguments: Array(UInt64(1)...UInt64(10)))
    func moduleToolsLoadBashsEnvironment(seed: UInt64) throws {
        let tools = [ModulefilesModuleToolsTests.environmentModules, ModulefilesModuleToolsTests.lmod]
        guard tools.allSatisfy({ $0 != nil }) else {
            #expect(!F.requireInterop, "Environment Modules and Lmod are required (ALIEN_REQUIRE_INTEROP=1): run scripts/deps.sh")
            return
        }
        let (area, selected, _) = try Self.area(seed: seed, forModules: true)
        defer { F.remove(area) }
        let report = try Modulefiles.regenerateAll(area: area)
        #expect(report.failed.isEmpty, "\(report.failed)")
        // The environment modulefiles are derived in (Modulefiles.derivationBase).
        let base = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C"]
        let top = [selected.last!]
        let reference = try BashEnvironmentReference().changes(area: area, packages: top, base: base)
        let expected = reference.applied(to: base)
        for tool in tools.compactMap({ $0 }) {
            let got = try ModulefilesModuleToolsTests.load(tool, modules: top.map(\.moduleName), area: area)
            for name in reference.values.keys.sorted() where name != "WORK_DIR" && name != "ALIBUILD_ARCH_PREFIX" {
                #expect(got[name] == expected[name], "\(tool.name) seed \(seed) \(top.map(\.moduleName)): \(name)")
            }
        }
    }
}
