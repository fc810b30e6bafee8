import Foundation
public import Hummingbird
import Logging
public import NIOCore
import NIOSSL
import PackManAPI

/// The request context: Hummingbird's core storage plus the connection (for the peer's uid on
/// the unix socket).
public struct PackManContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Bodies are read with the configured limit by the handlers; this is only the outer cap.
    public var maxUploadSize: Int { 1 << 20 }

    /// The uid of the process at the other end of a unix socket (SO_PEERCRED), nil over TCP.
    func peerUID() async -> UInt32? {
        guard let channel, case .unixDomainSocket? = channel.remoteAddress ?? channel.localAddress,
            let provider = channel as? any SocketOptionProvider
        else { return nil }
        #if os(Linux)
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } with SO_PEERCRED = 17 (not exported to Swift).
        let credentials: PeerCredentials? = try? await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET),
            name: SocketOptionName(17)
        ).get()
        return credentials.map { $0.uid }
        #else
        return nil
        #endif
    }
}

extension PackManContext {
    /// `cert=<common name>` of the client certificate a TLS connection presented (verified
    /// against `listen.tls.client_ca` at the handshake), nil without TLS or certificate.
    func peerCertificate() async -> String? {
        guard let channel, let certificate = try? await channel.nioSSL_peerCertificate().get() else { return nil }
        let text = certificate.description
        guard let start = text.range(of: ";common_name=")?.upperBound else { return "cert=(no common name)" }
        let name = text[start...].prefix { $0 != ";" && $0 != ">" }
        return "cert=\(name)"
    }
}

/// Linux's `struct ucred`.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// An API error answer: `{"error": message}` with `status`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code): \(message)" }
}

/// Turns every error into a JSON error answer and records request latency.
struct ErrorAndMetricsMiddleware: RouterMiddleware {
    typealias Context = PackManContext
    let metrics: DaemonMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do { response = try await next(request, context) } catch let error as APIError {
            response = JSONAnswer.error(error.status, error.message)
        } catch let error as any HTTPResponseError {
            let message = (error as? HTTPError)?.body ?? "\(error)"
            response = JSONAnswer.error(error.status, error.status == .notFound ? "no such endpoint: \(request.method) \(request.uri.path)" : message)
        } catch {
            response = JSONAnswer.error(.internalServerError, "\(error)")
        }
        metrics.request(
            method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: response.status.code,
            duration: ContinuousClock.now - start)
        return response
    }
}

enum JSONAnswer {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var buffer = ByteBuffer(bytes: data)
        buffer.writeString("\n")
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        make(ErrorBody(error: message), status: status)
    }

    static func text(_ text: String, type: String = "text/plain; charset=utf-8") -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
