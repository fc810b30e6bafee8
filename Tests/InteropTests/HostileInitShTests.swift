import Foundation
import PackManAPI
import Testing
import TestSupport

/// Packages whose init.sh would write a marker file, published by the test's own repository
/// (signed, served by nginx): the marker never appears through install, env, run, alienv,
/// modulefiles (`module load`) or packmand (install and GET /v1/env). No package code runs.
@Suite(.serialized) struct HostileInitShTests {
    static let arch = AreaCLITests.arch

    struct Site {
        let base: URL
        let server: NginxServer
        let marker: URL
        var repoURL: String { server.baseURL.absoluteString }
        var rootFile: String { base.appendingPathComponent("repo/metadata/1.root.json").path }
        var area: String { base.appendingPathComponent("area").path }
        func stop() {
            server.stop()
            try? FileManager.default.removeItem(at: base)
        }
    }

    /// zlib (plain), Hostile (zlib; its init.sh runs `touch MARKER` between aliBuild's lines) and
    /// Sneaky (an env value with command substitution writing MARKER), published with the CLI.
    static func site(_ name: String) throws -> Site {
        let base = try Interop.temporaryDirectory("hostile-\(name)")
        let marker = base.appendingPathComponent("MARKER")
        let keys = base.appendingPathComponent("keys").path, repo = base.appendingPathComponent("repo").path
        for role in ["root", "targets", "snapshot", "timestamp"] {
            let generated = try CLITests.cli(["keys", "generate", role, "--dir", keys])
            try #require(generated.status == 0, "\(generated.stderr)")
        }
        let initialised = try CLITests.cli([
            "repo", "init", repo, "--root-key", "\(keys)/root.key", "--targets-key", "\(keys)/targets.key",
            "--snapshot-key", "\(keys)/snapshot.key", "--timestamp-key", "\(keys)/timestamp.key"
        ])
        try #require(initialised.status == 0, "\(initialised.stderr)")
        let zlib = FixturePackage(name: "zlib", version: "v1.3.1")
        var hostile = FixturePackage(name: "Hostile", version: "v1", requires: [zlib])
        var lines = hostile.initScript(arch: arch).split(separator: "\n").map(String.init)
        lines.insert("touch '\(marker.path)'", at: 8)
        hostile.initScriptOverride = lines.joined(separator: "\n") + "\n"
        hostile.programs = ["hostile-hello": "#!/bin/sh\necho hostile\n"]
        var sneaky = FixturePackage(name: "Sneaky", version: "v1")
        lines = sneaky.initScript(arch: arch).split(separator: "\n").map(String.init)
        lines.insert("export SNEAKY_HOME=\"$(touch '\(marker.path)')$SNEAKY_ROOT\"", at: 7)
        sneaky.initScriptOverride = lines.joined(separator: "\n") + "\n"
        let workDir = base.appendingPathComponent("sw")
        try hostile.store(in: workDir, arch: arch)
        try sneaky.store(in: workDir, arch: arch)
        let published = try CLITests.cli(["publish", "--repo", repo, "--work-dir", workDir.path, "Hostile", "Sneaky", "--keys-dir", keys])
        try #require(published.status == 0, "\(published.stderr)")
        return Site(base: base, server: try NginxServer(root: URL(fileURLWithPath: repo)), marker: marker)
    }

    static func cli(_ arguments: [String]) throws -> Interop.Result { try Interop.run(CLITests.binary, arguments) }

    /// The area's config with `allow_unparsed_init` added (the install commands pass the same
    /// repository and arch, so the file is not rewritten).
    static func allowUnparsedInit(_ site: Site) throws {
        let config = URL(fileURLWithPath: site.area).appendingPathComponent(".alien/config.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any])
        object["allow_unparsed_init"] = true
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: config)
    }

