public import Foundation
public import Transport

/// Why a call to packmand failed.
public enum PackManClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No answer over a unix socket (missing, not a socket, refused), in the socket's terms.
    case unreachable(endpoint: String, reason: String)
    /// No answer over TCP (connection refused, timeout): the transport's error kept.
    case transport(endpoint: String, TransportError)
    /// packmand answered with an error status and message.
    case refused(status: Int, message: String)
    /// The answer was not what the API documents.
    case badAnswer(path: String, reason: String)
    case badEndpoint(String)

    public var description: String {
        switch self {
        case let .unreachable(endpoint, reason): "packmand at \(endpoint) unreachable: \(reason)"
        case let .transport(endpoint, error): "packmand at \(endpoint) unreachable: \(error)"
        case let .refused(status, message): "packmand refused (HTTP \(status)): \(message)"
        case let .badAnswer(path, reason): "packmand answered \(path) unexpectedly: \(reason)"
        case let .badEndpoint(text): "packmand endpoint: expected unix:/path/to/socket or http://host:port, got '\(text)'"
        }
    }
}

/// A small blocking client of packmand's /v1 API (libcurl; TCP or a unix socket).
public struct PackManClient: Sendable {
    /// `unix:/run/packmand.sock` or `http://127.0.0.1:9991`.
    public let endpoint: String
    public let token: String?
    let base: String
    let socket: String?
    let http: HTTPClient

