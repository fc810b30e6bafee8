import Foundation
@testable import AlienModel
import Testing
import TestSupport

/// The one-pass reader of canonical manifest files against the general reader: the same
/// manifest for every file it accepts, and every file a writer makes is accepted.
@Suite struct EnvironmentManifestFastJSONTests {
    typealias F = ManifestFixture

    /// Template texts: plain, references, braces before name characters, escapes, non-ASCII.
    static let values = [
        "$A_ROOT/lib", "${A_ROOT}x/share", "plain text", "ü/ß/日本", "$X$Y", "a\tb", #"\$HOME"#, #"q\"x\"q"#,
        #"back\\slash"#, "tick\\`", "$PATH", "!bang'quote", "e\u{301}"
    ]

    static func randomManifest(_ random: inout SeededGenerator) -> EnvironmentManifest {
        func pick(_ options: [String]) -> String { options.randomElement(using: &random)! }
        let names = ["zlib", "ROOT", "AliEn-Runtime", "x_1", "GCC-Toolchain"]
        let requires = (0..<Int.random(in: 0...3, using: &random)).map { index in F.package(pick(names) + "\(index)", pick(["v1", "1.2.3", "v6-32-06"])) }
        let env = (0..<Int.random(in: 0...3, using: &random)).map { index in ("VAR_\(index)", pick(values)) }
        let append = (0..<Int.random(in: 0...2, using: &random)).map { _ in (pick(["MANPATH", "ROOT_INCLUDE_PATH"]), pick(values) + ":" + pick(values)) }
        let prepend = (0..<Int.random(in: 0...2, using: &random)).map { _ in (pick(["PYTHONPATH", "PATH", "CMAKE_PREFIX_PATH"]), pick(values)) }
        var manifest = F.manifest(pick(names), pick(["1.0", "v5-09-59", "2026.1"]), requires: requires, env: env, append: append, prepend: prepend)
        if Bool.random(using: &random) { manifest.architecture = nil }
        return manifest
    }

    @Test func everyWrittenManifestIsReadInOnePass() throws {
        var random = SeededGenerator(seed: 14)
        var escaped = 0
        for _ in 0..<500 {
            let manifest = Self.randomManifest(&random)
            let bytes = manifest.jsonBytes + [0x0A]
            let general = try EnvironmentManifest(anyLayoutJSONBytes: bytes, file: "m.json")
            #expect(general == manifest)
            if let fast = EnvironmentManifest(canonicalJSONBytes: bytes) {
                #expect(fast == manifest)
            } else {
                // Only files with a string escape (a quote or backslash in a value) go the general way.
                #expect(bytes.contains(0x5C), "\(String(decoding: bytes, as: UTF8.self))")
                escaped += 1
            }
            #expect(try EnvironmentManifest(jsonBytes: bytes, file: "m.json") == manifest)
        }
        #expect(escaped < 500)
    }

    /// Mutated files: whatever the one-pass reader accepts, the general reader accepts as the same manifest.
    @Test func neverAcceptsWhatTheGeneralReaderRefuses() {
        var random = SeededGenerator(seed: 41)
        let alphabet = Array(#"{}[],:" \$`x0_-/AZaz.é"#.utf8) + [0x0A, 0x00, 0xFF]
        var accepted = 0
        for _ in 0..<3000 {
            var bytes = Self.randomManifest(&random).jsonBytes
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[position] = alphabet.randomElement(using: &random)!
                case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
                default: bytes.remove(at: position)
                }
            }
            let general = try? EnvironmentManifest(anyLayoutJSONBytes: bytes, file: "m.json")
            if let fast = EnvironmentManifest(canonicalJSONBytes: bytes) {
                accepted += 1
                #expect(fast == general, "\(String(decoding: bytes, as: UTF8.self))")
            }
            // The public reader gives the general reader's answer either way.
            #expect((try? EnvironmentManifest(jsonBytes: bytes, file: "m.json")) == general)
        }
        #expect(accepted > 0)
    }

    /// Other layouts are still manifests, read by the general reader.
    @Test func otherLayoutsGoTheGeneralWay() throws {
        let manifest = F.manifest("fastjet", requires: [F.package("ROOT")], env: [("FASTJET", "$FASTJET_ROOT")])
        let text = String(decoding: manifest.jsonBytes, as: UTF8.self)
        for layout in [text.replacingOccurrences(of: ",", with: ", "), "\n" + text, text.replacingOccurrences(of: "\"arch\"", with: "\"arc\\u0068\"")] {
            let bytes = Array(layout.utf8)
            #expect(EnvironmentManifest(canonicalJSONBytes: bytes) == nil, "\(layout)")
            #expect(try EnvironmentManifest(jsonBytes: bytes, file: "m.json") == manifest)
        }
        // Keys out of order: read by the general reader too.
        let reordered = text.replacingOccurrences(of: #"{"append_path":[],"arch":"slc9_x86-64","#, with: #"{"arch":"slc9_x86-64","append_path":[],"#)
        #expect(reordered != text)
        #expect(EnvironmentManifest(canonicalJSONBytes: Array(reordered.utf8)) == nil)
        #expect(try EnvironmentManifest(jsonBytes: Array(reordered.utf8), file: "m.json") == manifest)
    }

    /// Refusals keep the general reader's messages (the one-pass reader never explains).
    @Test func errorsAreTheGeneralReaders() {
        let bytes = Array(String(decoding: F.manifest("x").jsonBytes, as: UTF8.self).replacingOccurrences(of: "$X_ROOT/bin", with: "$(id)").utf8)
        #expect(EnvironmentManifest(canonicalJSONBytes: bytes) == nil)
        #expect {
            try EnvironmentManifest(jsonBytes: bytes, file: "x/.alien-environment.json")
        } throws: { error in
            "\(error)".hasPrefix("x/.alien-environment.json: prepend_path[")
        }
    }
}