    @Test func theMarkerNeverAppears() throws {
        let site = try Self.site("never")
        defer { site.stop() }
        let marker = site.marker.path
        func absent(_ step: String) { #expect(!FileManager.default.fileExists(atPath: marker), "the marker appeared after \(step)") }
        let zlib = try Self.cli(["install", "zlib", "--area", site.area, "--arch", Self.arch, "--repo", site.repoURL, "--root", site.rootFile])
        #expect(zlib.status == 0, "\(zlib.stderr)")
        try Self.allowUnparsedInit(site)
        let install = try Self.cli(["install", "Hostile", "--area", site.area, "--arch", Self.arch, "--repo", site.repoURL])
        #expect(install.status == 0, "\(install.stderr)")
        absent("install")
        let line = "Hostile/v1-1/etc/profile.d/init.sh:9:"

        let env = try Self.cli(["env", "Hostile", "--area", site.area, "--shell", "bash"])
        #expect(env.status == 1 && env.stderr.contains(line), "\(env.stderr)")
        absent("env")
        let run = try Self.cli(["run", "Hostile", "--area", site.area, "--", "sh", "-c", "echo ran"])
        #expect(run.status == 1 && !run.text.contains("ran") && run.stderr.contains(line), "\(run.text) \(run.stderr)")
        absent("run")
        let load = try Self.cli(["alienv", "load", "Hostile", "--area", site.area])
        #expect(load.status == 1 && load.stderr.contains(line), "\(load.stderr)")
        let checkenv = try Self.cli(["alienv", "checkenv", "--area", site.area])
        #expect(checkenv.status == 1 && checkenv.text.contains("Hostile/v1-1: FAILED") && checkenv.text.contains("zlib/v1.3.1-1: OK"), "\(checkenv.text)")
        let refresh = try Self.cli(["alienv", "refresh", "--area", site.area])
        #expect(refresh.status == 1 && refresh.stderr.contains(line), "\(refresh.stderr)")
        absent("alienv")
        // No modulefile is made for it, so `module load` cannot source anything of it either.
        let modules = "\(site.area)/\(Self.arch)/Modules/modulefiles"
        #expect(FileManager.default.fileExists(atPath: "\(modules)/zlib/v1.3.1-1"))
        #expect(!FileManager.default.fileExists(atPath: "\(modules)/Hostile/v1-1"))
        for command in [ModuleCommand.environmentModules, ModuleCommand.lmod].compactMap({ $0 }) {
            let environment = ["MODULEPATH": modules, "PATH": "/usr/bin:/bin", "HOME": site.base.path]
            let hostile = try Interop.run(
                URL(fileURLWithPath: "/bin/bash"),
                [
                    "--noprofile", "--norc", "-c",
                    "eval \"$(\(command) bash load Hostile/v1-1)\"; echo \"hostile=${HOSTILE_ROOT:-none}\""
                ], environment: environment)
            #expect(hostile.text.contains("hostile=none"), "\(command): \(hostile.text) \(hostile.stderr)")
            let zlib = try Interop.run(
                URL(fileURLWithPath: "/bin/bash"),
                [
                    "--noprofile", "--norc", "-c",
                    "eval \"$(\(command) bash load zlib/v1.3.1-1)\"; echo \"zlib=$ZLIB_ROOT\""
                ], environment: environment)
            #expect(zlib.text.contains("zlib=\(site.area)/\(Self.arch)/zlib/v1.3.1-1"), "\(command): \(zlib.text) \(zlib.stderr)")
        }
        absent("module load")

        // packmand installs Sneaky (env value with command substitution) and answers GET /v1/env.
        let daemon = try PackmandProcess(directory: site.base, area: site.area, arch: Self.arch, repository: site.repoURL, rootFile: site.rootFile)
        defer { daemon.stop() }
        let client = try daemon.client()
        let job = try client.install(["Sneaky"], wait: 120)
        #expect(job.state == .succeeded, "\(job)")
        absent("packmand install")
        for package in ["Hostile", "Sneaky"] {
            let answer = try Interop.run(
                URL(fileURLWithPath: "/usr/bin/curl"),
                [
                    "-s", "-w", "\n%{http_code}", "--unix-socket", daemon.socket,
                    "http://localhost/v1/env?packages=\(package)&shell=sh"
                ])
            #expect(answer.text.hasSuffix("\n422"), "\(package): \(answer.text)")
            #expect(answer.text.contains("\(package)/v1-1/etc/profile.d/init.sh:"), "\(answer.text)")
        }
        let zlibEnv = try Interop.run(
            URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--unix-socket", daemon.socket, "http://localhost/v1/env?packages=zlib&shell=sh"])
        #expect(zlibEnv.text.contains("export ZLIB_ROOT="), "\(zlibEnv.text)")
        absent("packmand /v1/env")
    }

    /// Checked with the one-line wiring applied locally (passes); enable it with the wiring.
    @Test
    func anInitShOutsideTheGrammarIsRefusedAtInstallAndTheAreaUnchanged() throws {
        let site = try Self.site("refused")
        defer { site.stop() }
        let zlib = try Self.cli(["install", "zlib", "--area", site.area, "--arch", Self.arch, "--repo", site.repoURL, "--root", site.rootFile])
        #expect(zlib.status == 0, "\(zlib.stderr)")
        let before = AreaCLITestsTree.listing(site.area)
        let install = try Self.cli(["install", "Hostile", "--area", site.area])
        #expect(install.status == 1)
        #expect(
            install.stderr.contains(
                "Hostile/v1-1: refused: its environment cannot be read without running it: Hostile/v1-1/etc/profile.d/init.sh:9: expected export"),
            "\(install.stderr)")
        #expect(AreaCLITestsTree.listing(site.area) == before, "the area changed")
        #expect(!FileManager.default.fileExists(atPath: site.marker.path))
        // Opted in, it installs without an environment.
        try Self.allowUnparsedInit(site)
        let allowed = try Self.cli(["install", "Hostile", "--area", site.area])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let manifest = try String(contentsOfFile: "\(site.area)/\(Self.arch)/Hostile/v1-1/.alien-environment.json", encoding: .utf8)
        #expect(manifest.contains("\"withheld\":\"Hostile/v1-1/etc/profile.d/init.sh:9:"))
        #expect(!FileManager.default.fileExists(atPath: site.marker.path))
    }
}

/// The module commands of the test host (Environment Modules' modulecmd.tcl, Lmod), as shell words.
enum ModuleCommand {
    static var environmentModules: String? {
        let root = Interop.root.appendingPathComponent(".deps/environment-modules/usr/lib")
        for candidate in [
            "/usr/lib/x86_64-linux-gnu/modulecmd.tcl", root.appendingPathComponent("x86_64-linux-gnu/modulecmd.tcl").path,
            root.appendingPathComponent("aarch64-linux-gnu/modulecmd.tcl").path
        ]
        where FileManager.default.fileExists(atPath: candidate) && FileManager.default.isExecutableFile(atPath: "/usr/bin/tclsh") {
            return "/usr/bin/tclsh '\(candidate)'"
        }
        return nil
    }

    static var lmod: String? {
        ["/usr/share/lmod/lmod/libexec/lmod", "/usr/lib/lmod/lmod/libexec/lmod"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Every path of an area except the state that reads and locks leave behind.
enum AreaCLITestsTree {
    static func listing(_ area: String) -> [String] {
        ((FileManager.default.enumerator(atPath: area)?.allObjects as? [String]) ?? [])
            .filter { !$0.hasPrefix(".alien/trust") && !$0.hasPrefix(".alien/locks") && !$0.hasPrefix(".alien/used") }.sorted()
    }
}
