import Basics
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// One served request, for the access log.
public struct AccessLogEntry: Sendable, CustomStringConvertible {
    public var method: String
    /// The request target as sent (still percent-encoded).
    public var target: String
    public var status: Int
    /// Body bytes announced (0 for HEAD, 304 and errors).
    public var bytes: Int
    public var range: String?

    /// `GET /metadata/1.root.json 200 1234` (+ ` range=bytes=0-9`).
    public var description: String {
        "\(method) \(target) \(status) \(bytes)" + (range.map { " range=\($0)" } ?? "")
    }
}

/// The whole request handling of the repository server: read-only static files, GET and HEAD.
struct FileResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let root: RepositoryRoot
    let accessLog: @Sendable (AccessLogEntry) -> Void
    /// Bytes per read from disk and per body write; bounds the memory of each download.
    static let chunkSize = 256 * 1024

    func respond(to request: Request, context: Context) async throws -> Response {
        var response = handle(request)
        // HEAD: the same headers (Content-Length included), no body.
        if request.method == .head { response = response.createHeadResponse() }
        var bytes = 0
        if request.method == .get, let length = response.headers[.contentLength].flatMap({ Int($0) }) { bytes = length }
        let entry = AccessLogEntry(
            method: request.method.rawValue, target: request.uri.description, status: Int(response.status.code),
            bytes: bytes, range: request.headers[.range])
        context.logger.info("\(entry)")
        accessLog(entry)
        return response
    }

    private func handle(_ request: Request) -> Response {
        guard request.method == .get || request.method == .head else {
            return Self.error(.methodNotAllowed, headers: [.allow: "GET, HEAD"])
        }
        let components: [String]
        switch RequestPath(target: request.uri.path) {
        case .malformed: return Self.error(.badRequest)
        case .refused: return Self.error(.notFound)
        case let .file(found): components = found
        }
        let file: OpenFile
        switch root.lookup(components) {
        case .notFound: return Self.error(.notFound)
        case .forbidden: return Self.error(.forbidden)
        case let .file(opened): file = opened
        }

        var headers = HTTPFields()
        headers[.contentType] = CachePolicy.contentType(forFileNamed: file.name)
        headers[.cacheControl] = CachePolicy.cacheControl(forFileNamed: file.name)
        headers[.eTag] = file.etag
        headers[.lastModified] = HTTPDate.format(file.modified)
        headers[.xContentTypeOptions] = "nosniff"

        if Self.notModified(request.headers, file: file) {
            return Response(status: .notModified, headers: headers, body: .init())
        }
        var range = ByteRange(header: request.headers[.range], size: file.size)
        if let ifRange = request.headers[.ifRange], !Self.ifRangeMatches(ifRange, file: file) { range = .whole }

        let lower: Int, upper: Int
        var status = HTTPResponse.Status.ok
        switch range {
        case .whole:
            (lower, upper) = (0, file.size - 1)
            // Announced on full responses, as nginx does.
            headers[.acceptRanges] = "bytes"
        case let .partial(first, last):
            (lower, upper) = (first, last)
            status = .partialContent
            headers[.contentRange] = "bytes \(first)-\(last)/\(file.size)"
        case .unsatisfiable:
            var failed = HTTPFields()
            failed[.contentRange] = "bytes */\(file.size)"
            return Self.error(.rangeNotSatisfiable, headers: failed)
        }
        let length = upper - lower + 1
        headers[.contentLength] = String(length)
        guard request.method == .get, length > 0 else {
            return Response(status: status, headers: headers, body: .init())
        }
        return Response(status: status, headers: headers, body: Self.stream(file, from: lower, length: length))
    }

    /// The file's bytes `offset ..< offset+length`, read on NIO's blocking-I/O thread pool one
    /// chunk at a time; each chunk is written (and flow-controlled) before the next is read.
    static func stream(_ file: OpenFile, from offset: Int, length: Int) -> ResponseBody {
        ResponseBody(contentLength: length) { writer in
            var position = offset
            let end = offset + length
            while position < end {
                let count = min(chunkSize, end - position)
                let at = position
                let buffer = try await NIOThreadPool.singleton.runIfActive { () throws -> ByteBuffer in
                    var buffer = ByteBufferAllocator().buffer(capacity: count)
                    let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
                        max(0, file.read(into: pointer, count: count, at: at))
                    }
                    guard got > 0 else { throw FileShrank(name: file.name) }
                    return buffer
                }
                position += buffer.readableBytes
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        }
    }

    /// The file got shorter (or unreadable) while it was being sent: the connection is closed
    /// short of Content-Length, which every client detects.
    struct FileShrank: Error, CustomStringConvertible {
        let name: String
        var description: String { "\(name) ended before its announced length" }
    }

    /// If-None-Match (weak comparison, `*` matches) wins over If-Modified-Since (RFC 9110 §13.2.2).
    static func notModified(_ headers: HTTPFields, file: OpenFile) -> Bool {
        if let match = headers[.ifNoneMatch] {
            let tags = match.split(separator: ",").map { $0.trimmingSpaces }
            return tags.contains { $0 == "*" || opaque($0) == opaque(Substring(file.etag)) }
        }
        if let since = headers[.ifModifiedSince], let date = HTTPDate.parse(since) {
            return file.modified <= date
        }
        return false
    }

    /// If-Range: the strong ETag, or exactly the Last-Modified date.
    static func ifRangeMatches(_ value: String, file: OpenFile) -> Bool {
        let value = value.trimmingSpaces
        if value.hasPrefix("\"") { return value == file.etag }
        if value.hasPrefix("W/") { return false }
        return HTTPDate.parse(String(value)) == file.modified
    }

    private static func opaque(_ tag: Substring) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : tag
    }

    /// A short plain-text error, never cached for long.
    static func error(_ status: HTTPResponse.Status, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let text = "\(status.code) \(status.reasonPhrase)\n"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
