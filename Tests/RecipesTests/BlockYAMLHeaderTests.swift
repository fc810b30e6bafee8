import Foundation
import Testing

@testable import Recipes

/// The block-YAML fast path against Yams: whatever it decides must be what Yams (with
/// PyYAML typing) makes of the same text, lines included; whatever it is unsure of it must
/// hand over (nil).
@Suite struct BlockYAMLHeaderTests {
    /// Headers in the style of alidist's, which the fast path must decide itself.
    static let accepted: [String] = [
        """
        package: Example-Pkg
        version: "%(tag_basename)s"
        tag: v1.2.3
        source: https://github.com/example/example
        requires:
          - zlib
          - "openmp:(?!osx.*)"
          - Clang:(?!osx*)
        build_requires:
        - CMake
        - 'alibuild-recipe-tools'   # quoted, then a comment
        env:
          EXAMPLE_ROOT: "$EXAMPLE_ROOT/share"
          CXXSTD: '20'
          EMPTY:
          WITH_HASH: a#b c # a comment
        prepend_path:
          ROOT_INCLUDE_PATH: "$EXAMPLE_ROOT/include:$X/include"
        force_rebuild: yes
        """,
        """
        # A comment before anything.
        package: defaults-x
        version: v1

        env:
          CFLAGS: -fPIC -O2
          ENABLE: 'ON'
          OFF_TOO: OFF
          N: 017
          F: 1.5
          E: 1e5
          D: 2024-01-31
          T: 2001-12-14t21:59:43.10-05:00
          NONE: ~
          NULLS: null
          SINGLE: 'it''s'
          TILDE_IN: a~b
        disable:
          - mesos
          - MySQL
        overrides:
          AliRoot:
            version: '%(commit_hash)s_O2'
            requires:
              - ROOT
              - fastjet:(?!.*ppc64)
          "GCC-Toolchain:(?!osx)":
            tag: v12
        """,
        """
        package: checks
        version: v1
        system_requirement: ".*"
        system_requirement_check: |
          printf "#include <zlib.h>\\nint main(){}" | cc -xc - -lz -o /dev/null
          # a comment inside the script

            indented: more
          done
        prefer_system_check: |-
          verge=1
          echo $verge
        prefer_system_replacement_specs:
          "zlib.*":
            env:
              ZLIB_ROOT: /usr
        list_of_scripts:
          - |
            echo one
          - two
        after: value
        """,
        "package: a\nversion: v1\n",
        "package: a\nversion: v1",
        "",
        "# only a comment\n",
        "package: a\nversion: v1\nrequires:\n  -\n  - b\n-: x\n",
        "package: a\nversion: 1\nyes: no\n2: two\n",
        "- a\n- b\n"
    ]

    /// Headers the fast path must leave to Yams.
    static let refused: [String] = [
        "package: a\nversion: [v1]\n",
        "package: a\nenv: {A: b}\n",
        "package: &p a\nversion: *p\n",
        "package: !!str a\n",
        "package: a\nversion: v1\n  continued\n",
        "package: \"a\\tb\"\n",
        "package: \"a\nb\"\n",
        "package: >\n  folded\n",
        "package: |+\n  kept\n\n",
        "package: |2\n   x\n",
        "package: |\n\n  leading blank\n",
        "package: a\npackage: b\n",
        "package: a\n1: x\n1.0: y\n",
        "package: a\nyes: x\n1: y\n",
        "package: a\tb\n",
        "package: caf\u{E9}\n",
        "requires:\n  - a: b\n",
        "requires:\n  - - a\n",
        "  package: indented\n",
        "package: a\n version: b\n",
        "%YAML 1.1\npackage: a\n",
        "package: a\n...\n",
        "package: a: b\n",
        "package: a:\n",
        "? complex\n: key\n",
        "package: %(x)s\n",
        "package: @a\n",
        "<<: {a: b}\n",
        "package:a\n",
        "plain scalar\n",
        "package: a\nenv:\n    A: 1\n  B: 2\n",
        "key: |\n    text\n  less\n",
        "package: 'unterminated\n"
    ]

    @Test(arguments: accepted)
    func decidesAlidistStyleHeadersAsYamsDoes(_ text: String) throws {
        let fast = try #require(BlockYAMLHeader.parse(text), "the fast path handed over:\n\(text)")
        let yams = try YAMLHeader.parseWithYams(text, file: "t.sh")
        #expect(Self.same(fast, yams), "\(fast)\nYams: \(yams)")
    }

