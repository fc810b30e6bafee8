import AreaEnvironment
import Foundation
import Testing

@Suite struct EnvironmentCommandLineArgumentsTests {
    typealias Arguments = EnvironmentCommandLine.Arguments

    @Test func everySpellingOfTheOptions() throws {
        let expected = Arguments(packages: ["ROOT", "zlib,GCC"], area: "/a", arch: "slc9_x86-64", shell: "csh")
        for words in [
            ["--area", "/a", "--arch", "slc9_x86-64", "--shell", "csh", "ROOT", "zlib,GCC"],
            ["ROOT", "-w", "/a", "zlib,GCC", "-a", "slc9_x86-64", "--shell=csh"],
            ["--work-dir=/a", "--architecture=slc9_x86-64", "ROOT", "--shell", "csh", "zlib,GCC"],
            ["--area", "/x", "--area", "/a", "--arch", "slc9_x86-64", "--shell", "csh", "--", "ROOT", "zlib,GCC"]
        ] {
            #expect(try Arguments.parse(words) == expected, "\(words)")
        }
        #expect(try Arguments.parse(["--", "--area"]).packages == ["--area"])
        #expect(try Arguments.parse(["-h"]).help)
        #expect(try Arguments.parse(["ROOT", "--help"]).help)
        #expect(try Arguments.parse(["--area", "-", "ROOT"]).area == "-")
    }

    @Test(arguments: [
        (["--area"], "missing value for '--area'"),
        (["ROOT", "--shell"], "missing value for '--shell'"),
        (["--area", "--arch", "x", "ROOT"], "missing value for '--area'"),
        (["--bogus", "ROOT"], "unknown option '--bogus'"),
        (["-x"], "unknown option '-x'"),
        (["--shell=fish"], "missing expected argument '<packages> ...' (at least one package)"),
        ([], "missing expected argument '<packages> ...' (at least one package)")
    ])
    func usageErrors(words: [String], message: String) {
        #expect(throws: EnvironmentCommandLine.Failure(message, status: EnvironmentCommandLine.usageStatus)) { try Arguments.parse(words) }
    }

    @Test func mainPrintsHelpUsageAndErrors() throws {
        let help = EnvironmentCommandLine.main(["--help"], environment: [:])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: \(EnvironmentCommandLine.usage)"))
        #expect(help.stdout.contains("--shell SHELL"))
        let usage = EnvironmentCommandLine.main(["--shell", "pwsh", "ROOT", "--area", "/nonexistent"], environment: [:])
        #expect(usage.status == 1, "the area is checked before the shell, as alien-install env does")
        #expect(usage.stderr == "alien-env: error: software area /nonexistent does not exist (pass --area DIR or set ALIEN_AREA)\n")
        let bad = EnvironmentCommandLine.main(["--bogus"], environment: [:], program: "x")
        #expect(bad.status == 64)
        #expect(bad.stderr == "x: error: unknown option '--bogus'\nUsage: \(EnvironmentCommandLine.usage)\n  See 'x --help' for more information.\n")
        #expect(bad.stdout.isEmpty)

        let area = try AreaFixture()
        defer { area.remove() }
        try area.install("zlib", "v1.3.1")
        let ok = EnvironmentCommandLine.main(["zlib", "--area", area.root.path, "--shell", "json"], environment: ["PATH": "/bin"])
        #expect(ok.status == 0)
        #expect(ok.stderr.isEmpty)
        let object = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any]
        #expect(object?["PATH"] as? String == "\(area.root.path)/\(AreaFixture.arch)/zlib/v1.3.1-1/bin:/bin")
        #expect(EnvironmentCommandLine.main(["zlib", "--area", area.root.path, "--shell", "pwsh"], environment: [:]).status == 64)
        #expect(EnvironmentCommandLine.main(["nope", "--area", area.root.path], environment: [:]).status == 1)
    }

    @Test func tooManyArgumentsAreRefused() {
        #expect(throws: EnvironmentCommandLine.Failure.self) {
            try Arguments.parse([String](repeating: "x", count: Arguments.maximumCount + 1))
        }
    }
}
