public import AlienModel
public import Foundation
public import Transport

/// A read-only aliBuild store over HTTP (`--remote-store URL`): tarballs found by hash at
/// `URL/TARS/<arch>/store/<h2>/<hash>/` (a JSON directory listing, as aliBuild's HTTP backend
/// reads it) are downloaded into the local store and linked, so they are unpacked instead of
/// built. Such stores are not signed: the tarball is only as trustworthy as the server.
public struct RemoteStore: Sendable {
    public let baseURL: String
    public let client: HTTPClient

    public init(baseURL: String, client: HTTPClient = HTTPClient()) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.client = client
    }

    /// Fetches the tarball of `hash` unless the local store has it; returns the local file
    /// when the remote store has one, nil when it has none.
    @discardableResult
    public func fetch(_ name: PackageName, version: String, hash: String, layout: BuildLayout) throws(BuildError) -> URL? {
        let storeDirectory = layout.storeDirectory(hash: hash)
        let local = (try? FileManager.default.contentsOfDirectory(atPath: storeDirectory.path))?.first { matches($0, name, version, layout) }
        if let local { return storeDirectory.appendingPathComponent(local) }
        let relative = "TARS/\(layout.architecture)/store/\(hash.prefix(2))/\(hash)"
        let listing: Data
        do { listing = try client.get("\(baseURL)/\(relative)/") } catch {
            if error.isNotFound { return nil }
            throw .download(url: "\(baseURL)/\(relative)/", error)
        }
        struct Entry: Decodable { var name: String }
        guard let entries = try? JSONDecoder().decode([Entry].self, from: listing) else {
            throw .io(path: "\(baseURL)/\(relative)/", reason: "expected a JSON directory listing ([{\"name\": ...}])")
        }
        guard let file = entries.map(\.name).first(where: { matches($0, name, version, layout) }) else { return nil }
        do { try FileManager.default.createDirectory(at: storeDirectory, withIntermediateDirectories: true) } catch {
            throw .io(path: storeDirectory.path, reason: "\(error)")
        }
        let target = storeDirectory.appendingPathComponent(file)
        do { try client.download("\(baseURL)/\(relative)/\(file)", to: target) } catch {
            throw .download(url: "\(baseURL)/\(relative)/\(file)", error)
        }
        let links = layout.linksDirectory(name)
        try? FileManager.default.createDirectory(at: links, withIntermediateDirectories: true)
        let link = links.appendingPathComponent(file)
        try? FileManager.default.removeItem(at: link)
        try? FileManager.default.createSymbolicLink(
            atPath: link.path, withDestinationPath: "../../\(layout.architecture)/store/\(hash.prefix(2))/\(hash)/\(file)")
        return target
    }

    /// `<pkg>-<version>-<N>.<arch>.tar.gz` with a plain revision number.
    private func matches(_ file: String, _ name: PackageName, _ version: String, _ layout: BuildLayout) -> Bool {
        let prefix = "\(name)-\(version)-", suffix = ".\(layout.architecture).tar.gz"
        guard file.hasPrefix(prefix), file.hasSuffix(suffix), file.count > prefix.count + suffix.count else { return false }
        return file.dropFirst(prefix.count).dropLast(suffix.count).allSatisfy(\.isNumber)
    }
}
