import Basics
public import Foundation

/// A place artifacts live, addressed by relative paths (`metadata/1.root.json`,
/// `targets/slc9_x86-64/zlib/<sha256>.zlib-v1.3-1.slc9_x86-64.tar.gz`): a local directory or an
/// HTTP server. Writers use `put`; a `put` is atomic where the store allows it (a directory: a
/// temporary file, `fsync`, `rename`; nginx's DAV module also writes a temporary file and renames
/// it), so a reader sees the old content or the new, never a part.
public protocol ArtifactSource: Sendable {
    /// Where the source is, for messages: a directory path or a base URL.
    var location: String { get }
    func exists(_ path: String) throws(TransportError) -> Bool
    /// The bytes at `path`, or nil when there is nothing there.
    func get(_ path: String) throws(TransportError) -> Data?
    func put(_ path: String, data: Data) throws(TransportError)
    /// Copies the local file `file` to `path`, streaming.
    func put(_ path: String, contentsOf file: URL) throws(TransportError)
    /// Removes `path`; nothing there counts as done.
    func delete(_ path: String) throws(TransportError)
    /// Writes `path` only if nothing is there: false (nothing written) when something is. For
    /// names that must never be overwritten (versioned metadata). Atomic where the store has a
    /// primitive for it (a directory: `link`; HTTP: `If-None-Match: *` where honoured); else a
    /// check then a write, which is safe among writers holding `lockWriters`.
    func create(_ path: String, data: Data) throws(TransportError) -> Bool
    /// Takes the store's writer lock, waiting up to `seconds` for another writer to release it
    /// (then `TransportError.locked`). Writers that read, change and write shared files (a
    /// repository's metadata) hold it across the whole sequence.
    func lockWriters(waitingUpTo seconds: Double) throws(TransportError) -> WriterLock
}

extension ArtifactSource {
    /// A check, then a write: for stores without a create-only primitive (safe among writers
    /// that hold `lockWriters`).
    public func create(_ path: String, data: Data) throws(TransportError) -> Bool {
        if try exists(path) { return false }
        try put(path, data: data)
        return true
    }

    /// Refuses paths that could leave the source: absolute, empty components, `.` or `..`.
    public static func checkRelative(_ path: String, in location: String) throws(TransportError) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw .io(path: "\(location)/\(path)", reason: "expected a relative path without empty, '.' or '..' components")
        }
    }
}

/// An `ArtifactSource` on a local directory. Writes are atomic and durable: a temporary file in
/// the destination's directory, `fsync`, `rename`, `fsync` of the directory (unless
/// `synchronize` is false, for tests and benchmarks that do not care about power loss).
public struct DirectoryArtifactSource: ArtifactSource {
    public let root: URL
    public var synchronize: Bool

    public init(root: URL, synchronize: Bool = true) {
        self.root = root.standardizedFileURL
        self.synchronize = synchronize
    }

    public var location: String { root.path }

    private func url(_ path: String) throws(TransportError) -> URL {
        try Self.checkRelative(path, in: location)
        return root.appendingPathComponent(path)
    }

    public func exists(_ path: String) throws(TransportError) -> Bool {
        FileManager.default.fileExists(atPath: try url(path).path)
    }

    public func get(_ path: String) throws(TransportError) -> Data? {
        let file = try url(path)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        do { return try Data(contentsOf: file) } catch { throw .io(path: file.path, reason: "\(error.localizedDescription)") }
    }

    public func put(_ path: String, data: Data) throws(TransportError) {
        let file = try url(path)
        try atomicWrite(to: file) { fd throws(TransportError) in
            let code = data.withUnsafeBytes { Self.writeAll(fd, $0) }
            if code != 0 { throw .io(path: file.path, reason: String(cString: strerror(code))) }
        }
    }

