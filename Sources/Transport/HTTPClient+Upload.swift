import CCurl
public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing requests: PUT (a file streamed from disk, or bytes; optionally only if absent),
/// DELETE, MKCOL and HEAD, as a WebDAV server (nginx `dav_methods PUT DELETE MKCOL`) accepts
/// them. Any other status ≥ 400 throws.
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
        try put(url, data: data, headers: [])
    }

    /// PUTs `data` to `url` only if nothing is there yet: the request carries `If-None-Match: *`
    /// (RFC 9110 §13.1.2), so a server that honours it (S3, Apache mod_dav) answers 412 rather
    /// than overwrite; false then, and nothing was written. nginx's DAV module ignores the
    /// header and overwrites: who needs the guarantee there checks first under a writer lock
    /// (`ArtifactSource.lockWriters`).
    public func putIfAbsent(_ url: String, data: Data) throws(TransportError) -> Bool {
        do throws(TransportError) {
            try put(url, data: data, headers: ["If-None-Match: *"])
            return true
        } catch .status(_, 412) {
            return false
        }
    }

    private func put(_ url: String, data: Data, headers: [String]) throws(TransportError) {
        var bytes = [UInt8](data)
        if bytes.isEmpty { bytes = [0] }  // fmemopen needs a non-empty buffer; the size below is what counts.
        let size = data.count
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
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
                    if list != nil { _ = ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)) }
                }
            }
        }
        try outcome.get()
    }

    /// What WebDAV `MKCOL` did.
    public enum CollectionOutcome: Hashable, Sendable {
        /// 201: the collection is new; this request made it.
        case created
        /// 405: something is there already (a collection or a file).
        case exists
        /// 409: the parent collection is missing.
        case parentMissing
    }

    /// WebDAV `MKCOL url` (`url` ends with '/'). Creating a directory is atomic on the server
    /// (nginx: mkdir), so of concurrent requests exactly one gets `.created`: a writer lock.
    public func makeCollection(_ url: String) throws(TransportError) -> CollectionOutcome {
        do throws(TransportError) {
            _ = try request(url, method: "MKCOL") { handle in
                _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "MKCOL")
            }
            return .created
        } catch .status(_, 405) {
            return .exists
        } catch .status(_, 409) {
            return .parentMissing
        }
    }

    /// DELETEs `url`; a 404 counts as done.
    public func delete(_ url: String) throws(TransportError) {
        do throws(TransportError) {
            _ = try request(url, method: "DELETE") { handle in
                _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "DELETE")
            }
        } catch  where error.isNotFound {
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
        } catch  where error.isNotFound {
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
