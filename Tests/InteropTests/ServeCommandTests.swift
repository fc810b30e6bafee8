import Basics
import Foundation
import Testing
import TestSupport

/// `alien-install serve` as an admin runs it: prints its URL, serves, stops on a signal.
@Suite struct ServeCommandTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func servesUntilASignal(_ signal: Int32) throws {
        let repository = try Interop.temporaryDirectory("serve")
        defer { try? FileManager.default.removeItem(at: repository) }
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("metadata"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: repository.appendingPathComponent("metadata/timestamp.json"))
        let output = repository.appendingPathComponent("stdout")
        let (process, base) = try Self.startServe(repository, output: output)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(base.hasPrefix("http://127.0.0.1:") && !base.hasPrefix("http://127.0.0.1:0/"))

        let curl = try Interop.run(
            URL(fileURLWithPath: "/usr/bin/curl"), ["-sS", "--noproxy", "*", "-D", "-", base + "metadata/timestamp.json"])
        #expect(curl.status == 0, "\(curl.stderr)")
        #expect(curl.text.contains("Cache-Control: public, max-age=61"))

        kill(process.processIdentifier, signal)
        let stopBy = Date().addingTimeInterval(120)  // a hang catcher
        while process.isRunning, Date() < stopBy { usleep(20_000) }
        #expect(!process.isRunning, "still running 120 s after signal \(signal)")
        if !process.isRunning { #expect(process.terminationStatus == 0) }
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(log.contains("GET /metadata/timestamp.json 200 2"), "\(log)")
    }

    /// Starts `alien-install serve DIR --port 0 EXTRA...` with stdout in `output`; returns the
    /// process and the URL it printed ("Serving DIR at http://127.0.0.1:PORT/").
    static func startServe(_ repository: URL, _ extra: [String] = [], output: URL) throws -> (Process, String) {
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["serve", repository.path, "--port", "0"] + extra
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.start()
        var url: String?
        let deadline = Date().addingTimeInterval(300)  // a hang catcher
        while url == nil, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first, let at = line.range(of: " at http://") {
                url = String(line[line.index(at.lowerBound, offsetBy: 4)...])
            }
            usleep(20_000)
        }
        guard let url else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve printed no URL"])
        }
        return (process, url)
    }

    /// The connection options reach the listener: a head that never ends is closed after
    /// --header-timeout (waited for as the close, not timed); bad values are refused.
    @Test func connectionLimitsFromTheCommandLine() throws {
        let repository = try Interop.temporaryDirectory("serve-limits")
        defer { try? FileManager.default.removeItem(at: repository) }
        let output = repository.appendingPathComponent("stdout")
        let (process, base) = try Self.startServe(
            repository, ["--max-connections", "4", "--header-timeout", "0.3", "--idle-timeout", "0.3"],
            output: output)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let port = try #require(Int(base.split(separator: ":").last?.split(separator: "/").first ?? ""))
        let connection = try RawConnection.tcp(port: port)
        try connection.sendUnlessClosed("GET /metadata/timestamp.json HTTP/1.1\r\nHost: x")  // the timeout may pass first
        #expect(try connection.readUntilClosed().isEmpty, "closed without an answer")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        for (option, value) in [("--max-connections", "0"), ("--header-timeout", "0"), ("--idle-timeout", "-1")] {
            let refused = try Interop.run(CLITests.binary, ["serve", repository.path, "--port", "0", option, value])
            #expect(refused.status != 0 && refused.stderr.contains(option), "\(option) \(value): \(refused.stderr)")
        }
    }

    @Test func aMissingDirectoryFails() throws {
        let result = try Interop.run(CLITests.binary, ["serve", "/nonexistent/alien-repo", "--port", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot serve /nonexistent/alien-repo"), "\(result.stderr)")
    }

    /// The peak resident memory of a process (`VmHWM` in /proc/PID/status), in bytes.
    static func peakResident(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }

    /// A 100 MB tarball is streamed, not loaded: the serving process's peak memory (measured in
    /// its own process, so no other test disturbs it) grows by far less than the file.
    @Test func aHundredMegabyteTarballIsStreamed() throws {
        let repository = try Interop.temporaryDirectory("serve-big")
        defer { try? FileManager.default.removeItem(at: repository) }
        let directory = repository.appendingPathComponent("targets/slc9_x86-64/Big")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("00ff.Big-1-1.slc9_x86-64.tar.gz")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        for index in 0..<100 { try handle.write(contentsOf: Data(repeating: UInt8(index), count: 1 << 20)) }
        try handle.close()
        let output = repository.appendingPathComponent("stdout")
        let (process, base) = try Self.startServe(repository, ["--quiet"], output: output)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // One small request first, so the baseline includes a warmed-up server.
        _ = try Interop.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-sS", "--noproxy", "*", "-o", "/dev/null", base + "targets/"])
        let before = try #require(Self.peakResident(process.processIdentifier))
        let copy = repository.appendingPathComponent("copy")
        let curl = try Interop.run(
            URL(fileURLWithPath: "/usr/bin/curl"),
            ["-sS", "--noproxy", "*", "-o", copy.path, base + "targets/slc9_x86-64/Big/00ff.Big-1-1.slc9_x86-64.tar.gz"])
        #expect(curl.status == 0, "\(curl.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: file.path, andPath: copy.path))
        let growth = try #require(Self.peakResident(process.processIdentifier)) - before
        #expect(growth < 48 << 20, "the server's peak memory grew by \(growth >> 20) MB for a 100 MB file")
    }
}
