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
        #expect(Self.errorLines(result) == ["alien-install: error: \(area): the area trusts no repository yet; the repository's root metadata "
            + "(root.json, obtained out of band) is needed the first time"], "\(result.stderr)")
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
}