    public func put(_ path: String, contentsOf source: URL) throws(TransportError) {
        let file = try url(path)
        let input = open(source.path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .io(path: source.path, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        try atomicWrite(to: file) { fd throws(TransportError) in
            let readCode = try FileIO.readChunks(input) { chunk throws(TransportError) in
                let code = FileIO.writeAll(fd, chunk)
                if code != 0 { throw .io(path: file.path, reason: FileIO.describe(code)) }
            }
            if readCode != 0 { throw .io(path: source.path, reason: FileIO.describe(readCode)) }
        }
    }

    public func delete(_ path: String) throws(TransportError) {
        let file = try url(path)
        guard unlink(file.path) == 0 || errno == ENOENT else { throw .io(path: file.path, reason: String(cString: strerror(errno))) }
    }

    /// As `put`, but the complete temporary file is `link`ed to its name, which fails rather
    /// than replace anything there.
    public func create(_ path: String, data: Data) throws(TransportError) -> Bool {
        let file = try url(path)
        return try atomicWrite(to: file, replace: false) { fd throws(TransportError) in
            let code = data.withUnsafeBytes { Self.writeAll(fd, $0) }
            if code != 0 { throw .io(path: file.path, reason: String(cString: strerror(code))) }
        }
    }

    /// Temporary file next to `file`, filled by `fill`, synced, renamed over `file` (or, unless
    /// `replace`, linked to `file`: false when something is there already).
    @discardableResult
    private func atomicWrite(to file: URL, replace: Bool = true, _ fill: (Int32) throws(TransportError) -> Void) throws(TransportError) -> Bool {
        try AtomicFile.write(
            to: file.path, createDirectories: true, placement: replace ? .replace : .createOnly,
            flush: synchronize ? AtomicFile.fileSync : nil, syncDirectory: synchronize,
            wrap: { error in
                error.operation == "mkdir"
                    ? .io(path: error.path, reason: "cannot create the directory: \(error.reason)")
                    : .io(path: error.path, reason: "\(error.operation): \(error.reason)")
            }
        ) { (fd, _) throws(TransportError) in try fill(fd) }
    }

    /// Writes all of `buffer`; returns 0 or the errno of the failure.
    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        FileIO.writeAll(fd, buffer)
    }
}

/// An `ArtifactSource` on an HTTP server: GET and HEAD to read, PUT and DELETE to write (a
/// WebDAV-enabled server such as nginx with `dav_methods PUT DELETE; create_full_put_path on;`).
public struct HTTPArtifactSource: ArtifactSource {
    /// Base URL without a trailing slash.
    public let baseURL: String
    public var client: HTTPClient

    public init(baseURL: String, client: HTTPClient = HTTPClient()) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.client = client
    }

    public var location: String { baseURL }

    private func url(_ path: String) throws(TransportError) -> String {
        try Self.checkRelative(path, in: location)
        let escaped = path.addingPercentEncoding(withAllowedCharacters: Self.allowed) ?? path
        return "\(baseURL)/\(escaped)"
    }

    private static let allowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "+;=")
        return set
    }()

    public func exists(_ path: String) throws(TransportError) -> Bool {
        try client.exists(try url(path))
    }

    public func get(_ path: String) throws(TransportError) -> Data? {
        do throws(TransportError) {
            return try client.get(try url(path))
        } catch  where error.isNotFound {
            return nil
        }
    }

    public func put(_ path: String, data: Data) throws(TransportError) {
        try client.put(try url(path), data: data)
    }

    public func put(_ path: String, contentsOf file: URL) throws(TransportError) {
        try client.put(try url(path), contentsOf: file)
    }

    public func delete(_ path: String) throws(TransportError) {
        try client.delete(try url(path))
    }

    /// HEAD, then a PUT with `If-None-Match: *` (see `HTTPClient.putIfAbsent`).
    public func create(_ path: String, data: Data) throws(TransportError) -> Bool {
        let target = try url(path)
        if try client.exists(target) { return false }
        return try client.putIfAbsent(target, data: data)
    }
}