    public init(endpoint: String, token: String? = nil, timeout: Int = 30) throws(PackManClientError) {
        self.endpoint = endpoint
        self.token = token
        http = HTTPClient(connectTimeout: 10, stallTimeout: timeout)
        if endpoint.hasPrefix("unix:") {
            let path = String(endpoint.dropFirst(5))
            guard path.hasPrefix("/") else { throw .badEndpoint(endpoint) }
            socket = path
            base = "http://localhost"
        } else if endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") {
            socket = nil
            base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        } else {
            throw .badEndpoint(endpoint)
        }
    }

    /// Reads a token file: its first non-empty line (spaces trimmed).
    public static func readToken(file: String) throws(PackManClientError) -> String {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
            let line = text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { !$0.isEmpty })
        else {
            throw .badAnswer(path: file, reason: "cannot read a token from the file")
        }
        return line
    }

    // MARK: verbs

    /// `vo`: that VO's repository (nil: the site's default VO).
    public func list(name: String? = nil, installedOnly: Bool = false, vo: String? = nil) throws(PackManClientError) -> [PackageInfo] {
        var query: [String] = []
        if let name { query.append("name=\(Self.escape(name))") }
        if let vo { query.append("vo=\(Self.escape(vo))") }
        return try call("GET", "/v1/packages" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
    }

    /// `vo`: only that VO's (nil: every VO's).
    public func listInstalled(vo: String? = nil) throws(PackManClientError) -> [InstalledInfo] {
        try call("GET", "/v1/installed" + (vo.map { "?vo=\(Self.escape($0))" } ?? ""))
    }

    /// Queued, running and recent jobs (`vo`: only that VO's).
    public func jobs(vo: String? = nil) throws(PackManClientError) -> [JobStatus] {
        try call("GET", "/v1/jobs" + (vo.map { "?vo=\(Self.escape($0))" } ?? ""))
    }

    /// Starts (or joins) an install; with `wait` seconds the answer comes when it finished (or the wait ran out).
    public func install(_ packages: [String], lease: LeaseSpec? = nil, wait: Int? = nil) throws(PackManClientError) -> JobStatus {
        try call(
            "POST", "/v1/install" + (wait.map { "?wait=\($0)" } ?? ""), body: InstallRequest(packages: packages, lease: lease),
            timeout: (wait ?? 0) + 30)
    }

    public func job(_ id: String) throws(PackManClientError) -> JobStatus { try call("GET", "/v1/jobs/\(Self.escape(id))") }

    public func installLog(_ package: String) throws(PackManClientError) -> PackageLog {
        try call("GET", "/v1/packages/\(Self.escape(package))/log")
    }

    public func dependencies(_ package: String) throws(PackManClientError) -> DependencyList {
        try call("GET", "/v1/packages/\(Self.escape(package))/dependencies")
    }

    public func test(_ package: String) throws(PackManClientError) -> TestResult {
        try call("POST", "/v1/packages/\(Self.escape(package))/test", timeout: 300)
    }

    public func remove(_ package: String) throws(PackManClientError) -> RemoveResult {
        try call("DELETE", "/v1/installed/\(Self.escape(package))")
    }

    /// `vo`: the VO synchronized when the request names no package (nil: the default VO).
    public func synchronize(_ request: SynchronizeRequest, wait: Int? = nil, vo: String? = nil) throws(PackManClientError) -> JobStatus {
        let query = [wait.map { "wait=\($0)" }, vo.map { "vo=\(Self.escape($0))" }].compactMap { $0 }
        return try call("POST", "/v1/synchronize" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), body: request, timeout: (wait ?? 0) + 30)
    }

    public func acquireLease(_ request: LeaseRequest) throws(PackManClientError) -> LeaseInfo { try call("POST", "/v1/leases", body: request) }

    public func releaseLease(_ request: LeaseRequest) throws(PackManClientError) -> [LeaseInfo] {
        try call("DELETE", "/v1/leases", body: request)
    }

    /// The newest `limit` audit entries (`vo`: only that VO's).
    public func audit(limit: Int = 100, vo: String? = nil) throws(PackManClientError) -> [AuditEntry] {
        try call("GET", "/v1/audit?limit=\(limit)" + (vo.map { "&vo=\(Self.escape($0))" } ?? ""))
    }

    public func health() throws(PackManClientError) -> Health { try call("GET", "/v1/health") }

    /// A test digest through every configured notification sink (role admin).
    public func testNotifications() throws(PackManClientError) -> NotificationTest {
        try call("POST", "/v1/notifications/test", timeout: 60)
    }

    /// The environment of installed packages as shell statements (`shell`: sh, csh, json, ...).
    public func environment(_ packages: [String], shell: String = "sh") throws(PackManClientError) -> String {
        let answer = try raw("GET", "/v1/env?packages=\(Self.escape(packages.joined(separator: ",")))&shell=\(Self.escape(shell))")
        return String(decoding: answer, as: UTF8.self)
    }

    // MARK: plumbing

    func call<Answer: Decodable>(_ method: String, _ path: String, timeout: Int = 30) throws(PackManClientError) -> Answer {
        try decode(try raw(method, path, body: nil, timeout: timeout), path: path)
    }

    func call<Answer: Decodable>(_ method: String, _ path: String, body: some Encodable, timeout: Int = 30) throws(PackManClientError) -> Answer {
        let data: Data
        do { data = try JSONEncoder().encode(body) } catch { throw .badAnswer(path: path, reason: "cannot encode the request: \(error)") }
        return try decode(try raw(method, path, body: data, timeout: timeout), path: path)
    }

    func decode<Answer: Decodable>(_ data: Data, path: String) throws(PackManClientError) -> Answer {
        do { return try JSONDecoder().decode(Answer.self, from: data) } catch {
            throw .badAnswer(path: path, reason: "\(error)")
        }
    }

    /// The body of a 2xx answer; an error status throws with the server's message.
    public func raw(_ method: String, _ path: String, body: Data? = nil, timeout: Int = 30) throws(PackManClientError) -> Data {
        var headers = ["Accept: application/json"]
        if body != nil { headers.append("Content-Type: application/json") }
        if let token { headers.append("Authorization: Bearer \(token)") }
        let answer: HTTPClient.Exchange
        do { answer = try http.exchange(method, base + path, body: body, headers: headers, unixSocket: socket, timeout: timeout) } catch {
            guard let socket else { throw .transport(endpoint: endpoint, error) }
            throw .unreachable(endpoint: endpoint, reason: Self.socketProblem(socket, error))
        }
        guard (200..<300).contains(answer.status) else {
            let message =
                (try? JSONDecoder().decode(ErrorBody.self, from: answer.body))?.error
                ?? String(decoding: answer.body.prefix(500), as: UTF8.self)
            throw .refused(status: answer.status, message: message)
        }
        return answer.body
    }

    /// Why the socket at `path` did not answer, in its own terms (libcurl names the URL's
    /// placeholder host: "localhost port 80").
    static func socketProblem(_ path: String, _ error: TransportError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "no socket at \(path): \(String(cString: strerror(errno)))" }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return "\(path) is not a socket" }
        var reason = error.description
        if case let .network(_, message) = error { reason = message }
        if let colon = reason.range(of: ": ", options: .backwards) { reason = String(reason[colon.upperBound...]) }
        return "the socket \(path) did not answer: \(reason)"
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:@")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
