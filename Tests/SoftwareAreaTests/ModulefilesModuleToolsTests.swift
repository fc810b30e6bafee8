import AlienModel
import AreaEnvironment
import Foundation
import SoftwareArea
import Testing
import TestSupport

/// Environment Modules and Lmod load our modulefiles and set what `alien-install env` sets
/// (and what bash sourcing init.sh sets).
@Suite struct ModulefilesModuleToolsTests {
    typealias F = EnvironmentFixture

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// How to run a module tool: a program and the arguments before `bash load ...`.
    struct ModuleTool {
        var name: String
        var command: [String]
    }

    /// Environment Modules' modulecmd.tcl (installed, or unpacked into .deps/ by scripts/deps.sh).
    static var environmentModules: ModuleTool? {
        let environment = ProcessInfo.processInfo.environment
        let candidates =
            [environment["ALIEN_MODULECMD"]].compactMap { $0 } + [
                "/usr/lib/x86_64-linux-gnu/modulecmd.tcl", "/usr/lib/aarch64-linux-gnu/modulecmd.tcl", "/usr/share/modules/libexec/modulecmd.tcl",
                repositoryRoot.appendingPathComponent(".deps/environment-modules/usr/lib/x86_64-linux-gnu/modulecmd.tcl").path,
                repositoryRoot.appendingPathComponent(".deps/environment-modules/usr/lib/aarch64-linux-gnu/modulecmd.tcl").path
            ]
        guard let tclsh = F.tool("tclsh"), let script = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else { return nil }
        return ModuleTool(name: "Environment Modules", command: [tclsh, script])
    }

    /// Lmod's `lmod` command.
    static var lmod: ModuleTool? {
        let candidates =
            [ProcessInfo.processInfo.environment["LMOD_CMD"]].compactMap { $0 }
            + ["/usr/share/lmod/lmod/libexec/lmod", "/usr/lib/lmod/lmod/libexec/lmod"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map { ModuleTool(name: "Lmod", command: [$0]) }
    }

    /// `eval "$(tool bash load MODULES)"; env -0` in a clean environment with the area's MODULEPATH.
    static func load(_ tool: ModuleTool, modules: [String], area: EnvironmentArea) throws -> [String: String] {
        let command = (tool.command + ["bash", "load"] + modules).map { EnvironmentShell.shQuote($0) }.joined(separator: " ")
        let environment = F.baseEnvironment.merging(["MODULEPATH": area.modulePath.path]) { $1 }
        let result = try F.run("/bin/bash", ["--noprofile", "--norc", "-c", "eval \"$(\(command))\" && env -0"], environment: environment)
        #expect(result.status == 0, "\(tool.name): \(result.stderr)")
        #expect(!result.stderr.lowercased().contains("error"), "\(tool.name): \(result.stderr)")
        return F.parseEnv0(result.stdout)
    }

    /// The variables to compare: lists and every package variable init.sh sets.
    static func relevant(_ environment: [String: String]) -> [String: String] {
        environment.filter { name, _ in
            ["PATH", "LD_LIBRARY_PATH", "ROOT_INCLUDE_PATH", "ROOTSYS"].contains(name)
                || name.hasSuffix("_ROOT") || name.hasSuffix("_VERSION") || name.hasSuffix("_REVISION")
        }
    }

    static func compare(_ tool: ModuleTool?, missing: String) throws {
        guard let tool else {
            #expect(!F.requireInterop, "\(missing) is required (ALIEN_REQUIRE_INTEROP=1): run scripts/deps.sh")
            return
        }
        let area = try F.area([F.zlib, F.root, F.aliRoot])
        defer { F.remove(area) }
        let report = try Modulefiles.regenerateAll(area: area)
        #expect(report.failed.isEmpty)
        for request in [["AliRoot"], ["ROOT"], ["zlib", "ROOT"]] {
            let packages = try area.resolve(EnvironmentRequest.parse(request))
            let ours = try area.changes(of: packages, base: F.baseEnvironment).applied(to: F.baseEnvironment)
            let bash = try BashEnvironmentReference().changes(area: area, packages: packages, base: F.baseEnvironment).applied(to: F.baseEnvironment)
            let theirs = try load(tool, modules: packages.map(\.moduleName), area: area)
            #expect(relevant(theirs) == relevant(ours), "\(tool.name) loading \(request)")
            #expect(relevant(bash) == relevant(ours), "bash sourcing \(request)")
            #expect(relevant(theirs)["ROOT_ROOT"] == area.packagesDirectory.path + "/ROOT/v6-32-06-1")
        }
    }

    @Test func environmentModulesLoadsTheSameEnvironment() throws {
        try Self.compare(Self.environmentModules, missing: "Environment Modules (modulecmd.tcl)")
    }

    @Test func lmodLoadsTheSameEnvironment() throws {
        try Self.compare(Self.lmod, missing: "Lmod")
    }
}