    @Test(arguments: refused)
    func handsAnythingElseToYams(_ text: String) {
        #expect(BlockYAMLHeader.parse(text) == nil, "decided: \(text)")
    }

    /// Large headers go to Yams and its limits: more values than YAMLHeader allows, a mapping
    /// with more keys than the fast path's duplicate check is meant for, deep nesting.
    @Test func largeOrDeepHeadersAreLeftToYams() {
        let manyItems = "package: a\nrequires:\n" + String(repeating: "  - x\n", count: YAMLHeader.maximumValues + 1)
        #expect(BlockYAMLHeader.parse(manyItems) == nil)
        let manyKeys = "package: a\nenv:\n" + (0...BlockYAMLHeader.maximumKeys).map { "  K\($0): v\n" }.joined()
        #expect(BlockYAMLHeader.parse(manyKeys) == nil)
        let deep = (0...BlockYAMLHeader.maximumDepth).map { String(repeating: " ", count: $0) + "k\($0):\n" }.joined()
        #expect(BlockYAMLHeader.parse(deep) == nil)
        let fine = "package: a\nenv:\n" + (0..<100).map { "  K\($0): v\n" }.joined()
        #expect(BlockYAMLHeader.parse(fine) != nil)
    }

    /// Every one-byte deletion and every insertion of a YAML-significant byte in the accepted
    /// headers: where the fast path decides, Yams must accept the text and agree.
    @Test func mutationsNeverDiffer() {
        let inserts: [UInt8] = Array(" :-#'\"|\n\\>[&!%".utf8)
        var decided = 0
        var total = 0
        for base in Self.accepted.prefix(3) {
            let bytes = Array(base.utf8)
            var variants: [[UInt8]] = []
            for at in bytes.indices {
                var deleted = bytes
                deleted.remove(at: at)
                variants.append(deleted)
                for byte in inserts where at % 3 == 0 || byte == 32 || byte == 10 {
                    var inserted = bytes
                    inserted.insert(byte, at: at)
                    variants.append(inserted)
                }
            }
            for variant in variants {
                let text = String(decoding: variant, as: UTF8.self)
                total += 1
                guard let fast = BlockYAMLHeader.parse(text) else { continue }
                decided += 1
                do {
                    let yams = try YAMLHeader.parseWithYams(text, file: "t.sh")
                    if !Self.same(fast, yams) { Issue.record("differs from Yams on:\n\(text)\nfast: \(fast)\nYams: \(yams)") }
                } catch {
                    Issue.record("decided what Yams refuses (\(error)):\n\(text)")
                }
            }
        }
        // Most single mutations keep a header in the subset: the fast path is exercised.
        #expect(decided > total / 3, "\(decided) of \(total)")
    }

    /// Real recipes, when a checkout is given (CI has none): ALIDIST=/path/to/alidist.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ALIDIST"] != nil, "needs ALIDIST=<alidist checkout>"))
    func agreesWithYamsOnARealAlidist() throws {
        let directory = try #require(ProcessInfo.processInfo.environment["ALIDIST"])
        var decided = 0
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sh") }
        for name in names {
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            guard let separator = text.range(of: "---") else { continue }
            let header = String(text[..<separator.lowerBound])
            guard let fast = BlockYAMLHeader.parse(header) else { continue }
            decided += 1
            let yams = try YAMLHeader.parseWithYams(header, file: name)
            #expect(Self.same(fast, yams), "\(name)")
        }
        #expect(decided * 10 >= names.count * 9, "decided \(decided) of \(names.count)")
    }

    /// Equal values, and equal lines on every mapping entry.
    static func same(_ lhs: RecipeValue, _ rhs: RecipeValue) -> Bool {
        switch (lhs, rhs) {
        case let (.list(left), .list(right)):
            return left.count == right.count && zip(left, right).allSatisfy { same($0, $1) }
        case let (.map(left), .map(right)):
            return left.entries.count == right.entries.count
                && zip(left.entries, right.entries).allSatisfy { $0.key == $1.key && $0.line == $1.line && same($0.value, $1.value) }
        default:
            return lhs == rhs
        }
    }
}
