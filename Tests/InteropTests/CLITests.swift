import Foundation
import Testing

/// The `alien-install` executable as a user runs it: output, exit status, error messages.
@Suite struct CLITests {
    static var binary: URL {
        // The test bundle and the executables share one build folder.
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("alien-install")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return Interop.root.appendingPathComponent(".build/debug/alien-install")
    }

    static let recipes = Interop.root.appendingPathComponent("recipes").path

    static func cli(_ arguments: [String]) throws -> Interop.Result {
        try Interop.run(binary, arguments, environment: ["ALIEN_RECIPES": recipes])
    }

    static func fixture(_ files: [String: String]) throws -> URL {
        let directory = try Interop.temporaryDirectory("cli")
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory
    }

    @Test func hashesOfTheFullClosure() throws {
        let result = try Self.cli(["resolve", "AliRoot", "--defaults", "release", "--arch", "slc7_x86-64", "--format", "hashes"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.text.split(separator: "\n")
        #expect(lines.count >= 20)
        #expect(lines.contains { $0.hasPrefix("AliRoot v5-09-59 ") })
        #expect(!lines.contains { $0.hasPrefix("defaults-release") })
        #expect(lines.map { $0.split(separator: " ")[0] } == lines.map { $0.split(separator: " ")[0] }.sorted())
        #expect(lines.allSatisfy { $0.split(separator: " ").count == 3 && $0.split(separator: " ")[2].count == 40 })
    }

    @Test(arguments: ["table", "json", "dot"])
    func everyFormatRenders(_ format: String) throws {
        let result = try Self.cli(["resolve", "ROOT", "--arch", "slc9_x86-64", "--format", format])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("ROOT"))
    }

    @Test func explainAndDiff() throws {
        let before = try Self.cli(["resolve", "AliRoot", "--arch", "slc9_x86-64", "--format", "json"])
        let file = try Interop.temporaryDirectory("diff").appendingPathComponent("plan.json")
        try before.stdout.write(to: file)
        let diff = try Self.cli(["resolve", "AliRoot", "--arch", "slc9_x86-64", "--defaults", "root6next", "--diff", file.path])
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(diff.text.contains("ROOT:"))
        #expect(diff.text.contains("version: v6-32-06 → v6-34-02"))
        let explain = try Self.cli(["resolve", "zlib", "--arch", "slc9_x86-64", "--explain", "zlib"])
        #expect(explain.text.contains("hash inputs, in order"))
        #expect(explain.text.contains("requires defaults-release: "))
    }

    @Test func malformedRecipeNamesFileAndLine() throws {
        let directory = try Self.fixture([
            "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n",
            "top.sh": "package: top\nversion: v1\nrequires: zlib\n---\n"
        ])
        let result = try Self.cli(["resolve", "top", "--arch", "slc7_x86-64", "-c", directory.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("top.sh:3"))
        #expect(result.stderr.contains("'requires' must be a list"))
        #expect(result.stdout.isEmpty)
    }

    @Test func usageErrorsExit64() throws {
        #expect(try Self.cli(["resolve"]).status == 64)
        #expect(try Self.cli(["resolve", "ROOT", "--format", "yaml"]).status == 64)
        let badArch = try Self.cli(["resolve", "ROOT", "--arch", "x86_64"])
        #expect(badArch.status != 0)
        #expect(badArch.stderr.contains("x86_64"))
    }

    @Test func missingPackageSaysWhoRequiredIt() throws {
        let directory = try Self.fixture([
            "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n",
            "top.sh": "package: top\nversion: v1\nrequires: [ghost]\n---\n"
        ])
        let result = try Self.cli(["resolve", "top", "--arch", "slc7_x86-64", "-c", directory.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no recipe for ghost (required by top)"))
    }

    @Test func doctorExitCodes() throws {
        let directory = try Self.fixture([
            "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n",
            "defaults-other.sh": "package: defaults-other\nversion: v1\n---\n",
            "ok.sh": "package: ok\nversion: v1\n---\n",
            "picky.sh": "package: picky\nversion: v1\nvalid_defaults: [other]\n---\n",
            "fussy.sh": "package: fussy\nversion: v1\nvalid_defaults: [third]\nrequires: [picky]\n---\n",
            "needy.sh": "package: needy\nversion: v1\nrequires: [tool]\n---\n",
            "tool.sh":
                "package: tool\nversion: v1\nsystem_requirement: \".*\"\nsystem_requirement_check: \"false\"\nsystem_requirement_missing: \"install the tool\"\n---\n"
        ])
        func doctor(_ arguments: String...) throws -> Interop.Result {
            try Self.cli(["doctor", "--arch", "slc7_x86-64", "-c", directory.path] + arguments)
        }
        #expect(try doctor("ok").status == 0)
        let missing = try doctor("needy")
        #expect(missing.status == 1)
        #expect(missing.text.contains("install the tool"))
        #expect(try doctor("picky").status == 2)
        #expect(try doctor("fussy").status == 3)
        #expect(try doctor("picky", "--defaults", "other").status == 0)
    }

    @Test func helpDescribesTheCommands() throws {
        let help = try Self.cli(["--help"])
        #expect(help.status == 0)
        #expect(help.text.contains("resolve"))
        #expect(help.text.contains("doctor"))
    }

    @Test(arguments: ["analysis", "simulation", "reconstruction", "demo"])
    func exampleJDLsCheck(_ name: String) throws {
        let file = Interop.root.appendingPathComponent("examples/jdl/\(name).jdl").path
        let result = try Self.cli(["jdl", "check", file, "295585", "100", "--syntax-only"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("Requirements = (other.Type == \"machine\") && (member(other.Packages, \"VO_ALICE@"))
    }

    @Test func badJDLShowsTheLineWithACaret() throws {
        let directory = try Self.fixture(["bad.jdl": "Executable = \"x\";\nArguments = \"open;\n"])
        let result = try Self.cli(["jdl", "check", directory.appendingPathComponent("bad.jdl").path, "--syntax-only"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.jdl:2:13: unterminated string"))
        #expect(result.stderr.contains("            ^"))
        #expect(try Self.cli(["jdl", "check", directory.appendingPathComponent("bad.jdl").path]).status == 64, "without --syntax-only a repository is needed")
    }

    /// Issue 15 §3: what production JDLs hold, and what must be refused with its place.
    @Test func productionJDLShapes() throws {
        let directory = try Self.fixture([
            "prod.jdl":
                "Executable = \"/bin/true\";\nPackages = {\"VO_ALICE@Prod::v1\"};\nLPMMetaData = \"Packages=[VO_ALICE@Prod::v1];\nOutputDir=/alice/sim/X;Run=42;\";\nTTL = 72000;\n",
            "ttl.jdl": "Executable = \"/bin/true\";\nPackages = {\"VO_ALICE@Prod::v1\"};\nTTL = 9223372036854775807;\n",
            "oneline.jdl": "Executable = \"/bin/true\";\nTTL = \"72000\" Price = 1;\n"
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        try (Data("Executable = \"/bin/true\";\nA = \"ab".utf8) + Data([0xFF]) + Data("\";\n".utf8))
            .write(to: directory.appendingPathComponent("latin1.jdl"))
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        let multiLine = try Self.cli(["jdl", "check", path("prod.jdl"), "--syntax-only"])
        #expect(multiLine.status == 0, "\(multiLine.stderr)")

        let ttl = try Self.cli(["jdl", "check", path("ttl.jdl"), "--syntax-only"])
        #expect(ttl.status == 1)
        #expect(ttl.text.contains("3:7: TTL 9223372036854775807 is out of range"), "\(ttl.text)")
        // run --jdl refuses it before anything else (it used to trap on the overflow).
        let run = try Self.cli(["run", "--jdl", path("ttl.jdl"), "--area", path("no-area"), "--", "true"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("ttl.jdl: 3:7: TTL 9223372036854775807 is out of range"), "\(run.stderr)")

        let oneLine = try Self.cli(["jdl", "check", path("oneline.jdl"), "--syntax-only"])
        #expect(oneLine.status == 1)
        #expect(oneLine.stderr.contains("oneline.jdl:2:14: missing ';' after the value of 'TTL'"), "\(oneLine.stderr)")

        let latin1 = try Self.cli(["jdl", "check", path("latin1.jdl"), "--syntax-only"])
        #expect(latin1.status == 1)
        #expect(latin1.stderr.contains("latin1.jdl:2:8: the text is not valid UTF-8 here"), "\(latin1.stderr)")
    }
}
