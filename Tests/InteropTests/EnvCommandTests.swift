import Foundation
import Testing

/// `alien-install env|run|enter|alienv` on the demo stack built by the real Builder
/// (`<work dir>/<arch>/<pkg>/<ver>-<rev>/` is an area layout).
@Suite(.serialized) struct EnvCommandTests {
    static let arch = "slc9_x86-64"

    /// The demo stack, built once for the suite.
    static let demoArea: URL? = {
        guard let work = try? Interop.temporaryDirectory("env-demo") else { return nil }
        let recipes = Interop.root.appendingPathComponent("recipes/demo").path
        let result = try? CLITests.cli(["build", "GridDemo", "-c", recipes, "-w", work.path, "--arch", arch])
        return result?.status == 0 ? work : nil
    }()

    static func area() throws -> URL {
        try #require(demoArea, "building the demo stack failed")
    }

    static func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> Interop.Result {
        try Interop.run(CLITests.binary, arguments, environment: environment.merging(["ALIEN_RECIPES": CLITests.recipes]) { $1 })
    }

    static func parseEnv0(_ data: Data) -> [String: String] {
        var result: [String: String] = [:]
        for entry in String(decoding: data, as: UTF8.self).split(separator: "\0") {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }

    @Test func envEqualsSourcingInitShByHand() throws {
        let area = try Self.area()
        let result = try Self.cli(["env", "GridDemo", "--area", area.path, "--shell", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let changes = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let initScript = area.appendingPathComponent("\(Self.arch)/GridDemo/v1-1/etc/profile.d/init.sh").path
        let byHand = try Interop.run(
            URL(fileURLWithPath: "/bin/bash"),
            ["--noprofile", "--norc", "-c", "export WORK_DIR='\(area.path)' ALIBUILD_ARCH_PREFIX=\(Self.arch); . '\(initScript)'; env -0"])
        let expected = Self.parseEnv0(byHand.stdout)
        var ours = ProcessInfo.processInfo.environment
        for (name, value) in changes { ours[name] = value as? String }
        for name in ["_", "SHLVL", "PWD", "OLDPWD"] { ours[name] = nil }
        var theirs = expected
        for name in ["_", "SHLVL", "PWD", "OLDPWD"] { theirs[name] = nil }
        #expect(ours == theirs)
        #expect((changes["PATH"] as? String)?.hasPrefix("\(area.path)/\(Self.arch)/GridDemo/v1-1/bin:\(area.path)/\(Self.arch)/GridDemo/v1-1/libexec:") == true)
        #expect(changes["GREETINGS_DATA"] as? String == "\(area.path)/\(Self.arch)/greetings-data/2026.1-1/share/greetings")
    }

    /// The built demo packages carry the Builder's manifest; `env` in tcsh and fish syntax,
    /// evaluated by those shells, gives what bash sourcing init.sh gives.
    @Test func everyShellGetsBashsEnvironment() throws {
        let area = try Self.area()
        #expect(FileManager.default.fileExists(atPath: area.appendingPathComponent("\(Self.arch)/GridDemo/v1-1/.alien-environment.json").path))
        let clean = ["PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C"]
        let initScript = area.appendingPathComponent("\(Self.arch)/GridDemo/v1-1/etc/profile.d/init.sh").path
        let byHand = try Interop.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["-i"] + clean + [
                "/bin/bash", "--noprofile", "--norc", "-c",
                "export WORK_DIR='\(area.path)' ALIBUILD_ARCH_PREFIX=\(Self.arch); . '\(initScript)'; env -0"
            ])
        var expected = Self.parseEnv0(byHand.stdout)
        for name in ["_", "SHLVL", "PWD", "OLDPWD"] { expected[name] = nil }
        let binary = CLITests.binary.path
        let shells: [(String, String, [String])] = [
            ("tcsh", "/usr/bin/tcsh", ["-f", "-c", "eval `'\(binary)' env GridDemo --area '\(area.path)' --shell tcsh`; env -0"]),
            ("fish", "/usr/bin/fish", ["--no-config", "-c", "'\(binary)' env GridDemo --area '\(area.path)' --shell fish | source; env -0"]),
            ("bash", "/bin/bash", ["--noprofile", "--norc", "-c", "eval \"$('\(binary)' env GridDemo --area '\(area.path)' --shell bash)\"; env -0"])
        ]
        for (name, program, arguments) in shells {
            guard FileManager.default.isExecutableFile(atPath: program) else {
                #expect(ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] != "1", "\(name) is required")
                continue
            }
            let result = try Interop.run(URL(fileURLWithPath: "/usr/bin/env"), ["-i"] + clean + [program] + arguments)
            #expect(result.status == 0, "\(name): \(result.stderr)")
            let got = Self.parseEnv0(result.stdout)
            for variable in expected.keys.sorted() { #expect(got[variable] == expected[variable], "\(name): \(variable)") }
        }
    }

    @Test func evalInBashRunsTheDemo() throws {
        let area = try Self.area()
        let binary = CLITests.binary.path
        let result = try Interop.run(
            URL(fileURLWithPath: "/bin/bash"),
            ["--noprofile", "--norc", "-c", "eval \"$('\(binary)' env VO_ALICE@GridDemo::v1 --area '\(area.path)' --shell bash)\" && hello-grid bash"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text == "Welcome to the demo stack\nHello from the grid, bash! (libgreet 1.0)\n")
    }

    @Test func runExecsTheCommandWithItsExitStatus() throws {
        let area = try Self.area()
        let hello = try Self.cli(["run", "GridDemo", "--area", area.path, "--", "hello-grid", "run"])
        #expect(hello.status == 0, "\(hello.stderr)")
        #expect(hello.text == "Welcome to the demo stack\nHello from the grid, run! (libgreet 1.0)\n")
        let failing = try Self.cli([
            "run", "--area", area.path, "greeter/1.0-1,greetings-data", "--", "sh", "-c", "echo $GREETER_VERSION $GREETINGS_DATA_VERSION; exit 7"
        ])
        #expect(failing.status == 7)
        #expect(failing.text == "1.0 2026.1\n")
        let missing = try Self.cli(["run", "GridDemo", "--area", area.path, "--", "no-such-program-here"])
        #expect(missing.status == 127)
        #expect(missing.stderr.contains("no-such-program-here: command not found"))
        let noCommand = try Self.cli(["run", "GridDemo", "--area", area.path])
        #expect(noCommand.status != 0)
        #expect(noCommand.stderr.contains("alien-install run PKG... -- CMD ARGS"))
    }

    @Test func notInstalledNamesWhatIs() throws {
        let area = try Self.area()
        let result = try Self.cli(["env", "greet::2.0", "--area", area.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("greet/2.0 is not installed in \(area.path)/\(Self.arch); installed: greet/1.0-1"))
        let bad = try Self.cli(["env", "VO_ALICE@", "--area", area.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("package argument 'VO_ALICE@'"))
    }

    @Test func enterStartsTheShellAndRefusesToNest() throws {
        let area = try Self.area()
        let script = try Interop.temporaryDirectory("enter-shell").appendingPathComponent("fake-shell")
        // The "shell" reports what it got, then tries to enter again from inside.
        try """
        #!/bin/sh
        echo "args=$* entered=$ALIEN_INSTALL_ENTERED level=$ALIENVLVL root=$GRIDDEMO_ROOT"
        exec '\(CLITests.binary.path)' enter greeter --area '\(area.path)'
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let result = try Self.cli(["enter", "GridDemo", "--area", area.path], environment: ["SHELL": script.path, "ALIEN_INSTALL_ENTERED": "", "ALIENVLVL": ""])
        #expect(result.text == "args=-i entered=GridDemo/v1-1 level=1 root=\(area.path)/\(Self.arch)/GridDemo/v1-1\n")
        #expect(result.status == 1)
        #expect(result.stderr.contains("already in an alien-install environment (GridDemo/v1-1): type 'exit' to leave it first"))
        let viaAlienv = try Self.cli(["alienv", "enter", "GridDemo", "-w", area.path], environment: ["ALIENVLVL": "1"])
        #expect(viaAlienv.status == 1)
        #expect(viaAlienv.stderr.contains("already in an alien-install environment"))
    }

    @Test func alienvVerbs() throws {
        let area = try Self.area()
        let query = try Self.cli(["alienv", "q", "-w", area.path])
        #expect(
            query.text == """
                VO_ALICE@GridDemo::v1-1
                VO_ALICE@defaults-release::v1-1
                VO_ALICE@greet::1.0-1
                VO_ALICE@greeter::1.0-1
                VO_ALICE@greetings-data::2026.1-1

                """)
        let filtered = try Self.cli(["alienv", "query", "-w", area.path, "GREET"])
        #expect(filtered.text.split(separator: "\n").count == 3)
        let avail = try Self.cli(["alienv", "avail", "-w", area.path])
        #expect(avail.text.contains("\nGridDemo/v1-1\n"))
        let setenv = try Self.cli(["alienv", "setenv", "VO_ALICE@GridDemo::v1-1", "-w", area.path, "-c", "hello-grid", "setenv"])
        #expect(setenv.status == 0, "\(setenv.stderr)")
        #expect(setenv.text.hasSuffix("Hello from the grid, setenv! (libgreet 1.0)\n"))
        let check = try Self.cli(["alienv", "checkenv", "-w", area.path])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.text.contains("GridDemo/v1-1: OK\n"))

        // load, list, unload in one bash session, as `eval "$(alienv load ...)"`.
        let binary = CLITests.binary.path
        let session = """
            set -e
            eval "$('\(binary)' alienv load greeter -w '\(area.path)' --shell bash)"
            eval "$('\(binary)' alienv printenv GridDemo/v1-1 -w '\(area.path)' --shell bash)"
            '\(binary)' alienv list
            hello-grid session
            eval "$('\(binary)' alienv unload GridDemo -w '\(area.path)' --shell bash)"
            echo "after unload: ${GRIDDEMO_ROOT:-none} ${GREETER_VERSION:-none}"
            eval "$('\(binary)' alienv unload greeter -w '\(area.path)' --shell bash)"
            echo "after all: ${GREETER_VERSION:-none} ${ALIENV_LOADED:-empty} PATH=$PATH"
            '\(binary)' alienv list
            """
        let result = try Interop.run(
            URL(fileURLWithPath: "/bin/bash"), ["--noprofile", "--norc", "-c", session],
            environment: ["PATH": "/usr/bin:/bin", "ALIENV_LOADED": "", "ALIENV_SAVED": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.text == """
                Currently Loaded Modulefiles:
                 1) greeter/1.0-1
                 2) GridDemo/v1-1
                Welcome to the demo stack
                Hello from the grid, session! (libgreet 1.0)
                after unload: none 1.0
                after all: none empty PATH=/usr/bin:/bin
                No modules loaded

                """)
    }

    /// `alienv refresh` writes the area's modulefiles; Environment Modules and Lmod loading
    /// GridDemo from them set PATH, LD_LIBRARY_PATH and the packages' variables as `env` does.
    @Test func moduleToolsLoadTheDemoAsEnvDoes() throws {
        let area = try Self.area()
        let refresh = try Self.cli(["alienv", "refresh", "-w", area.path])
        #expect(refresh.status == 0, "\(refresh.stderr)")
        #expect(refresh.text.contains("5 written"))
        let modulecmd = [
            ProcessInfo.processInfo.environment["ALIEN_MODULECMD"], "/usr/lib/x86_64-linux-gnu/modulecmd.tcl",
            Interop.root.appendingPathComponent(".deps/environment-modules/usr/lib/x86_64-linux-gnu/modulecmd.tcl").path
        ]
        .compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0) }
        let lmod = [ProcessInfo.processInfo.environment["LMOD_CMD"], "/usr/share/lmod/lmod/libexec/lmod"]
            .compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
        let tools: [(String, String?)] = [("Environment Modules", modulecmd.map { "tclsh '\($0)'" }), ("Lmod", lmod.map { "'\($0)'" })]
        let clean = ["PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C"]
        let ours = try Interop.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "-i", "PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C", CLITests.binary.path,
                "env", "GridDemo", "--area", area.path, "--shell", "json"
            ])
        #expect(ours.status == 0, "\(ours.stderr)")
        let changes = try #require(try JSONSerialization.jsonObject(with: ours.stdout) as? [String: Any])
        var expected = clean
        for (name, value) in changes { expected[name] = value as? String }
        func relevant(_ environment: [String: String]) -> [String: String] {
            environment.filter { name, _ in name == "PATH" || name == "LD_LIBRARY_PATH" || name.hasSuffix("_ROOT") || name.hasSuffix("_VERSION") }
        }
        for (name, command) in tools {
            guard let command else {
                #expect(ProcessInfo.processInfo.environment["ALIEN_REQUIRE_INTEROP"] != "1", "\(name) is required: run scripts/deps.sh")
                continue
            }
            let script = "eval \"$(\(command) bash load GridDemo/v1-1)\" && env -0"
            let loaded = try Interop.run(
                URL(fileURLWithPath: "/usr/bin/env"),
                [
                    "-i", "PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C", "MODULEPATH=\(area.path)/\(Self.arch)/Modules/modulefiles",
                    "/bin/bash", "--noprofile", "--norc", "-c", script
                ])
            #expect(loaded.status == 0, "\(name): \(loaded.stderr)")
            #expect(relevant(Self.parseEnv0(loaded.stdout)) == relevant(expected), "\(name)")
        }
    }
}
