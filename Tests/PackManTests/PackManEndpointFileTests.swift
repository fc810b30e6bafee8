import Foundation
import PackManAPI
import Testing

@Suite struct PackManEndpointFileTests {
    @Test func writesAndReadsTheEndpoint() throws {
        let file = PackManEndpointFile(endpoint: "unix:/run/pack \"man\".sock")
        #expect(String(decoding: file.jsonBytes, as: UTF8.self) == #"{"endpoint":"unix:/run/pack \"man\".sock"}"# + "\n")
        #expect(try PackManEndpointFile(jsonBytes: file.jsonBytes, path: "p") == file)
        #expect(
            try PackManEndpointFile(jsonBytes: Array(#"{"endpoint":"http://127.0.0.1:9","pid":7}"#.utf8), path: "p").endpoint
                == "http://127.0.0.1:9")
    }

    @Test func pathIsUnderTheAreasState() {
        #expect(PackManEndpointFile.path(area: "/sw") == "/sw/.alien/packmand.json")
        #expect(PackManEndpointFile.path(area: "/sw/") == "/sw/.alien/packmand.json")
    }

    @Test func refusesWhatIsNotOne() {
        let cases: [(String, String)] = [
            ("{}", "endpoint: expected a non-empty string, got nothing"),
            (#"{"endpoint":""}"#, "endpoint: expected a non-empty string, got string"),
            (#"{"endpoint":3}"#, "endpoint: expected a non-empty string, got integer"),
            ("[1]", "expected a JSON object, got array")
        ]
        for (text, reason) in cases {
            #expect(throws: PackManEndpointFileError(path: "p", reason: reason), "\(text)") {
                try PackManEndpointFile(jsonBytes: Array(text.utf8), path: "p")
            }
        }
        for text in ["", "{", "{\"endpoint\":\"a\"} trailing"] {
            #expect(throws: PackManEndpointFileError.self, "\(text)") { try PackManEndpointFile(jsonBytes: Array(text.utf8), path: "p") }
        }
        let big = Array(repeating: UInt8(ascii: " "), count: PackManEndpointFile.maximumBytes + 1)
        #expect(throws: PackManEndpointFileError.self) { try PackManEndpointFile(jsonBytes: big, path: "p") }
    }

    @Test func readsAnAreasFileOrNothing() throws {
        let area = FileManager.default.temporaryDirectory.appendingPathComponent("alien-pm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: area) }
        #expect(try PackManEndpointFile.read(area: area.path) == nil)
        try FileManager.default.createDirectory(at: area.appendingPathComponent(".alien"), withIntermediateDirectories: true)
        try Data(PackManEndpointFile(endpoint: "unix:/tmp/s").jsonBytes).write(to: area.appendingPathComponent(".alien/packmand.json"))
        #expect(try PackManEndpointFile.read(area: area.path)?.endpoint == "unix:/tmp/s")
    }
}
