#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PackManAPI
import Testing

/// What the client says when packmand's socket is gone or dead: the socket, never libcurl's
/// placeholder host ("localhost port 80").
@Suite struct PackManClientTests {
    @Test func aMissingOrDeadSocketIsNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-pmclient-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("gone.sock").path
        let message = Self.failure(try PackManClient(endpoint: "unix:\(missing)"))
        #expect(message.contains("no socket at \(missing)"), "\(message)")
        #expect(!message.contains("port 80") && !message.contains("localhost"), "\(message)")

        // A socket file left behind by a killed daemon: nobody accepts on it.
        let dead = directory.appendingPathComponent("dead.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in dead.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        try #require(bound == 0)
        let stale = Self.failure(try PackManClient(endpoint: "unix:\(dead)"))
        #expect(stale.contains("the socket \(dead) did not answer"), "\(stale)")
        #expect(!stale.contains("port 80") && !stale.contains("localhost"), "\(stale)")

        let file = directory.appendingPathComponent("plain").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        #expect(Self.failure(try PackManClient(endpoint: "unix:\(file)")).contains("\(file) is not a socket"))
    }

    /// Over TCP the transport's error is kept as the cause (a port bound, never listening: refused).
    @Test func aRefusedTCPConnectionKeepsTheTransportError() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let endpoint = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        let client = try PackManClient(endpoint: endpoint)
        let error = #expect(throws: PackManClientError.self) { _ = try client.health() }
        guard case let .transport(named, cause)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(named == endpoint)
        #expect(error?.description == "packmand at \(endpoint) unreachable: \(cause)")
    }

    /// The library's words name no command-line option (the CLI adds `--packman`).
    @Test func aBadEndpointNamesNoOption() {
        #expect(throws: PackManClientError.badEndpoint("ftp://x")) { try PackManClient(endpoint: "ftp://x") }
        #expect(
            PackManClientError.badEndpoint("ftp://x").description
                == "packmand endpoint: expected unix:/path/to/socket or http://host:port, got 'ftp://x'")
    }

    static func failure(_ client: PackManClient) -> String {
        do {
            _ = try client.health()
            return "answered"
        } catch {
            return error.description
        }
    }
}
