import Foundation
import Testing

/// How `alien-install` reports a library's error: once, as `alien-install: error: …`, exit 1,
/// with the options that help added by the CLI (the libraries name no flags).
@Suite struct ErrorMappingCLITests {
    /// The `alien-install: error:` lines of a run's stderr.
    static func errorLines(_ result: Interop.Result) -> [Substring] {
        result.stderr.split(separator: "\n").filter { $0.hasPrefix("alien-install: error: ") }
    }

    @Test func anAreaThatTrustsNoRootIsToldWhichOptionHelps() throws {
        let area = try Interop.temporaryDirectory("errors-trust").appendingPathComponent("area").path
        let result = try CLITests.cli(["list", "--available", "--area", area, "--arch", "slc9_x86-64"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(
            Self.errorLines(result) == [
                "alien-install: error: \(area): the area trusts no repository yet; the repository's root metadata "
                    + "(root.json, obtained out of band) is needed the first time"
            ], "\(result.stderr)")
        #expect(result.stderr.hasSuffix("\n  give it once with: --root ROOT_JSON\n"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aMissingAreaNamesTheCommandsThatMakeOne() throws {
        let area = try Interop.temporaryDirectory("errors-noarea").appendingPathComponent("missing").path
        let result = try CLITests.cli(["list", "--area", area, "--arch", "slc9_x86-64"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(Self.errorLines(result).count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("alien-install: error: \(area): not a software area"), "\(result.stderr)")
        #expect(result.stderr.contains("\n  make one with: alien-install list --available --area \(area) --repo URL --root ROOT_JSON\n"))
    }

    @Test func aBadDateIsTheLibrarysWordsAndTheOption() throws {
        let result = try CLITests.cli(["resolve", "zlib", "--arch", "slc9_x86-64", "--date", "2024-13"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr == "alien-install: error: date 2024-13: expected YYYY-MM-DD or YYYY-MM-DD-HH (--date)\n", "\(result.stderr)")
    }

    /// A library error from a command that no wrapper ever caught: still printed once, exit 1.
    @Test func aRemoveOfWhatIsNotInstalledIsOneLine() throws {
        let area = try Interop.temporaryDirectory("errors-remove").appendingPathComponent("area").path
        for folder in [".alien", "slc9_x86-64"] { try FileManager.default.createDirectory(atPath: "\(area)/\(folder)", withIntermediateDirectories: true) }
        let result = try CLITests.cli(["remove", "zlib", "--area", area, "--arch", "slc9_x86-64"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr == "alien-install: error: zlib: not installed\n", "\(result.stderr)")
    }

    /// A command group run without a subcommand: ArgumentParser's own help request, not an error.
    @Test func aGroupWithoutASubcommandShowsItsHelp() throws {
        let result = try CLITests.cli(["repo"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.hasPrefix("OVERVIEW: Create and maintain a TUF repository"), "\(result.text)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    /// packmand maps its errors once too: a configuration that does not load is one line, exit 2;
    /// usage errors stay ArgumentParser's (64).
    @Test func packmandReportsABadConfigurationOnce() throws {
        let directory = try Interop.temporaryDirectory("errors-packmand")
        let missing = directory.appendingPathComponent("missing.yaml").path
        let unreadable = try Interop.run(PackmandProcess.binary, ["--config", missing, "--check-config"])
        #expect(unreadable.status == 2, "\(unreadable.stderr)")
        #expect(unreadable.stderr == "packmand: \(missing): cannot read the file\n", "\(unreadable.stderr)")
        let file = directory.appendingPathComponent("packmand.yaml")
        try "area: \(directory.path)/area\n".write(to: file, atomically: true, encoding: .utf8)
        let incomplete = try Interop.run(PackmandProcess.binary, ["--config", file.path])
        #expect(incomplete.status == 2, "\(incomplete.stderr)")
        #expect(incomplete.stderr.hasPrefix("packmand: \(file.path):1: listen: expected"), "\(incomplete.stderr)")
        #expect(incomplete.stderr.split(separator: "\n").count == 1, "\(incomplete.stderr)")
        #expect(try Interop.run(PackmandProcess.binary, ["--bogus"]).status == 64)
    }
}
