import CCurl
public import Foundation

extension HTTPClient {
    /// One HTTP response: status and body, error statuses included.
    public struct Exchange: Sendable {
        public var status: Int
        public var body: Data
    }

    /// A request whose error answers are data, not errors (API clients read the error body):
    /// `method` with optional JSON `body` and extra `headers` ("Name: value"); `unixSocket`
    /// connects to that socket path instead of the URL's host (the URL still names the path).
    public func exchange(
        _ method: String, _ url: String, body: Data? = nil, headers: [String] = [],
        unixSocket: String? = nil, timeout: Int = 0
    ) throws(TransportError) -> Exchange {
        let sink = DataSink()
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        // libcurl reads the body during perform: a copy that lives until then.
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, body?.count ?? 0), alignment: 1)
        defer { bytes.deallocate() }
        if let body { body.copyBytes(to: bytes.bindMemory(to: UInt8.self), count: body.count) }
        var status = 0
        try perform(url, method: method, sink: sink, acceptErrors: true, status: &status) { handle in
            _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
            if let unixSocket { _ = ccurl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, unixSocket) }
            if list != nil { _ = ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)) }
            if timeout > 0 { _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT, timeout) }
            if body != nil {
                _ = ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body?.count ?? 0))
                _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, bytes.baseAddress)
            }
        }
        return Exchange(status: status, body: sink.data)
    }
}
