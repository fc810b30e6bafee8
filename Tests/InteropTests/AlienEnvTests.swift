import AlienModel
import Foundation
import Testing

/// `alien-env` (the small binary) against `alien-install env` on the same area: the same bytes
/// for every shell, the same exit statuses and messages; and its statements, evaluated by bash,
/// give what sourcing the packages' init.sh gives.
@Suite struct AlienEnvTests {
    static let arch = "slc9_x86-64"
    static var alienEnv: URL { CLITests.binary.deletingLastPathComponent().appendingPathComponent("alien-env") }
    static let clean = ["PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C", "SHELL=/bin/bash"]

    /// Values the shells must receive exactly (quotes, history `!`, backslashes, newlines,
    /// combining marks after quote characters, non-ASCII).
    static let odd = ["it's \\\"quoted\\\" !bang \\\\ back", "Grüße ✓ e\u{301} '\u{301} !\u{301}", "tab\there", "$HOME/x:y"]

    /// An area with a chain of packages: most with the installer's manifest, two with init.sh only
    /// (read by the strict parser), one manifest in a non-canonical layout, and an older version.
    static func area() throws -> URL {
        let root = try Interop.temporaryDirectory("alien-env")
        var previous: EnvironmentManifest.Package?
        for index in 0..<12 {
            let name = try PackageName(String(format: "pkg%02d", index))
            let package = EnvironmentManifest.Package(name: name, version: "v1", revision: index == 11 ? "2" : "1", hash: "abc\(index)", commit: "c\(index)")
            let prefix = name.environmentPrefix
            var manifest = EnvironmentManifest(
                architecture: arch, package: package,
                requires: previous.map { [.init(name: $0.name, version: $0.version, revision: $0.revision)] } ?? [],
                env: [.init(name: prefix + "_DATA", value: try EnvironmentTemplate(shellDoubleQuoted: "$\(prefix)_ROOT/share " + odd[index % odd.count]))],
                appendPath: [.init(name: "MANPATH", items: [try EnvironmentTemplate(shellDoubleQuoted: "$\(prefix)_ROOT/man")])],
                prependPath: [
                    .init(name: "PATH", items: [try EnvironmentTemplate(shellDoubleQuoted: "$\(prefix)_ROOT/bin")]),
                    .init(name: "PYTHONPATH", items: [try EnvironmentTemplate(shellDoubleQuoted: "$\(prefix)_ROOT/lib/python")])
                ])
            manifest = manifest.normalized()
            let directory = root.appendingPathComponent("\(arch)/\(name.rawValue)/\(package.folder)")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("etc/profile.d"), withIntermediateDirectories: true)
            try manifest.initScript.write(to: directory.appendingPathComponent("etc/profile.d/init.sh"), atomically: true, encoding: .utf8)
            var json = String(decoding: manifest.jsonBytes, as: UTF8.self)
            if index == 5 { json = json.replacingOccurrences(of: ",", with: ",\n  ") }
            if index != 3, index != 8 {
                try (json + "\n").write(to: directory.appendingPathComponent(".alien-environment.json"), atomically: true, encoding: .utf8)
            }
            previous = package
        }
        // An older pkg11: `pkg11` means the newest.
        let older = root.appendingPathComponent("\(arch)/pkg11/v1-1")
        try FileManager.default.copyItem(at: root.appendingPathComponent("\(arch)/pkg10/v1-1"), to: older)
        return root
    }

    static func run(_ binary: URL, _ prefix: [String], _ arguments: [String], environment: [String] = clean) throws -> Interop.Result {
        try Interop.run(URL(fileURLWithPath: "/usr/bin/env"), ["-i"] + environment + [binary.path] + prefix + arguments)
    }

    /// Both binaries on the same arguments.
    static func both(_ arguments: [String], environment: [String] = clean) throws -> (ours: Interop.Result, cli: Interop.Result) {
        (try run(alienEnv, [], arguments, environment: environment), try run(CLITests.binary, ["env"], arguments, environment: environment))
    }

    @Test func sameBytesForEveryShell() throws {
        let area = try Self.area()
        defer { try? FileManager.default.removeItem(at: area) }
        for shell in ["sh", "bash", "zsh", "csh", "tcsh", "fish", "json"] {
            let (ours, cli) = try Self.both(["pkg11", "--area", area.path, "--shell", shell])
            #expect(ours.status == 0, "\(shell): \(ours.stderr)")
            #expect(cli.status == 0, "\(shell): \(cli.stderr)")
            #expect(ours.stdout == cli.stdout, "\(shell)")
            #expect(ours.stderr.isEmpty)
            #expect(ours.text.contains("pkg00/v1-1/bin"), "\(shell): the whole closure")
        }
        // The shell from $SHELL, the area from $ALIEN_AREA, packages as alienv spells them.
        let environment = ["PATH=/usr/bin:/bin", "HOME=/tmp", "SHELL=/usr/bin/fish", "ALIEN_AREA=\(area.path)"]
        let (ours, cli) = try Self.both(["VO_ALICE@pkg11::v1-2,pkg04", "--", "pkg02/v1-1"], environment: environment)
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stdout == cli.stdout)
        // The newest pkg11; the packages named later come first, as init.sh sourced after it puts them.
        #expect(
            ours.text.contains(
                "set -gx PATH '\(area.path)/\(Self.arch)/pkg02/v1-1/bin' '\(area.path)/\(Self.arch)/pkg04/v1-1/bin' '\(area.path)/\(Self.arch)/pkg11/v1-2/bin' "
            ),
            "\(ours.text)")
    }

    @Test func sameStatusesAndMessages() throws {
        let area = try Self.area()
        defer { try? FileManager.default.removeItem(at: area) }
        let broken = try Interop.temporaryDirectory("alien-env-broken")
        defer { try? FileManager.default.removeItem(at: broken) }
        try FileManager.default.removeItem(at: broken)
        try FileManager.default.copyItem(at: area, to: broken)
        try FileManager.default.removeItem(at: broken.appendingPathComponent("\(Self.arch)/pkg06"))
        let failures: [[String]] = [
            ["nope", "--area", area.path],
            ["pkg11", "--area", area.path + "/missing"],
            ["pkg11", "--area", area.path, "--arch", "no arch"],
            ["VO_ALICE@", "--area", area.path],
            ["pkg11::v9", "--area", area.path],
            ["pkg11", "--area", broken.path]
        ]
        for arguments in failures {
            let (ours, cli) = try Self.both(arguments)
            #expect(ours.status == 1, "\(arguments): \(ours.stderr)")
            #expect(cli.status == 1, "\(arguments): \(cli.stderr)")
            #expect(ours.stdout.isEmpty)
            let message = ours.stderr.replacingOccurrences(of: "alien-env: error: ", with: "")
            #expect(message == cli.stderr.replacingOccurrences(of: "alien-install: error: ", with: ""), "\(arguments)")
            #expect(ours.stderr.hasPrefix("alien-env: error: "))
        }
        // Usage errors: status 64 from both; the --shell message is the same words.
        let (ours, cli) = try Self.both(["pkg11", "--area", area.path, "--shell", "pwsh"])
        #expect(ours.status == 64 && cli.status == 64)
        let line = "--shell: expected one of sh, bash, zsh, csh, tcsh, fish, json, got 'pwsh'"
        #expect(ours.stderr.hasPrefix("alien-env: error: \(line)\nUsage: alien-env "))
        #expect(cli.stderr.hasPrefix("Error: \(line)\n"))
        for arguments in [["--area", area.path], ["pkg11", "--bogus"], ["pkg11", "--area"]] {
            let (ours, cli) = try Self.both(arguments)
            #expect(ours.status == 64, "\(arguments): \(ours.stderr)")
            #expect(cli.status == 64, "\(arguments): \(cli.stderr)")
        }
        let help = try Self.run(Self.alienEnv, [], ["--help"])
        #expect(help.status == 0)
        #expect(help.text.contains("USAGE: alien-env [--area DIR] [--arch ARCH] [--shell SHELL] PACKAGE..."))
    }

    /// The statements, evaluated by bash, give exactly what bash sourcing the top init.sh gives.
    @Test func bashGetsTheEnvironmentOfInitSh() throws {
        let area = try Self.area()
        defer { try? FileManager.default.removeItem(at: area) }
        let ignored: Set<String> = ["_", "SHLVL", "PWD", "OLDPWD"]
        func environment(_ script: String) throws -> [String: String] {
            let result = try Interop.run(
                URL(fileURLWithPath: "/usr/bin/env"), ["-i"] + Self.clean + ["/bin/bash", "--noprofile", "--norc", "-c", script + "; env -0"])
            #expect(result.status == 0, "\(result.stderr)")
            var values: [String: String] = [:]
            for entry in result.text.split(separator: "\0") {
                guard let equals = entry.firstIndex(of: "=") else { continue }
                values[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
            }
            return values.filter { !ignored.contains($0.key) }
        }
        let ours = try environment("eval \"$('\(Self.alienEnv.path)' pkg11 --area '\(area.path)' --shell bash)\"")
        let sourced = try environment(
            "export WORK_DIR='\(area.path)' ALIBUILD_ARCH_PREFIX=\(Self.arch); . '\(area.path)/\(Self.arch)/pkg11/v1-2/etc/profile.d/init.sh'")
        #expect(ours == sourced)
        #expect(ours["PKG01_DATA"] == "\(area.path)/\(Self.arch)/pkg01/v1-1/share Grüße ✓ e\u{301} '\u{301} !\u{301}")
    }
}
