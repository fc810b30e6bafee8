public import Foundation
import Synchronization
public import Trust

/// The files of a fake remote repository, by full URL, shared between a test's repository
/// fixture (which writes) and its fetchers (which read and log requests).
public final class RemoteStore: Sendable {
    private struct State {
        var files: [String: [UInt8]] = [:]
        var requests: [String] = []
        var brokenPrefixes: [String] = []
    }

    private let state = Mutex(State())

    public init() {}

    public subscript(url: String) -> [UInt8]? {
        get { state.withLock { $0.files[url] } }
        set { state.withLock { $0.files[url] = newValue } }
    }

    /// Writes every file whose URL starts with `prefix` under `directory`, at the rest of its URL
    /// (so a fixture repository can be served by a real web server).
    public func write(prefix: String, to directory: URL) throws {
        let files = state.withLock { $0.files }
        for (url, bytes) in files where url.hasPrefix(prefix) {
            let file = directory.appendingPathComponent(String(url.dropFirst(prefix.count)))
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: file)
        }
    }

    /// Every URL requested so far, in order.
    public var requests: [String] {
        state.withLock { $0.requests }
    }

    /// How many times `url` was requested.
    public func requestCount(_ url: String) -> Int {
        state.withLock { $0.requests.filter { $0 == url }.count }
    }

    public func clearRequests() {
        state.withLock { $0.requests.removeAll() }
    }

    /// Requests of URLs starting with `prefix` fail as a dead server's would (`FetchError.failed`).
    public func breakServer(_ prefix: String) {
        state.withLock { $0.brokenPrefixes.append(prefix) }
    }

    func isBroken(_ url: String) -> Bool {
        state.withLock { state in state.brokenPrefixes.contains { url.hasPrefix($0) } }
    }

    func request(_ url: String) -> [UInt8]? {
        state.withLock {
            $0.requests.append(url)
            return $0.files[url]
        }
    }
}

/// A `RemoteFetcher` over a `RemoteStore`: 404 for unknown URLs, `tooLarge` past `maxLength`
/// (a download first writes `maxLength` bytes, as a stream would).
public struct InMemoryFetcher: RemoteFetcher {
    public let store: RemoteStore

    public init(store: RemoteStore) {
        self.store = store
    }

    public func fetch(_ url: String, maxLength: Int64) async throws -> [UInt8] {
        if store.isBroken(url) {
            _ = store.request(url)
            throw FetchError.failed(url: url, reason: "connection refused (injected)")
        }
        guard let bytes = store.request(url) else { throw FetchError.notFound(url: url) }
        guard Int64(bytes.count) <= maxLength else { throw FetchError.tooLarge(url: url, limit: maxLength) }
        return bytes
    }

    public func download(_ url: String, to destination: String, maxLength: Int64) async throws -> Int64 {
        if store.isBroken(url) {
            _ = store.request(url)
            _ = FileManager.default.createFile(atPath: destination, contents: Data("partial".utf8))
            throw FetchError.failed(url: url, reason: "connection reset (injected)")
        }
        guard let bytes = store.request(url) else { throw FetchError.notFound(url: url) }
        let kept = Array(bytes.prefix(Int(clamping: max(0, maxLength))))
        guard FileManager.default.createFile(atPath: destination, contents: Data(kept)) else {
            throw FetchError.failed(url: url, reason: "cannot create \(destination)")
        }
        guard Int64(bytes.count) <= maxLength else { throw FetchError.tooLarge(url: url, limit: maxLength) }
        return Int64(bytes.count)
    }
}

/// A `RemoteFetcher` over local files: `file://` URLs (percent-decoded) or plain paths, as a
/// static web server would serve a repository directory.
public struct DirectoryFetcher: RemoteFetcher {
    public init() {}

    private func path(of url: String) -> String {
        guard url.hasPrefix("file://") else { return url }
        let rest = String(url.dropFirst("file://".count))
        return rest.removingPercentEncoding ?? rest
    }

    public func fetch(_ url: String, maxLength: Int64) async throws -> [UInt8] {
        let path = path(of: url)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FetchError.notFound(url: url) }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: Int(clamping: maxLength) + 1) ?? Data()
        guard Int64(data.count) <= maxLength else { throw FetchError.tooLarge(url: url, limit: maxLength) }
        return Array(data)
    }

    public func download(_ url: String, to destination: String, maxLength: Int64) async throws -> Int64 {
        let bytes = try await fetch(url, maxLength: maxLength)
        guard FileManager.default.createFile(atPath: destination, contents: Data(bytes)) else {
            throw FetchError.failed(url: url, reason: "cannot create \(destination)")
        }
        return Int64(bytes.count)
    }
}

/// Every entry under a directory (relative path → contents), to check that an operation left a
/// directory byte-for-byte unchanged.
public struct DirectoryState: Equatable, CustomStringConvertible, Sendable {
    public enum Entry: Equatable, Sendable {
        case file([UInt8])
        case directory
        case other
    }

    public let entries: [String: Entry]

    public init(capturing path: String) {
        var entries: [String: Entry] = [:]
        let manager = FileManager.default
        for relative in (manager.subpaths(atPath: path) ?? []) {
            let full = "\(path)/\(relative)"
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: full, isDirectory: &isDirectory) {
                entries[relative] = isDirectory.boolValue ? .directory : manager.contents(atPath: full).map { .file(Array($0)) } ?? .other
            } else {
                entries[relative] = .other
            }
        }
        self.entries = entries
    }

    public var description: String {
        entries.keys.sorted().map { name in
            switch entries[name]! {
            case let .file(bytes): "\(name) (\(bytes.count) bytes)"
            case .directory: "\(name)/"
            case .other: "\(name) (other)"
            }
        }.joined(separator: ", ")
    }
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "alien-tests") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
