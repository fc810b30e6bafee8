import CCurl
public import Foundation

/// Blocking HTTP GETs on libcurl (`http_proxy`/`https_proxy` honoured, redirects followed,
/// connect and stall timeouts, https checked against `authorities`). Downloads stream to a
/// temporary file renamed into place.
public struct HTTPClient: Sendable {
    public var connectTimeout: Int
    /// Abort when fewer than 1 byte/s arrive for this many seconds.
    public var stallTimeout: Int
    /// CAs trusted for https besides the system's (default: `$X509_CERT_DIR`).
    public var authorities: CertificateAuthorities

    public init(connectTimeout: Int = 10, stallTimeout: Int = 30, authorities: CertificateAuthorities = .environment()) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.authorities = authorities
    }

    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// The body of `url`; an error status throws.
    public func get(_ url: String) throws(TransportError) -> Data {
        let sink = DataSink()
        try perform(url, sink: sink)
        return sink.data
    }

    /// Streams `url` into `file` (through `file.partial`, renamed when complete); returns the size.
    @discardableResult
    public func download(_ url: String, to file: URL) throws(TransportError) -> Int64 {
        let partial = file.deletingLastPathComponent().appendingPathComponent("." + file.lastPathComponent + ".partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: partial)
        else {
            throw .io(path: partial.path, reason: "cannot create the download file")
        }
        let sink = FileSink(handle: handle)
        do {
            try perform(url, sink: sink)
            try? handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        if let failure = sink.failure {
            try? FileManager.default.removeItem(at: partial)
            throw .io(path: partial.path, reason: failure)
        }
        guard rename(partial.path, file.path) == 0 else {
            try? FileManager.default.removeItem(at: partial)
            throw .io(path: file.path, reason: String(cString: strerror(errno)))
        }
        return sink.bytes
    }

    /// One easy-interface transfer into `sink`. `method` (PUT, DELETE, HEAD, set up by
    /// `configure`) names the request in errors; GETs follow redirects, other methods do not.
    func perform(
        _ url: String, method: String? = nil, sink: some Sink,
        configure: (UnsafeMutableRawPointer) -> Void = { _ in },
        afterwards: (UnsafeMutableRawPointer) -> Void = { _ in }
    ) throws(TransportError) {
        var status = 0
        try perform(url, method: method, sink: sink, acceptErrors: false, status: &status, configure: configure, afterwards: afterwards)
    }

    /// As above; with `acceptErrors` an HTTP error status is returned in `status`, not thrown.
    /// `afterwards` reads the handle after a successful transfer (e.g. the certificate chain).
    func perform(
        _ url: String, method: String?, sink: some Sink, acceptErrors: Bool, status: inout Int,
        configure: (UnsafeMutableRawPointer) -> Void,
        afterwards: (UnsafeMutableRawPointer) -> Void = { _ in }
    ) throws(TransportError) {
        guard Self.initialized, let handle = curl_easy_init() else { throw .network(url: url, message: "libcurl failed to initialise") }
        defer { curl_easy_cleanup(handle) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let context = Unmanaged.passRetained(sink as AnyObject)
        defer { context.release() }
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            _ = ccurl_setopt_string(handle, CURLOPT_URL, url)
            if method == nil { _ = ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1) }
            _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            _ = ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, connectTimeout)
            _ = ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
            _ = ccurl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, stallTimeout)
            _ = ccurl_setopt_string(handle, CURLOPT_USERAGENT, "alien-install/0.1")
            _ = ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            authorities.apply(to: handle)
            _ = ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque())
            _ = ccurl_setopt_write_function(handle) { data, size, count, context in
                guard let data, let context else { return 0 }
                let sink = Unmanaged<AnyObject>.fromOpaque(context).takeUnretainedValue() as! any Sink
                return sink.write(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
            }
            configure(handle)
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            if code == CURLE_FILE_COULDNT_READ_FILE { throw .status(url: url, code: 404) }
            let detail = String(decoding: errorBuffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            if CertificateAuthorities.isCertificateFailure(code) { message = authorities.refusal(url: url, curlMessage: message) }
            throw .network(url: url, message: method.map { "\($0): " + message } ?? message)
        }
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        afterwards(handle)
        guard acceptErrors || status < 400 else { throw .status(url: url, code: status) }
    }
}

protocol Sink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool
}

final class DataSink: Sink {
    var data = Data()
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        data.append(contentsOf: bytes)
        return true
    }
}

final class FileSink: Sink {
    let handle: FileHandle
    var bytes: Int64 = 0
    var failure: String?
    init(handle: FileHandle) { self.handle = handle }
    func write(_ chunk: UnsafeRawBufferPointer) -> Bool {
        do {
            try handle.write(contentsOf: Data(chunk))
            bytes += Int64(chunk.count)
            return true
        } catch {
            failure = "\(error)"
            return false
        }
    }
}
