import Foundation
import Testing

/// `alien-install serve` as an admin runs it: prints its URL, serves, stops on a signal.
@Suite struct ServeCommandTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func servesUntilASignal(_ signal: Int32) throws {
        let repository = try Interop.temporaryDirectory("serve")
        defer { try? FileManager.default.removeItem(at: repository) }
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("metadata"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: repository.appendingPathComponent("metadata/timestamp.json"))
        let output = repository.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)

        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["serve", repository.path, "--port", "0"]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // First line: "Serving DIR at http://127.0.0.1:PORT/".
        var url: String?
        let deadline = Date().addingTimeInterval(20)
        while url == nil, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first, let at = line.range(of: " at http://") {
                url = String(line[line.index(at.lowerBound, offsetBy: 4)...])
            }
            usleep(20_000)
        }
        let base = try #require(url, "no URL printed")
        #expect(base.hasPrefix("http://127.0.0.1:") && !base.hasPrefix("http://127.0.0.1:0/"))

        let curl = try Interop.run(
            URL(fileURLWithPath: "/usr/bin/curl"), ["-sS", "--noproxy", "*", "-D", "-", base + "metadata/timestamp.json"])
        #expect(curl.status == 0, "\(curl.stderr)")
        #expect(curl.text.contains("Cache-Control: public, max-age=61"))

        kill(process.processIdentifier, signal)
        let stopBy = Date().addingTimeInterval(10)
        while process.isRunning, Date() < stopBy { usleep(20_000) }
        #expect(!process.isRunning, "still running 10 s after signal \(signal)")
        if !process.isRunning { #expect(process.terminationStatus == 0) }
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(log.contains("GET /metadata/timestamp.json 200 2"), "\(log)")
    }

    @Test func aMissingDirectoryFails() throws {
        let result = try Interop.run(CLITests.binary, ["serve", "/nonexistent/alien-repo", "--port", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot serve /nonexistent/alien-repo"), "\(result.stderr)")
    }
}
