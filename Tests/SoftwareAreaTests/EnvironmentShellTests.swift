import AreaEnvironment
import Foundation
import SoftwareArea
import Testing
import TestSupport

/// The printed statements, evaluated by the real shells.
@Suite struct EnvironmentShellTests {
    typealias F = EnvironmentFixture

    static let odd: [String: String] = [
        "ODD_QUOTES": "it's \"quoted\" and `ticked`",
        "ODD_DOLLAR": "$HOME ${PATH} $(echo no) \\n \\ backslash",
        "ODD_NEWLINE": "line one\nline two\n\ttabbed",
        "ODD_BANG": "wow! !! !$ ~ * ? [a] {b,c} ; & | < > #",
        "ODD_EMPTY": "",
        "ODD_UNICODE": "Grüße ✓",
        "SOME_PATH": "/a b/bin:/c'd/bin:/usr/bin",
        // A quote, `!` or backslash followed by a combining mark is one Character in Swift but
        // still a quote to the shell: quoting goes scalar by scalar.
        "ODD_COMBINING": "'\u{301}; echo injected; '\u{301} !\u{301} \\\u{301} $\u{301}"
    ]
    static var changes: EnvironmentChanges { EnvironmentChanges(values: odd, removed: ["REMOVE_ME"]) }
    static let before = F.baseEnvironment.merging(["REMOVE_ME": "x"]) { $1 }

    /// Writes the statements to a file, lets the shell source it, reads `env -0` back.
    static func evaluate(_ shell: EnvironmentShell, program: String, arguments: (String) -> [String]) throws -> [String: String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("alien-env-\(UUID().uuidString).\(shell.rawValue)")
        defer { try? FileManager.default.removeItem(at: file) }
        try shell.render(changes).write(to: file, atomically: true, encoding: .utf8)
        let result = try F.run(program, arguments(file.path), environment: before)
        #expect(result.status == 0, "\(shell): \(result.stderr)")
        return F.parseEnv0(result.stdout)
    }

    static func check(_ environment: [String: String], _ shell: String) {
        for (name, value) in odd { #expect(environment[name] == value, "\(shell): \(name)") }
        #expect(environment["REMOVE_ME"] == nil, "\(shell) unsets")
    }

    @Test func bashAndShEvalTheOutput() throws {
        Self.check(try Self.evaluate(.bash, program: "/bin/bash") { ["--norc", "-c", "eval \"$(cat '\($0)')\"; env -0"] }, "bash")
        Self.check(try Self.evaluate(.sh, program: "/bin/sh") { ["-c", ". '\($0)'; env -0"] }, "sh")
        if let zsh = F.tool("zsh") {
            Self.check(try Self.evaluate(.zsh, program: zsh) { ["-f", "-c", "eval \"$(cat '\($0)')\"; env -0"] }, "zsh")
        }
    }

    @Test func tcshSourcesTheOutput() throws {
        guard let tcsh = F.tool("tcsh") else {
            #expect(!F.requireInterop, "tcsh is required (ALIEN_REQUIRE_INTEROP=1): apt-get install tcsh")
            return
        }
        Self.check(try Self.evaluate(.tcsh, program: tcsh) { ["-f", "-c", "source '\($0)'; env -0"] }, "tcsh")
        if let csh = F.tool("csh") {
            Self.check(try Self.evaluate(.csh, program: csh) { ["-f", "-c", "source '\($0)'; env -0"] }, "csh")
        }
    }

    @Test func fishSourcesTheOutput() throws {
        guard let fish = F.tool("fish") else {
            #expect(!F.requireInterop, "fish is required (ALIEN_REQUIRE_INTEROP=1): apt-get install fish")
            return
        }
        Self.check(try Self.evaluate(.fish, program: fish) { ["--no-config", "-c", "source '\($0)'; env -0"] }, "fish")
    }

    @Test func jsonHasNullForRemovedVariables() throws {
        let text = EnvironmentShell.json.render(EnvironmentChanges(values: ["A": "x\"y"], removed: ["B"]))
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(object?["A"] as? String == "x\"y")
        #expect(object?["B"] is NSNull)
    }

    /// JSONSerialization's pretty layout (`  "K" : "v"`, one member a line), names in code-point
    /// order (not the locale's collation), control characters escaped, `/` and non-ASCII as they are.
    @Test func jsonLayout() throws {
        let changes = EnvironmentChanges(values: ["b": "x/y", "A_B": "q\"\\\u{1}\n\té", "A1": "", "GONE": "set again"], removed: ["GONE", "Z"])
        let text = EnvironmentShell.json.render(changes)
        #expect(
            text == """
                {
                  "A1" : "",
                  "A_B" : "q\\"\\\\\\u0001\\n\\té",
                  "GONE" : "set again",
                  "Z" : null,
                  "b" : "x/y"
                }

                """)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["A_B"] as? String == "q\"\\\u{1}\n\té")
        #expect(EnvironmentShell.json.render(EnvironmentChanges()) == "{\n\n}\n")
        // The same bytes as JSONSerialization where both orders agree.
        let plain = EnvironmentChanges(values: ["A": "1/2", "B": "x\ty"], removed: ["C"])
        var reference: [String: Any] = ["A": "1/2", "B": "x\ty"]
        reference["C"] = NSNull()
        let data = try JSONSerialization.data(withJSONObject: reference, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        #expect(EnvironmentShell.json.render(plain) == String(decoding: data, as: UTF8.self) + "\n")
    }

    /// The bytes printed are the rendered text, and variables come in String's order of their
    /// names: the sort on 16-byte integer prefixes agrees with it on ties, on names that are
    /// prefixes of others, and (by falling back) on non-ASCII names.
    @Test func renderedBytesAreTheTextInNameOrder() {
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array("AB_9a")
        for round in 0..<40 {
            var values: [String: String] = [:]
            for _ in 0..<(1 + generator.next() % 60) {
                // Long shared prefixes, so that many names tie on their first 16 bytes.
                let stem = round % 2 == 0 ? "ABCDEFGHIJKLMNO" : ""
                let tail = String((0..<(generator.next() % 6)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
                values[stem + "A" + tail] = "v'\(generator.next() % 10)"
            }
            if round % 5 == 4 { values["Ünïcode_\(round)"] = "x" }
            let changes = EnvironmentChanges(values: values, removed: ["GONE", "ALSO_GONE"])
            for shell in EnvironmentShell.allCases {
                #expect(String(decoding: shell.renderBytes(changes), as: UTF8.self) == shell.render(changes))
            }
            let printed = EnvironmentShell.sh.render(changes).split(separator: "\n").filter { $0.hasPrefix("export ") }
                .map { String($0.dropFirst("export ".count).prefix { $0 != "=" }) }
            #expect(printed == values.keys.sorted(), "round \(round)")
        }
    }

    @Test func statementForms() {
        let changes = EnvironmentChanges(values: ["X": "a b"], removed: ["Y"])
        #expect(EnvironmentShell.bash.render(changes) == "unset Y;\nexport X='a b';\n")
        #expect(EnvironmentShell.csh.render(changes) == "unsetenv Y;\nsetenv X 'a b';\n")
        #expect(EnvironmentShell.fish.render(changes) == "set -e Y;\nset -gx X 'a b';\n")
        #expect(EnvironmentShell.fish.render(EnvironmentChanges(values: ["PATH": "/a:/b"])) == "set -gx PATH '/a' '/b';\n")
        #expect(EnvironmentShell.fromPath("/usr/bin/tcsh") == .tcsh)
        #expect(EnvironmentShell.fromPath(nil) == .sh)
    }
}
