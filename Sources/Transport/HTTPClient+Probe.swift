import CCurl
import Foundation
import Synchronization

/// What a probe learnt of a server: the status, the `Date` header and how long the answer took.
public struct HTTPProbe: Sendable, Hashable {
    public var status: Int
    /// The `Date` response header, as sent.
    public var date: String?
    public var seconds: Double
}

/// How a probe reaches the server.
public enum ProbeRoute: Sendable, Hashable {
    /// Straight to the server, whatever `http_proxy` says.
    case direct
    /// Through this HTTP proxy.
    case proxy(String)
    /// As libcurl would by default (proxies from the environment).
    case environment
    /// Over this unix socket (a local daemon); the URL's host is only a name.
    case unixSocket(String)
}

extension HTTPClient {
    /// One GET of `url` whose body is read and dropped; any HTTP status is an answer (no throw),
    /// a connection failure throws. For health checks: reachability, clock skew, a daemon's health.
    public func probe(_ url: String, route: ProbeRoute = .environment) throws(TransportError) -> HTTPProbe {
        let headers = HeaderLines()
        let context = Unmanaged.passRetained(headers)
        defer { context.release() }
        let start = DispatchTime.now()
        var status = 0
        do throws(TransportError) {
            try perform(url, method: "GET", sink: DiscardSink()) { handle in
                switch route {
                case .direct: _ = ccurl_setopt_string(handle, CURLOPT_PROXY, "")
                case let .proxy(proxy): _ = ccurl_setopt_string(handle, CURLOPT_PROXY, proxy)
                case .environment: break
                case let .unixSocket(path): _ = ccurl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, path)
                }
                _ = ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context.toOpaque())
                _ = ccurl_setopt_header_function(handle) { data, size, count, context in
                    guard let data, let context else { return 0 }
                    let lines = Unmanaged<HeaderLines>.fromOpaque(context).takeUnretainedValue()
                    lines.add(String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self))
                    return size * count
                }
            }
            status = headers.status
        } catch let error {
            guard case let .status(_, code) = error else { throw error }
            status = code
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return HTTPProbe(status: status, date: headers.value("date"), seconds: seconds)
    }
}

/// Response header lines of the last response (a redirect or a 100 starts a new set).
final class HeaderLines: Sendable {
    private struct State {
        var lines: [String] = []
        var status = 0
    }

    private let state = Mutex(State())

    var status: Int { state.withLock { $0.status } }

    func add(_ raw: String) {
        let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        state.withLock { state in
            if line.hasPrefix("HTTP/") {
                state.lines.removeAll()
                state.status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            } else if !line.isEmpty {
                state.lines.append(line)
            }
        }
    }

    func value(_ name: String) -> String? {
        for line in state.withLock({ $0.lines }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}

final class DiscardSink: Sink {
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool { true }
}
