import CCurl
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing requests: PUT (a file streamed from disk, or bytes), DELETE, and HEAD, as a WebDAV
/// server (nginx `dav_methods PUT DELETE`) accepts them. Any status ≥ 400 throws.
extension HTTPClient {
    /// PUTs the file at `file` to `url`, streamed (constant memory, any size).
    public func put(_ url: String, contentsOf file: URL) throws(TransportError) {
        guard let stream = fopen(file.path, "rb") else {
            throw .io(path: file.path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(stream) }
        var info = stat()
        guard fstat(fileno(stream), &info) == 0 else { throw .io(path: file.path, reason: String(cString: strerror(errno))) }
        _ = try request(url, method: "PUT") { handle in
            _ = ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            _ = ccurl_setopt_pointer(handle, CURLOPT_READDATA, UnsafeMutableRawPointer(stream))
            _ = ccurl_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(info.st_size))
        }
    }

    /// PUTs `data` to `url`.
    public func put(_ url: String, data: Data) throws(TransportError) {
        var bytes = [UInt8](data)
        if bytes.isEmpty { bytes = [0] }  // fmemopen needs a non-empty buffer; the size below is what counts.
        let size = data.count
        let outcome = bytes.withUnsafeMutableBytes { buffer -> Result<Void, TransportError> in
            guard let stream = fmemopen(buffer.baseAddress, buffer.count, "rb") else {
                return .failure(.io(path: url, reason: "fmemopen: \(String(cString: strerror(errno)))"))
            }
            defer { fclose(stream) }
            return Result { () throws(TransportError) in
                _ = try request(url, method: "PUT") { handle in
                    _ = ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1)
                    _ = ccurl_setopt_pointer(handle, CURLOPT_READDATA, UnsafeMutableRawPointer(stream))
                    _ = ccurl_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(size))
                }
            }
        }
        try outcome.get()
    }

    /// DELETEs `url`; a 404 counts as done.
    public func delete(_ url: String) throws(TransportError) {
        do throws(TransportError) {
            _ = try request(url, method: "DELETE") { handle in
                _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "DELETE")
            }
        } catch where error.isNotFound {
            return
        }
    }

    /// Whether `url` exists: HEAD answers 2xx/3xx (true) or 404 (false); other errors throw.
    public func exists(_ url: String) throws(TransportError) -> Bool {
        do throws(TransportError) {
            _ = try request(url, method: "HEAD") { handle in
                _ = ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
            }
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    /// One request with the client's timeouts; `configure` sets the method-specific options.
    /// Returns the response body.
    private func request(_ url: String, method: String, configure: (UnsafeMutableRawPointer) -> Void) throws(TransportError) -> Data {
        let sink = DataSink()
        try perform(url, method: method, sink: sink, configure: configure)
        return sink.data
    }
}
