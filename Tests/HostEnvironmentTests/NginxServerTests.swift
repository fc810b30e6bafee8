import Basics
import Foundation
import Testing
import TestSupport

@Suite struct NginxServerTests {
    /// Runs a tool and returns its exit status and standard output.
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func curl(_ url: String) throws -> (status: Int32, output: String) {
        try run("/usr/bin/curl", ["-s", "--max-time", "10", url])
    }

    @Test func servesFilesJSONIndexesAndLogsThenStopsCleanly() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("alien-nginx-root-\(UUID().uuidString)")
        let outside = fm.temporaryDirectory.appendingPathComponent("alien-nginx-outside-\(UUID().uuidString)")
        defer {
            try? fm.removeItem(at: root)
            try? fm.removeItem(at: outside)
        }
        try fm.createDirectory(at: root.appendingPathComponent("TARS/slc7_x86-64"), withIntermediateDirectories: true)
        try "hello from nginx\n".write(to: root.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        try "linked\n".write(to: outside.appendingPathComponent("target.txt"), atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(
            at: root.appendingPathComponent("TARS/slc7_x86-64/link.txt"),
            withDestinationURL: outside.appendingPathComponent("target.txt"))

        let server = try NginxServer(root: root)
        let base = server.baseURL.absoluteString
        #expect(base.hasPrefix("http://127.0.0.1:"))
        let port = try #require(server.baseURL.port.map(UInt16.init))

        let file = try Self.curl(base + "/hello.txt")
        #expect(file.status == 0)
        #expect(file.output == "hello from nginx\n")

        let index = try Self.curl(base + "/")
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(index.output.utf8)) as? [[String: Any]])
        let names = Dictionary(
            uniqueKeysWithValues: entries.compactMap { entry in
                (entry["name"] as? String).map { ($0, entry["type"] as? String ?? "") }
            })
        #expect(names == ["hello.txt": "file", "TARS": "directory"])

        let nested = try Self.curl(base + "/TARS/slc7_x86-64/")
        #expect(nested.output.contains("\"name\":\"link.txt\""))
        #expect(try Self.curl(base + "/TARS/slc7_x86-64/link.txt").output == "linked\n")
        #expect(try Self.curl(base + "/missing.txt").status == 0)

        // Logged after answering: wait for the four requests' lines.
        let log = server.accessLogLines { lines in
            ["/hello.txt ", "/ ", "/TARS/slc7_x86-64/link.txt ", "/missing.txt "].allSatisfy { path in lines.contains { $0.contains("GET " + path) } }
        }
        #expect(log.contains("\"GET /hello.txt HTTP/1.1\" 200"))
        #expect(log.contains("\"GET / HTTP/1.1\" 200"))
        #expect(log.contains("\"GET /TARS/slc7_x86-64/link.txt HTTP/1.1\" 200"))
        #expect(log.contains("\"GET /missing.txt HTTP/1.1\" 404"))

        // The master lists the private config on its command line; workers are its children.
        let conf = server.directory.appendingPathComponent("nginx.conf").path
        let masters = try Self.run("/usr/bin/pgrep", ["-f", conf]).output
            .split(separator: "\n").compactMap { Int32($0) }
        #expect(masters.count == 1)
        let workers = try masters.flatMap { master in
            try Self.run("/usr/bin/pgrep", ["-P", String(master)]).output.split(separator: "\n").compactMap { Int32($0) }
        }
        #expect(workers.count == 1)

        server.stop()
        server.stop()
        #expect(!NginxServer.accepts(port: port))
        #expect(try Self.curl(base + "/hello.txt").status == 7)  // curl: could not connect
        #expect(try Self.run("/usr/bin/pgrep", ["-f", conf]).status == 1)
        for pid in masters + workers {
            #expect(kill(pid, 0) == -1 && errno == ESRCH, "process \(pid) survived stop()")
        }
    }

    @Test func aDollarInTheRootIsRejectedBeforeStarting() throws {
        #expect { try NginxServer(root: URL(fileURLWithPath: "/tmp/$document_root")) } throws: { error in
            "\(error)".contains("variable")
        }
    }
}
