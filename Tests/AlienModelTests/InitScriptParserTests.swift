import AlienModel
import Foundation
import Testing

@Suite struct InitScriptParserTests {
    typealias F = ManifestFixture

    /// An init.sh as aliBuild 1.17's generate_initdotsh writes it (values as recipes spell them).
    static let aliBuildText = """
        : "${ALIBUILD_ARCH_PREFIX:=slc9_x86-64}"
        [ -n "${ROOT_REVISION}" ] || . "$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/ROOT/v6-32-06-1/etc/profile.d/init.sh
        [ -n "${ALIEN_RUNTIME_REVISION}" ] || . "$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/AliEn-Runtime/v2-19-le-3/etc/profile.d/init.sh
        export ALIROOT_ROOT="$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/AliRoot/v5-09-59-1
        export RECC_PREFIX_MAP="$ALIROOT_ROOT=/recc/ALIROOT_ROOT:$RECC_PREFIX_MAP"
        export ALIROOT_VERSION=v5-09-59
        export ALIROOT_REVISION=1
        export ALIROOT_HASH=0123abcd
        export ALIROOT_COMMIT=fedc9876
        export ALICE_ROOT="${ALIROOT_ROOT}"
        export ROOT_INCLUDE_PATH="$ROOT_INCLUDE_PATH:$ALIROOT_ROOT/include:$ALIROOT_ROOT/include/x"
        export PATH="$ALIROOT_ROOT/bin${PATH+:$PATH}"
        export LD_LIBRARY_PATH="$ALIROOT_ROOT/lib${LD_LIBRARY_PATH+:$LD_LIBRARY_PATH}"

        """

    @Test func readsAliBuildsGrammar() throws {
        let manifest = try InitScriptParser.parse(Self.aliBuildText, file: "AliRoot/v5-09-59-1/etc/profile.d/init.sh")
        #expect(manifest.architecture == "slc9_x86-64")
        #expect(manifest.package == .init(name: try PackageName("AliRoot"), version: "v5-09-59", revision: "1", hash: "0123abcd", commit: "fedc9876"))
        #expect(manifest.requires.map(\.moduleName) == ["ROOT/v6-32-06-1", "AliEn-Runtime/v2-19-le-3"])
        #expect(manifest.env.map(\.name) == ["ALICE_ROOT"])
        #expect(manifest.env[0].value.description == "$ALIROOT_ROOT")
        #expect(manifest.appendPath.map(\.name) == ["ROOT_INCLUDE_PATH"])
        #expect(manifest.appendPath[0].items.map(\.description) == ["$ALIROOT_ROOT/include", "$ALIROOT_ROOT/include/x"])
        #expect(manifest.prependPath.map(\.name) == ["PATH", "LD_LIBRARY_PATH"])
        // Read again from its own rendering: the same manifest.
        #expect(try InitScriptParser.parse(manifest.initScript, file: "again") == manifest)
    }

    @Test func quotedVersionsAndNoArchitectureLine() throws {
        let manifest = F.manifest("Data", "2026 'a'", requires: [F.package("greeter", "v 1")])
        var text = manifest.initScript
        text = String(text.drop { $0 != "\n" }.dropFirst())
        let read = try InitScriptParser.parse(text, file: "x")
        #expect(read.architecture == nil)
        #expect(read.package.version == "2026 'a'")
        #expect(read.requires[0].version == "v 1")
    }

    static func replacing(_ line: Int, with text: String) -> String {
        var lines = aliBuildText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[line - 1] = text
        return lines.joined(separator: "\n")
    }

    static func inserting(after line: Int, _ text: String) -> String {
        var lines = aliBuildText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert(text, at: line)
        return lines.joined(separator: "\n")
    }

    @Test(arguments: [
        (inserting(after: 10, "touch /tmp/alien-marker"), 11, "expected export"),
        (inserting(after: 10, "export X=\"$(touch /tmp/alien-marker)\""), 11, "command substitution"),
        (inserting(after: 10, "export X=\"`id`\""), 11, "backticks"),
        (inserting(after: 10, "export X=\"a\" ; touch /tmp/m"), 11, "after the closing double quote"),
        (inserting(after: 10, "export X=unquoted"), 11, "not in double quotes"),
        (inserting(after: 10, "export X=\"${HOME:-/root}\""), 11, "parameter expansion"),
        (inserting(after: 10, "export PWD=\"/x\""), 11, "bash sets itself"),
        (inserting(after: 10, "export X=\"open"), 11, "no closing double quote"),
        (inserting(after: 10, "# a comment"), 11, "expected export"),
        (inserting(after: 12, "export X=\"late\""), 13, "after the prepend_path lines"),
        (inserting(after: 3, "source /etc/profile"), 4, "expected export <NAME>_ROOT"),
        (replacing(2, with: "[ -n \"${ROOT_REVISION}\" ] || . /tmp/evil.sh"), 2, "expected [ -n"),
        (
            replacing(2, with: "[ -n \"${ZLIB_REVISION}\" ] || . \"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/ROOT/v6-32-06-1/etc/profile.d/init.sh"), 2,
            "does not read as aliBuild writes it"
        ),
        (
            replacing(2, with: "[ -n \"${ROOT_REVISION}\" ] || . \"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/ROOT/../../../tmp-1/etc/profile.d/init.sh"), 2,
            "is not <name>/<version>-<revision>"
        ),
        (replacing(1, with: ": \"${ALIBUILD_ARCH_PREFIX:=$(id)}\""), 1, "holds characters"),
        (replacing(4, with: "export ALIROOT_ROOT=/opt/elsewhere"), 4, "own variables"),
        (replacing(6, with: "export ALIROOT_VERSION=v5-09-60"), 4, "_VERSION and _REVISION say"),
        (replacing(5, with: "export RECC_PREFIX_MAP=\"$(id)\""), 5, "expected export RECC_PREFIX_MAP"),
        (replacing(8, with: "export ALIROOT_HASH=$(id)"), 8, "shell-quoted"),
        (replacing(12, with: "export PATH=\"$(id)${PATH+:$PATH}\""), 12, "command substitution"),
        (aliBuildText.split(separator: "\n").prefix(3).joined(separator: "\n"), 4, "own variables")
    ])
    func refusesAnythingElseWithItsLine(text: String, line: Int, reason: String) {
        do {
            let manifest = try InitScriptParser.parse(text, file: "pkg/etc/profile.d/init.sh")
            Issue.record("accepted: \(manifest)")
        } catch {
            #expect(error.description.hasPrefix("pkg/etc/profile.d/init.sh:\(line): "), "\(error)")
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func limitsAndEncoding() {
        #expect(throws: EnvironmentManifestError.self) {
            try InitScriptParser.parse([UInt8](repeating: 0x41, count: InitScriptParser.maximumSize + 1), file: "big")
        }
        var bytes = Array(Self.aliBuildText.utf8)
        bytes.insert(0xFF, at: Self.aliBuildText.utf8.count - 10)
        do { _ = try InitScriptParser.parse(bytes, file: "f"); Issue.record("accepted invalid UTF-8") } catch {
            #expect(error.description.hasPrefix("f:13: not valid UTF-8"), "\(error)")
        }
        #expect(throws: EnvironmentManifestError.self) {
            try InitScriptParser.parse(Self.aliBuildText.replacingOccurrences(of: "\n", with: "\r\n"), file: "crlf")
        }
        #expect(throws: EnvironmentManifestError.self) { try InitScriptParser.parse("", file: "empty") }
    }
}
