import Foundation
import Testing
import Trust

/// `TrustClient.initialize` keeps the TUF client's refusal as a typed cause.
@Suite struct TrustClientTests {
    @Test func aRefusedRootKeepsTheUpdatersError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-trustclient-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rootFile = directory.appendingPathComponent("root.json").path
        try Data("{\"signed\": {}}".utf8).write(to: URL(fileURLWithPath: rootFile))
        let error = #expect(throws: TrustClientError.self) {
            _ = try TrustClient.initialize(rootFile: rootFile, metadataDirectory: directory.appendingPathComponent("metadata").path)
        }
        guard case let .update(file, cause)? = error, case .malformed(role: "root", _) = cause else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(file == rootFile)
        #expect(error?.description == "\(rootFile): \(cause)")
        #expect(
            TrustClientError.malformed(file: "r.json", .missingField(context: "root", field: "signed")).description
                == "r.json: \(TrustError.missingField(context: "root", field: "signed"))")
    }
}
