import AlienModel
import Foundation
import Testing

@Suite struct EnvironmentManifestJSONTests {
    typealias F = ManifestFixture

    static let sample = F.manifest(
        "fastjet", "v3.4.1", requires: [F.package("ROOT", "v6-32-06")],
        env: [("FASTJET", "$FASTJET_ROOT"), ("TAB", "a\tb \\\"q\\\" ü")],
        append: [("ROOT_INCLUDE_PATH", "$FASTJET_ROOT/include")])

    @Test func canonicalBytesRoundTrip() throws {
        let bytes = Self.sample.jsonBytes
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(
            text.hasPrefix(
                #"{"append_path":[{"items":["$FASTJET_ROOT/include"],"name":"ROOT_INCLUDE_PATH"}],"arch":"slc9_x86-64","env":[{"name":"FASTJET","value":"$FASTJET_ROOT"},"#
            ))
        #expect(text.contains(#""value":"a\u0009b \\\"q\\\" ü""#))
        #expect(
            text.contains(
                #""format":"alien-environment/1","package":{"commit":"c-fastjet","hash":"h-fastjet","name":"fastjet","revision":"1","version":"v3.4.1"}"#))
        let read = try EnvironmentManifest(jsonBytes: bytes, file: "m.json")
        #expect(read == Self.sample)
        #expect(read.jsonBytes == bytes)
        // Whitespace between tokens is read (the file ends with a newline).
        #expect(try EnvironmentManifest(jsonBytes: bytes + [0x0A], file: "m.json") == Self.sample)
        let withheld = EnvironmentManifest.withheld(package: F.package("X"), architecture: nil, reason: "init.sh:3: no")
        #expect(try EnvironmentManifest(jsonBytes: withheld.jsonBytes, file: "w.json") == withheld)
    }

    enum Mutation: Sendable, CustomStringConvertible {
        case replace(String, String)
        case append(String)
        case dropLast(Int)

        func apply(_ text: String) -> String {
            switch self {
            case let .replace(old, new): text.replacingOccurrences(of: old, with: new)
            case let .append(tail): text + tail
            case let .dropLast(count): String(text.dropLast(count))
            }
        }

        var description: String {
            switch self {
            case let .replace(old, new): "\(old) → \(new)"
            case let .append(tail): "+ \(tail)"
            case let .dropLast(count): "- \(count)"
            }
        }
    }

    static func mutated(_ mutation: Mutation) -> [UInt8] {
        Array(mutation.apply(String(decoding: sample.jsonBytes, as: UTF8.self)).utf8)
    }

    @Test(arguments: [
        Mutation.replace("alien-environment/1", "alien-environment/2"),
        .replace(#""arch":"#, #""extra":"x","arch":"#),
        .replace(#""requires":[{"name":"ROOT","revision":"1","version":"v6-32-06"}]"#, #""x":[]"#),
        .replace(#""arch":"slc9_x86-64","#, #""arch":"a","arch":"slc9_x86-64","#),
        .replace(#""value":"$FASTJET_ROOT""#, #""value":"$(touch /tmp/x)""#),
        .replace(#""value":"$FASTJET_ROOT""#, #""value":"${FASTJET_ROOT}""#),
        .replace(#""items":["$FASTJET_ROOT/include"]"#, #""items":["$FASTJET_ROOT/include:/x"]"#),
        .replace(#""name":"fastjet""#, #""name":"../x""#),
        .replace(#""name":"FASTJET""#, #""name":"IFS""#),
        .replace(#""revision":"1","version":"v3.4.1""#, #""revision":1,"version":"v3.4.1""#),
        .append("{}"),
        .dropLast(3),
        .replace(#""items":["$FASTJET_ROOT/include"]"#, #""items":[]"#),
        .replace(#""version":"v3.4.1""#, #""version":"v3/../4""#)
    ])
    func malformedManifestsAreRefused(mutation: Mutation) {
        #expect(throws: EnvironmentManifestError.self, "\(mutation)") { try EnvironmentManifest(jsonBytes: Self.mutated(mutation), file: "m.json") }
    }

    @Test func limitsHold() {
        let deep = Array((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8)
        #expect(throws: EnvironmentManifestError.self) { try EnvironmentManifest(jsonBytes: deep, file: "deep.json") }
        let huge = [UInt8](repeating: 0x20, count: EnvironmentManifest.maximumFileSize + 1)
        #expect(throws: EnvironmentManifestError.self) { try EnvironmentManifest(jsonBytes: huge, file: "huge.json") }
        #expect(throws: EnvironmentManifestError.self) { try EnvironmentManifest(jsonBytes: [0xFF, 0xFE], file: "bin.json") }
        #expect(throws: EnvironmentManifestError.self) { try EnvironmentManifest(jsonBytes: Array(#"{"format":"\ud800"}"#.utf8), file: "s.json") }
    }

    @Test func errorsNameTheFileAndField() {
        do {
            _ = try EnvironmentManifest(
                jsonBytes: Self.mutated(.replace(#""value":"$FASTJET_ROOT""#, #""value":"`id`""#)),
                file: "pkg/.alien-environment.json")
            Issue.record("accepted a backtick")
        } catch {
            #expect(error.description.hasPrefix("pkg/.alien-environment.json: env[0].value: column 1: command substitution with backticks"), "\(error)")
        }
    }
}
